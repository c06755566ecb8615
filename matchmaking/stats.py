"""How well the platform works, measured on its own orders (issue 15 part 7): per kind and chain type, the share of
accepted responses that came from a provider in the order's top-10 matches, and the share of published orders
that got a response within 7 days. Aggregates only; the caller passes the orders the viewer may see."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from matchmaking.choices import OrderKind, ProposalState
from matchmaking.models import Match, Order, Proposal

TOP_N = 10  # "in the order's top-10 matches"
RESPONSE_DAYS = 7  # "got a response within 7 days"

# reference figures quoted by issue 15 (shown as notes beside the shares, never as targets computed here)
ANCHORS = {
    "from_top": _(
        "参考：最好的匹配平台上约 14–15% 的需求促成对接（引荐）；本平台被接受的响应中来自前 10 名匹配的比例越高，"
        "说明匹配越可用。"
    ),
    "responded": _("参考：江苏省综合金融服务平台报告 95% 以上的融资需求得到响应。"),
}


@dataclass
class QualityRow:
    """One (kind, chain type) group: accepted responses and how many came from the top matches; published orders
    and how many got a response within the window."""

    kind: str
    kind_label: str
    chain_type: str
    accepted: int = 0
    accepted_from_top: int = 0
    published: int = 0
    responded_in_time: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    @property
    def from_top_share(self) -> float | None:
        """Percentage of accepted responses whose provider was in the order's top-10 matches (None: none)."""
        return self._share(self.accepted_from_top, self.accepted)

    @property
    def responded_share(self) -> float | None:
        """Percentage of published orders with a response within 7 days of publication (None: none)."""
        return self._share(self.responded_in_time, self.published)


def match_quality(orders: QuerySet) -> list[QualityRow]:
    """Rows per (kind, chain type) plus a final total row (kind ""), over `orders`, in two aggregate queries."""
    kind_labels = dict(OrderKind.choices)
    rows: dict[tuple[str, str], QualityRow] = {}

    def row(kind, chain_type):
        key = (kind, chain_type or "")
        if key not in rows:
            rows[key] = QualityRow(kind=kind, kind_label=str(kind_labels.get(kind, kind)), chain_type=key[1])
        return rows[key]

    in_top = Match.objects.filter(
        order_id=OuterRef("order_id"), provider_org_id=OuterRef("provider_org_id"), rank__lte=TOP_N
    )
    accepted = (
        Proposal.objects.filter(order__in=orders.values("pk"), state=ProposalState.ACCEPTED)
        .annotate(from_top=Exists(in_top))
        .values("order__kind", "order__chain__chain_type__name")
        .annotate(n=Count("pk"), top=Count("pk", filter=Q(from_top=True)))
    )
    for r in accepted:
        group = row(r["order__kind"], r["order__chain__chain_type__name"])
        group.accepted, group.accepted_from_top = r["n"], r["top"]

    window = ExpressionWrapper(
        OuterRef("published_at") + timedelta(days=RESPONSE_DAYS), output_field=DateTimeField()
    )
    early = Proposal.objects.filter(order_id=OuterRef("pk"), created_at__lte=window)
    published = (
        Order.objects.filter(pk__in=orders.values("pk"), published_at__isnull=False)
        .annotate(responded=Exists(early))
        .values("kind", "chain__chain_type__name")
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(responded=True)))
    )
    for r in published:
        group = row(r["kind"], r["chain__chain_type__name"])
        group.published, group.responded_in_time = r["n"], r["ok"]

    order = {kind: i for i, kind in enumerate(kind_labels)}
    result = sorted(rows.values(), key=lambda r: (order.get(r.kind, 99), r.chain_type))
    total = QualityRow(kind="", kind_label=str(_("合计")), chain_type="")
    for r in result:
        total.accepted += r.accepted
        total.accepted_from_top += r.accepted_from_top
        total.published += r.published
        total.responded_in_time += r.responded_in_time
    return [*result, total]
