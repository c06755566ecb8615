"""What providers bring to an order: invitations, proposals (响应方案) and their attachments."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet
from core.validators import validate_amount_yuan
from matchmaking.choices import (
    DeclineReason,
    ProposalState,
)
from matchmaking.models.orders import Order, choice_label


class Invitation(models.Model):
    """邀请: the taking body (or an administrator) invites a provider organization to respond."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("需求")
    )
    provider_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("资源方"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("邀请人"),
    )
    note = models.CharField(_("邀请说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("响应邀请")
        verbose_name_plural = _("响应邀请")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["order", "provider_org"], name="invitation_unique")]

    def __str__(self):
        return f"{self.order} → {self.provider_org}"


class ProposalQuerySet(ScopedQuerySet):
    """Proposals: the provider sees its own; county, city and bodies see those on orders they see."""

    visibility_is_pure = True  # visibility_q reads the scope only (ScopedQuerySet.visibility_is_pure)

    def visibility_q(self, scope: Scope) -> Q:
        """Providers: their organization's responses; others: responses on orders they may see."""
        if scope.is_provider and scope.org_id:
            return Q(provider_org_id=scope.org_id)
        if scope.is_county or scope.is_city or scope.is_body:
            return Q(order__in=Order.objects.filter(Order.objects.all().visibility_q(scope)))
        return NOTHING

    def editability_q(self, scope: Scope) -> Q:
        """The placing county decides on responses."""
        if scope.is_county:
            return Q(order__county_id=scope.county_id)
        return NOTHING


class Proposal(models.Model):
    """响应方案 (响应/揭榜): a provider's proposal for an order, which the county accepts or declines."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="responses", verbose_name=_("需求")
    )
    provider_org = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="responses", verbose_name=_("资源方")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("填报人"),
    )
    proposal = models.TextField(_("方案"), max_length=4000, validators=[MinLengthValidator(10)])
    amount_yuan = models.BigIntegerField(
        _("可提供金额（元）"), null=True, blank=True, validators=[validate_amount_yuan]
    )
    rate_percent = models.DecimalField(
        _("年利率/费率（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    term_months = models.PositiveIntegerField(
        _("期限（月）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    experts = models.TextField(_("拟派专家"), max_length=2000, blank=True)
    terms = models.TextField(_("其他条件"), max_length=2000, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    reason_category = models.CharField(
        _("未采纳原因"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    decision_note = models.CharField(_("处理说明"), max_length=1000, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("响应时间"), auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("响应")
        verbose_name_plural = _("响应")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["order", "provider_org"], name="response_one_per_org")]
        indexes = [
            models.Index(fields=["provider_org", "state"]),
            # A provider's lists ask "responded by this provider?" of every candidate order (index-only).
            models.Index(fields=["provider_org", "order"], name="response_provider_order"),
            # Dashboards: "docked" probes the accepted responses of closed orders.
            models.Index(
                fields=["order"], condition=Q(state=ProposalState.ACCEPTED), name="response_accepted_order"
            ),
        ]

    def __str__(self):
        return f"{self.provider_org} → {self.order}"

    def get_state_display(self) -> str:
        return choice_label(ProposalState, self.state)


def attachment_path(instance, filename):
    """Stored under a generated name (never the uploader's), keeping only a vetted extension."""
    return f"private/orders/{instance.pk}{Path(filename).suffix.lower()}"


class AttachmentQuerySet(ScopedQuerySet):
    """Attachments follow their order; a response's attachments also follow the response."""

    def visibility_q(self, scope: Scope) -> Q:
        """Visible with the order, and (for response files) with the response."""
        orders = Order.objects.filter(Order.objects.all().visibility_q(scope))
        responses = Proposal.objects.filter(Proposal.objects.all().visibility_q(scope))
        return Q(order__in=orders) & (Q(response__isnull=True) | Q(response__in=responses))


class Attachment(models.Model):
    """附件: a PDF, Office document or image of an order or a response, served only through a checked view."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("需求")
    )
    response = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("响应"),
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("orders:attachment", args=[self.pk])
