"""Dashboard counts of 揭榜挂帅 per chain type and per county: challenges, bids, awards, funding, milestones on
time. Only challenges the viewer may see count; bids count only once their challenge's deadline has passed (sealed
until then, for everyone)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from challenges.choices import BidState, ChallengeState, ListState, MilestoneState
from challenges.models import Challenge, Milestone
from core.sums import SafeSum


@dataclass
class Row:
    """One line of the dashboard table."""

    label: str
    challenges: int = 0
    open: int = 0
    bids: int = 0
    awarded: int = 0
    funding_yuan: int = 0
    milestones_due: int = 0
    milestones_on_time: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        """Share of due milestones reported by their date and accepted."""
        return self.milestones_on_time / self.milestones_due if self.milestones_due else None


def _county_label():
    return Coalesce(F("chain__county__name"), F("list__county__name"))


def dashboard(user, now=None) -> dict:
    """Totals plus rows per chain type and per county (three queries)."""
    now = now or timezone.now()
    challenges = Challenge.objects.visible_to(user).exclude(state=ChallengeState.DRAFT)
    base = challenges.annotate(county_label=_county_label()).values("chain_type__name", "county_label")
    rows = base.annotate(
        n=Count("pk", distinct=True),
        n_open=Count("pk", filter=Q(state=ChallengeState.OPEN), distinct=True),
        n_awarded=Count("pk", filter=Q(state=ChallengeState.AWARDED), distinct=True),
        n_bids=Count(
            "bids",
            filter=Q(bid_deadline__lte=now) & ~Q(bids__state=BidState.WITHDRAWN),
            distinct=True,
        ),
    )
    funding = {
        (r["chain_type__name"], r["county_label"]): r["f"]
        for r in base.filter(state=ChallengeState.AWARDED).annotate(f=SafeSum("funding_yuan"))
    }
    today = timezone.localdate(now)
    milestones = (
        Milestone.objects.filter(project__challenge__in=challenges, due_date__lt=today)
        .annotate(
            county_label=Coalesce(
                F("project__challenge__chain__county__name"), F("project__challenge__list__county__name")
            )
        )
        .values(
            "project__challenge__chain_type__name", "county_label", "state", "first_reported_at", "due_date"
        )
    )
    by_type: dict[str, Row] = {}
    by_county: dict[str, Row] = {}
    total = Row("合计")
    for r in rows:
        key_type, key_county = r["chain_type__name"], r["county_label"] or "全省"
        for row in (
            by_type.setdefault(key_type, Row(key_type)),
            by_county.setdefault(key_county, Row(key_county)),
            total,
        ):
            row.challenges += r["n"]
            row.open += r["n_open"]
            row.awarded += r["n_awarded"]
            row.bids += r["n_bids"]
            row.funding_yuan += funding.get((key_type, r["county_label"]), 0) or 0
    for m in milestones:
        key_type, key_county = m["project__challenge__chain_type__name"], m["county_label"] or "全省"
        on_time = (
            m["state"] == MilestoneState.ACCEPTED
            and m["first_reported_at"] is not None
            and timezone.localdate(m["first_reported_at"]) <= m["due_date"]
        )
        for row in (
            by_type.setdefault(key_type, Row(key_type)),
            by_county.setdefault(key_county, Row(key_county)),
            total,
        ):
            row.milestones_due += 1
            row.milestones_on_time += int(on_time)
    return {
        "total": total,
        "by_chain_type": sorted(by_type.values(), key=lambda r: (-r.challenges, r.label)),
        "by_county": sorted(by_county.values(), key=lambda r: (-r.challenges, r.label)),
    }


def open_by_chain_type(user, chain_type_ids: Iterable[int]) -> dict[int, int]:
    """Open challenges (揭榜中) per chain type among those the user may see in the hall (published and closed
    lists), as the hall filtered by state and chain type lists them (one query)."""
    rows = (
        Challenge.objects.visible_to(user)
        .filter(
            list__state__in=(ListState.PUBLISHED, ListState.CLOSED),
            state=ChallengeState.OPEN,
            chain_type_id__in=list(chain_type_ids),
        )
        .order_by()
        .values("chain_type_id")
        .annotate(n=Count("pk"))
    )
    return {r["chain_type_id"]: r["n"] for r in rows}


def hall_url(chain_type_id: int, *, open_only: bool = True) -> str:
    """The challenge hall filtered to a chain type (and to open challenges)."""
    query = (
        {"state": ChallengeState.OPEN.value, "chain_type": chain_type_id}
        if open_only
        else {"chain_type": chain_type_id}
    )
    return f"{reverse('challenges:index')}?{urlencode(query)}"
