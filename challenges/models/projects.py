"""Awarded projects, their milestones and milestone reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import Scope, ScopedQuerySet
from challenges.choices import (
    MilestoneState,
    ProjectState,
)
from challenges.models.bids import Bid, bidder_q
from challenges.models.challenges import Challenge


class ProjectQuerySet(ScopedQuerySet):
    """Projects: the winner (and its partners), the publisher, administrators."""

    def visibility_q(self, scope: Scope) -> Q:
        """The winning organization's and the publisher's projects."""
        return bidder_q(scope, "bid__") | Q(challenge__list__publisher_org_id=scope.org_id)


class Project(models.Model):
    """攻关项目: an awarded bid carried out milestone by milestone until final acceptance (验收)."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="projects", verbose_name=_("榜")
    )
    bid = models.OneToOneField(
        Bid, on_delete=models.CASCADE, related_name="project", verbose_name=_("中榜方案")
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ProjectState.choices, default=ProjectState.ACTIVE
    )
    acceptance_note = models.TextField(_("验收意见"), blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("攻关项目")
        verbose_name_plural = _("攻关项目")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.challenge.title} · {self.bid.bidder_org}"


class MilestoneQuerySet(ScopedQuerySet):
    """Milestones follow their project."""

    def visibility_q(self, scope: Scope) -> Q:
        """Milestones of the projects the scope may see."""
        return bidder_q(scope, "project__bid__") | Q(project__challenge__list__publisher_org_id=scope.org_id)


class Milestone(models.Model):
    """项目里程碑: copied from the awarded bid; reported with evidence, accepted or sent back for rework."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("项目")
    )
    title = models.CharField(_("里程碑"), max_length=200)
    due_date = models.DateField(_("计划完成日期"))
    deliverable = models.CharField(_("交付成果"), max_length=300)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    state = models.CharField(
        _("状态"), max_length=16, choices=MilestoneState.choices, default=MilestoneState.PENDING
    )
    reported_at = models.DateTimeField(_("最近报告时间"), null=True, blank=True)
    first_reported_at = models.DateTimeField(_("首次报告时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    decision_note = models.TextField(_("验收意见"), blank=True)
    reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目里程碑")
        verbose_name_plural = _("项目里程碑")
        ordering = ["position", "due_date", "pk"]

    def __str__(self):
        return self.title

    def is_overdue(self, today=None) -> bool:
        """Due date passed and not reported (or sent back)."""
        today = today or timezone.localdate()
        return self.state in (MilestoneState.PENDING, MilestoneState.REWORK) and self.due_date < today

    @property
    def on_time(self) -> bool | None:
        """Whether it was first reported by its due date and then accepted (None while not accepted)."""
        if self.state != MilestoneState.ACCEPTED or self.first_reported_at is None:
            return None
        return timezone.localdate(self.first_reported_at) <= self.due_date


class MilestoneReport(models.Model):
    """进展报告: the winner's report on a milestone with evidence (text and files)."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reports", verbose_name=_("里程碑")
    )
    text = models.TextField(_("进展与证明材料说明"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("报告人"),
    )
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.milestone} · {self.created_at:%Y-%m-%d}"
