"""The dashboards' summary table: placed orders counted per cell, kept exact by `matchmaking.tally`.

A cell is (county, chain, link, kind, state) over every placed order (body empty), or over the orders one
provincial body sees: those it claimed (`routed_only` false) and those routed to it after publication that it
did not claim (`routed_only` true; whether the body sees them depends on the kinds it handles, applied when
read, so a change of a body's kinds needs no recount).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import NOTHING, Scope, ScopedQuerySet

# The counted columns, in the order `matchmaking.tally.figures()` defines them.
COUNTS = (
    "orders",
    "published",
    "claimed",
    "docked",
    "with_claim_time",
    "with_resolve_time",
    "sla_met",
    "unclaimed",
    "outcomes",
    "agreements",
)


class OrderTallyQuerySet(ScopedQuerySet):
    """Cells, filtered by the scope whose orders they count (the same rule as the orders' own)."""

    def visibility_q(self, scope: Scope) -> Q:
        """County: its own cells; city: its counties' cells; body: the cells of the orders it claimed and of
        those routed to it of the kinds it handles. Every other scope: none."""
        if scope.is_county:
            return Q(body__isnull=True, county_id=scope.county_id)
        if scope.is_city:
            return Q(body__isnull=True, county__prefecture_id=scope.prefecture_id)
        if scope.is_body:
            return Q(body_id=scope.body_id) & (Q(routed_only=False) | Q(kind__in=sorted(scope.handles)))
        return NOTHING

    def counting_for(self, user):
        """The cells that count each order the user sees exactly once: administrators read the all-orders
        cells, a body its own, everyone else the all-orders cells of their scope."""
        scope = Scope.for_user(user)
        rows = self.visible_to(user)
        return (
            rows.filter(body_id=scope.body_id)
            if scope.is_body and not scope.is_admin
            else rows.filter(body__isnull=True)
        )


class OrderTally(models.Model):
    """看板汇总单元: the counted figures of the placed orders in one cell (see the module docstring)."""

    key = models.CharField(_("单元键"), max_length=160, unique=True)
    county = models.ForeignKey(
        "chains.County", on_delete=models.CASCADE, related_name="+", verbose_name=_("县域")
    )
    chain = models.ForeignKey(
        "chains.CountyChain", on_delete=models.CASCADE, related_name="+", verbose_name=_("县域重点产业链")
    )
    link = models.ForeignKey(
        "chains.ChainLink",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("产业链环节"),
    )
    kind = models.CharField(_("需求类型"), max_length=16)
    state = models.CharField(_("状态"), max_length=16)
    body = models.ForeignKey(
        "chains.ProvincialBody",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("省级部门"),
    )
    routed_only = models.BooleanField(_("仅分派未接单"), default=False)
    orders = models.PositiveIntegerField(_("需求数"), default=0)
    published = models.PositiveIntegerField(_("已发布"), default=0)
    claimed = models.PositiveIntegerField(_("已接单"), default=0)
    docked = models.PositiveIntegerField(_("进入对接"), default=0)
    with_claim_time = models.PositiveIntegerField(_("有接单用时"), default=0)
    with_resolve_time = models.PositiveIntegerField(_("有解决用时"), default=0)
    sla_met = models.PositiveIntegerField(_("按时接单"), default=0)
    unclaimed = models.PositiveIntegerField(_("已发布未接单"), default=0)
    outcomes = models.PositiveIntegerField(_("闭环成果数"), default=0)
    agreements = models.PositiveIntegerField(_("签订协议数"), default=0)
    financed = models.DecimalField(_("融资金额（元）"), max_digits=40, decimal_places=0, default=0)

    objects = OrderTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("看板汇总单元")
        verbose_name_plural = _("看板汇总单元")
        indexes = [models.Index(fields=["body", "county"]), models.Index(fields=["chain", "link"])]

    def __str__(self):
        return self.key


class ResponseTally(models.Model):
    """看板汇总·响应: one provider's responses to the orders of one summary cell (the top-providers section)."""

    cell = models.ForeignKey(
        OrderTally, on_delete=models.CASCADE, related_name="responses", verbose_name=_("汇总单元")
    )
    provider_org = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("资源方")
    )
    responses = models.PositiveIntegerField(_("响应数"), default=0)
    accepted = models.PositiveIntegerField(_("被接受"), default=0)

    class Meta:
        verbose_name = _("看板汇总·响应")
        verbose_name_plural = _("看板汇总·响应")
        constraints = [models.UniqueConstraint(fields=["cell", "provider_org"], name="response_tally_unique")]

    def __str__(self):
        return f"{self.cell_id}:{self.provider_org_id}"
