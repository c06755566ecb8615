"""Index figures for the dashboards: where orders and outcomes go, per tier and per weak dimension, so the
province sees whether resources go where the index says they are needed. Every order count starts from
`Order.objects.visible_to(user)` (drafts excluded), like the dashboards themselves."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from chains.models import County
from core.sums import SafeSum
from devindex import ranking, resources, tiers
from devindex.choices import ResultSource, Tier
from devindex.models import DimensionScore, IndexResult
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.models import RESPONDABLE, Order

FINANCED = (OutcomeType.CREDIT, OutcomeType.EQUITY)
OTHERS = "others"


@dataclass
class GroupRow:
    """Orders and outcomes of a group of counties."""

    code: str
    label: str
    counties: int = 0
    orders: int = 0
    open: int = 0
    resolved: int = 0
    outcomes: int = 0
    financed_yuan: int = 0
    county_ids: list[int] = field(default_factory=list)

    @property
    def per_county(self) -> float | None:
        """Orders per county of the group."""
        return round(self.orders / self.counties, 1) if self.counties else None

    @property
    def resolved_share(self) -> float | None:
        """Resolved orders as a percentage of the group's orders."""
        return round(100.0 * self.resolved / self.orders, 1) if self.orders else None


KEYS = ("orders", "open", "resolved", "outcomes", "financed")


def figures_by_county_kind(user) -> dict[tuple[int, str], dict]:
    """One grouped query: per (county, kind), placed orders, open, resolved, outcomes and financed amount."""
    rows = (
        Order.objects.visible_to(user)
        .exclude(state=OrderState.DRAFT)
        .order_by()
        .values("county_id", "kind")
        .annotate(
            orders=Count("pk"),
            open=Count("pk", filter=Q(state__in=RESPONDABLE)),
            resolved=Count("pk", filter=Q(state=OrderState.RESOLVED)),
            outcomes=Count("outcome"),
            financed=SafeSum("outcome__amount_yuan", filter=Q(outcome__outcome_type__in=FINANCED)),
        )
    )
    return {(r["county_id"], r["kind"]): {k: int(r[k] or 0) for k in KEYS} for r in rows}


def per_county(figures: dict[tuple[int, str], dict], kind: str = "") -> dict[int, dict]:
    """Sum the (county, kind) figures per county, over one kind or all."""
    out: dict[int, dict] = {}
    for (county_id, row_kind), row in figures.items():
        if kind and row_kind != kind:
            continue
        into = out.setdefault(county_id, dict.fromkeys(KEYS, 0))
        for key in KEYS:
            into[key] += row[key]
    return out


def _add(row: GroupRow, figures: dict | None, county_id: int | None = None) -> None:
    row.counties += 1
    if county_id is not None:
        row.county_ids.append(county_id)
    if figures:
        row.orders += figures["orders"]
        row.open += figures["open"]
        row.resolved += figures["resolved"]
        row.outcomes += figures["outcomes"]
        row.financed_yuan += figures["financed"]


def tier_year() -> int | None:
    """The year whose tiers the dashboards use: the latest year with tier tags."""
    return tiers.latest_year()


def by_tier(user, year: int, figures: dict | None = None) -> list[GroupRow]:
    """Orders and outcomes per tier (a county in two tiers counts in both), other counties, and the province; each
    row lists its counties, so that the dashboards can add other domains' figures per tier."""
    figures = per_county(figures if figures is not None else figures_by_county_kind(user))
    tags = tiers.by_county(year)
    rows = {code: GroupRow(code, str(label)) for code, label in Tier.choices}
    others = GroupRow(OTHERS, str(_("其他县域")))
    total = GroupRow("all", str(_("全省")))
    for county_id in County.objects.values_list("pk", flat=True):
        county_figures = figures.get(county_id)
        for code in tags.get(county_id, []):
            _add(rows[code], county_figures, county_id)
        if not tags.get(county_id):
            _add(others, county_figures, county_id)
        _add(total, county_figures, county_id)
    return [*rows.values(), others, total]


@dataclass
class NeedRow:
    """For one dimension: orders of the kind that helps it, in the counties weak in it and in the others."""

    code: str
    name: str
    kind_label: str
    weak: GroupRow
    rest: GroupRow


def by_weak_dimension(user, year: int, figures: dict | None = None) -> list[NeedRow]:
    """Per dimension: counties scoring below the province median (weak) against the others, with their orders
    of the kind that addresses the dimension (see `resources.HELP`)."""
    scores: dict[str, dict[int, float]] = defaultdict(dict)
    rows = DimensionScore.objects.filter(
        result__year=year,
        result__source=ResultSource.COMPUTED,
        result__rank__isnull=False,
        score__isnull=False,
    ).values_list("dimension__code", "result__county_id", "score")
    for code, county_id, score in rows:
        scores[code][county_id] = float(score)
    figures = figures if figures is not None else figures_by_county_kind(user)
    by_kind = {kind: per_county(figures, kind) for kind in {h.kind for h in resources.HELP.values()}}
    kind_labels = dict(OrderKind.choices)
    out = []
    for dimension in ranking.dimensions():
        help_ = resources.HELP.get(dimension.code)
        values = scores.get(dimension.code)
        if not help_ or not values:
            continue
        ordered = sorted(values.values())
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        weak = GroupRow("weak", str(_("短板县域")))
        rest = GroupRow("rest", str(_("其他参与排名县域")))
        for county_id, score in values.items():
            _add(weak if score < median else rest, by_kind[help_.kind].get(county_id))
        out.append(NeedRow(dimension.code, dimension.name, str(kind_labels[help_.kind]), weak, rest))
    return out


def has_results(year: int | None) -> bool:
    """Whether computed results exist for the year."""
    return bool(year) and IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED).exists()
