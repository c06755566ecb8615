"""Profile revisions: a provider's proposed change of its own catalog entry and the events of its moderation."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from matchmaking.choices import ResourceType
from profiles.choices import RevisionAction, RevisionState


class RevisionQuerySet(ScopedQuerySet):
    """A provider sees its own organization's revisions; administrators all; everyone else none."""

    def visibility_q(self, scope: Scope) -> Q:
        """Only the revisions of the viewer's own provider organization."""
        if scope.is_provider and scope.org_id:
            return Q(organization_id=scope.org_id)
        return NOTHING

    def editability_q(self, scope: Scope) -> Q:
        """A provider may withdraw its own pending revisions."""
        if scope.is_provider and scope.org_id:
            return Q(organization_id=scope.org_id, state=RevisionState.PENDING)
        return NOTHING


class ProfileRevision(models.Model):
    """资料修订: changes of one catalog entry proposed by the provider it stands for, pending moderation."""

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="profile_revisions",
        verbose_name=_("资源方"),
    )
    resource_type = models.CharField(_("资源类型"), max_length=24, choices=ResourceType.choices)
    resource_id = models.PositiveBigIntegerField(_("资源编号"))
    resource_name = models.CharField(_("资源名称"), max_length=200)
    # {field: {"old": value, "new": value}} for the fields that change
    changes = models.JSONField(_("修改内容"), default=dict)
    note = models.CharField(_("修改说明"), max_length=500, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=RevisionState.choices, default=RevisionState.PENDING, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("驳回原因"), max_length=500, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("资料修订")
        verbose_name_plural = _("资料修订")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "resource_id"],
                condition=Q(state="pending"),
                name="one_pending_revision_per_entry",
            )
        ]

    def __str__(self):
        return f"{self.resource_name} ({self.get_state_display()})"

    def get_absolute_url(self):
        """The revision's page."""
        from django.urls import reverse

        return reverse("profiles:revision", args=[self.pk])


class RevisionEvent(models.Model):
    """One thing that happened to a revision (append-only: never changed or deleted)."""

    revision = models.ForeignKey(
        ProfileRevision, on_delete=models.CASCADE, related_name="events", verbose_name=_("资料修订")
    )
    action = models.CharField(_("操作"), max_length=16, choices=RevisionAction.choices)
    from_state = models.CharField(_("原状态"), max_length=16, choices=RevisionState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=RevisionState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("资料修订记录")
        verbose_name_plural = _("资料修订记录")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.revision_id} {self.action}"

    def save(self, *args, **kwargs):
        """Insert only: an event row is never rewritten."""
        if self.pk is not None:
            raise ValueError("RevisionEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Never deleted (the revision's history)."""
        raise ValueError("RevisionEvent is append-only")
