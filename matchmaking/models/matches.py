"""Stored matches: the engine's ranked catalog entries for an order."""

from django.apps import apps
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from engine.reasons import render_reasons
from matchmaking.choices import (
    RESOURCE_MODELS,
    ResourceType,
)
from matchmaking.models.orders import Order


class Match(models.Model):
    """匹配结果: one catalog resource ranked for an order, with its score and Chinese reasons.

    The resource is stored as a (resource_type, resource_id) pair — `resource_type` names the catalog
    model (see `choices.RESOURCE_MODELS`), `resource_id` its primary key — plus `resource_name`, the
    resource's name when matched, so lists render without one lookup per type. `provider_org` is set when
    the resource stands for a registered provider organization (who can then be invited to respond).
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="matches", verbose_name=_("需求"))
    resource_type = models.CharField(_("资源类型"), max_length=24, choices=ResourceType.choices)
    resource_id = models.PositiveBigIntegerField(_("资源编号"))
    resource_name = models.CharField(_("资源名称"), max_length=200, blank=True)
    provider_org = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("资源方组织"),
    )
    rank = models.PositiveIntegerField(_("排名"))
    score = models.FloatField(_("匹配度"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    # structured: [{"code": ..., "params": {...}}] (see engine.reasons); rendered per language
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    created_at = models.DateTimeField(_("匹配时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("匹配结果")
        verbose_name_plural = _("匹配结果")
        ordering = ["order", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["order", "resource_type", "resource_id"], name="match_unique"),
            models.CheckConstraint(condition=Q(score__gte=0.0) & Q(score__lte=1.0), name="match_score_0_1"),
        ]
        indexes = [
            models.Index(fields=["resource_type", "resource_id"]),
            models.Index(fields=["provider_org", "-score"]),
            # a provider's matched orders and its best score on each (the matched-orders page), index only
            models.Index(fields=["provider_org", "order", "score"], name="match_provider_order_score"),
        ]

    def __str__(self):
        return f"{self.order_id} #{self.rank} {self.resource_name or self.resource_id}"

    @property
    def resource(self):
        """The catalog row this match points at (one query), or None when it was deleted."""
        model = apps.get_model(RESOURCE_MODELS[self.resource_type])
        return model.objects.filter(pk=self.resource_id).first()

    @property
    def score_percent(self) -> int:
        """The score as a whole percentage for display."""
        return round(self.score * 100)

    @property
    def reason_texts(self) -> list[str]:
        """The reasons rendered in the active language (stored reasons of older versions are text)."""
        return render_reasons(self.reasons or [], gettext)
