"""Files, the challenge event log and achievements (科技成果)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope
from challenges.choices import (
    EventKind,
    IpKind,
    Licensing,
    Maturity,
)
from challenges.models.bids import Bid
from challenges.models.challenges import Challenge, ChallengeList, PublicScopedQuerySet
from challenges.models.projects import Milestone, MilestoneReport, Project


def file_path(instance, filename):
    """Stored under a generated name (never the uploader's), keeping only a vetted extension."""
    return f"private/challenges/{instance.pk}{Path(filename).suffix.lower()}"


class ChallengeFile(models.Model):
    """附件 of a bid or of a milestone report, served only through a checked view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, null=True, blank=True, related_name="files", verbose_name=_("揭榜方案")
    )
    report = models.ForeignKey(
        MilestoneReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name=_("进展报告"),
    )
    file = models.FileField(_("文件"), upload_to=file_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("揭榜附件")
        verbose_name_plural = _("揭榜附件")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name


class ChallengeEvent(models.Model):
    """One thing that happened to a list, challenge, bid, project or milestone (append-only)."""

    list = models.ForeignKey(
        ChallengeList, on_delete=models.CASCADE, related_name="events", verbose_name=_("榜单")
    )
    challenge = models.ForeignKey(
        Challenge,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("榜"),
    )
    bid = models.ForeignKey(
        Bid,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("揭榜方案"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("项目"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("里程碑"),
    )
    kind = models.CharField(_("事件"), max_length=24, choices=EventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作组织"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("揭榜挂帅事件")
        verbose_name_plural = _("揭榜挂帅事件")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        """Events are written once and never changed."""
        if self.pk is not None:
            raise ValueError("ChallengeEvent is append-only.")
        super().save(*args, **kwargs)


class AchievementQuerySet(PublicScopedQuerySet):
    """The supply list is public; unpublished entries belong to their organization."""

    def public_q(self) -> Q:
        """Published achievements."""
        return Q(is_published=True)

    def visibility_q(self, scope: Scope) -> Q:
        """The organization's own achievements."""
        return Q(organization_id=scope.org_id)

    def editability_q(self, scope: Scope) -> Q:
        """The organization's own achievements."""
        return Q(organization_id=scope.org_id)


class Achievement(models.Model):
    """科技成果: an institution's or firm's achievement on the supply list (科技成果供给清单)."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="achievements",
        verbose_name=_("成果单位"),
    )
    title = models.CharField(_("成果名称"), max_length=200)
    field = models.CharField(_("技术领域"), max_length=100)
    summary = models.TextField(_("成果简介"))
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以“；”分隔"))
    chain_type = models.ForeignKey(
        "chains.ChainType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("适用产业链类型"),
    )
    maturity = models.CharField(_("成熟度"), max_length=16, choices=Maturity.choices)
    ip_kind = models.CharField(_("知识产权类型"), max_length=20, choices=IpKind.choices)
    ip_number = models.CharField(_("知识产权编号"), max_length=100, blank=True)
    licensing = models.CharField(_("转化方式"), max_length=16, choices=Licensing.choices)
    licensing_terms = models.CharField(_("转化条件"), max_length=300, blank=True)
    is_published = models.BooleanField(_("公开"), default=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AchievementQuerySet.as_manager()

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return self.title
