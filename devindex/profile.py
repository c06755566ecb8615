"""A county's page: its scores against the province, strengths and weaknesses (长短板), year-on-year change and
indicator values.

Strengths and weaknesses, as implemented: among the N ranked counties of the year, a dimension is
- a strength (长板) when the county's rank in it is within the top quarter (rank ≤ ⌈N/4⌉);
- a weakness (短板) when its score is below the province median of that dimension;
- otherwise average (居中).
A county with no weakness has its worst-ranked dimension marked a relative weakness (相对短板), so every
county sees where the platform can help most.
"""

import math
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from devindex import compute, policy, services, tiers
from devindex.choices import ReportState, ResultSource, Standing
from devindex.models import (
    Computation,
    Dimension,
    DimensionScore,
    IndexResult,
    Indicator,
    IndicatorValue,
)


@dataclass
class DimensionView:
    """One dimension of the county against the province."""

    code: str
    name: str
    score: float | None
    rank: int | None
    median: float | None
    top10_mean: float | None
    standing: str = Standing.AVERAGE
    previous: float | None = None

    @property
    def change(self) -> float | None:
        """Score change against the previous year."""
        if self.score is None or self.previous is None:
            return None
        return round(self.score - self.previous, 2)

    @property
    def standing_label(self) -> str:
        """The standing in words."""
        return str(Standing(self.standing).label)

    @property
    def needs_help(self) -> bool:
        """A weakness or relative weakness: the platform suggests what to do about it."""
        return self.standing in (Standing.WEAK, Standing.RELATIVE_WEAK)


@dataclass
class IndicatorView:
    """One indicator value of the county (approved values only) and its normalised score."""

    indicator: Indicator
    value: Decimal | None
    imputed: bool
    median: float | None
    score: float | None


@dataclass
class Profile:
    """Everything the county page shows."""

    county: object
    year: int
    computed: IndexResult | None
    published: IndexResult | None
    dimensions: list[DimensionView]
    ranked_count: int
    previous: IndexResult | None
    tiers: list[str] = field(default_factory=list)
    indicators: list[IndicatorView] = field(default_factory=list)
    current: bool = True

    @property
    def total_change(self) -> float | None:
        """Total score change against the previous year."""
        if (
            not (self.computed and self.previous)
            or self.computed.total is None
            or self.previous.total is None
        ):
            return None
        return float(self.computed.total - self.previous.total)

    @property
    def rank_change(self) -> int | None:
        """Rank change against the previous year (positive = moved up)."""
        if not (self.computed and self.previous) or self.computed.rank is None or self.previous.rank is None:
            return None
        return self.previous.rank - self.computed.rank

    @property
    def rank_drop(self) -> int:
        """Places lost against the previous year (0 when none)."""
        return max(0, -(self.rank_change or 0))

    @property
    def weak(self) -> list[DimensionView]:
        """Dimensions the platform should help with."""
        return [d for d in self.dimensions if d.needs_help]

    @property
    def strong(self) -> list[DimensionView]:
        """The county's strengths."""
        return [d for d in self.dimensions if d.standing == Standing.STRONG]


def province_figures(year: int) -> tuple[dict[str, float], dict[str, float], int]:
    """Per dimension code: the median over ranked counties, the mean of the top 10 by total; and N ranked."""
    rows = DimensionScore.objects.filter(
        result__year=year,
        result__source=ResultSource.COMPUTED,
        result__rank__isnull=False,
        score__isnull=False,
    ).values_list("dimension__code", "score", "result__rank", "result_id")
    scores: dict[str, list[float]] = {}
    top: dict[str, list[float]] = {}
    ranked = set()
    for code, score, rank, result_id in rows:
        scores.setdefault(code, []).append(float(score))
        ranked.add(result_id)
        if rank <= services.INDUSTRIAL_STRONG_SIZE:
            top.setdefault(code, []).append(float(score))
    median = {code: round(statistics.median(v), 2) for code, v in scores.items()}
    mean = {code: round(statistics.fmean(v), 2) for code, v in top.items()}
    return median, mean, len(ranked)


def standings(views: list[DimensionView], ranked_count: int) -> None:
    """Mark each dimension strong, average or weak (see the module docstring)."""
    cutoff = math.ceil(ranked_count / 4) if ranked_count else 0
    for view in views:
        if view.score is None or view.rank is None:
            continue
        if view.median is not None and view.score < view.median:
            view.standing = Standing.WEAK
        elif view.rank <= cutoff:
            view.standing = Standing.STRONG
    scored = [v for v in views if v.rank is not None]
    if scored and not any(v.standing == Standing.WEAK for v in scored):
        worst = max(scored, key=lambda v: (v.rank, -(v.score - (v.median or 0))))
        worst.standing = Standing.RELATIVE_WEAK


def _result(county, year, source):
    return (
        IndexResult.objects.filter(county=county, year=year, source=source)
        .select_related("method_version")
        .prefetch_related("dimension_scores__dimension")
        .first()
    )


def build(user, county, year: int) -> Profile:
    """The county's profile in a year, as the user may read it."""
    sources = policy.sources_for(user)
    computed = _result(county, year, ResultSource.COMPUTED) if ResultSource.COMPUTED in sources else None
    published = _result(county, year, ResultSource.PUBLISHED) if ResultSource.PUBLISHED in sources else None
    previous = _result(county, year - 1, ResultSource.COMPUTED) if computed else None
    median, top_mean, ranked_count = province_figures(year) if computed else ({}, {}, 0)
    mine = {s.dimension.code: s for s in computed.dimension_scores.all()} if computed else {}
    before = {s.dimension.code: s for s in previous.dimension_scores.all()} if previous else {}
    views = []
    for dimension in Dimension.objects.all():
        own = mine.get(dimension.code)
        old = before.get(dimension.code)
        views.append(
            DimensionView(
                code=dimension.code,
                name=dimension.name,
                score=None if own is None or own.score is None else float(own.score),
                rank=own.rank if own else None,
                median=median.get(dimension.code),
                top10_mean=top_mean.get(dimension.code),
                previous=None if old is None or old.score is None else float(old.score),
            )
        )
    standings(views, ranked_count)
    profile = Profile(
        county=county,
        year=year,
        computed=computed,
        published=published,
        dimensions=views,
        ranked_count=ranked_count,
        previous=previous,
        tiers=tiers.by_county(year).get(county.pk, []),
    )
    if computed:
        profile.indicators, profile.current = indicator_views(user, county, year, computed)
    return profile


def indicator_views(user, county, year: int, result: IndexResult) -> tuple[list[IndicatorView], bool]:
    """The county's approved values with the province median and the normalised score of each indicator,
    recomputed in memory with the result's method version; and whether the stored result is current."""
    done = Computation.objects.filter(year=year).select_related("method_version").first()
    version = done.method_version if done else result.method_version
    values, _sample = services.approved_inputs(year)
    own = values.get(county.pk, {})
    scores = {}
    if version is not None:
        outcome = compute.compute(values, services.method_of(version)).get(county.pk)
        scores = outcome.indicator_scores if outcome else {}
    eligible = [
        row
        for row in values.values()
        if sum(v is not None for v in row.values()) >= (version.min_coverage if version else 1)
    ]
    visible = (
        IndicatorValue.objects.visible_to(user)
        .filter(report__county=county, report__year=year, report__state=ReportState.APPROVED)
        .exists()
    )
    views = []
    for indicator in Indicator.objects.select_related("dimension"):
        known = [float(row[indicator.code]) for row in eligible if row.get(indicator.code) is not None]
        views.append(
            IndicatorView(
                indicator=indicator,
                value=own.get(indicator.code) if visible else None,
                imputed=indicator.code in (result.imputed or []),
                median=round(statistics.median(known), 4) if known else None,
                score=round(scores[indicator.code], 2) if indicator.code in scores else None,
            )
        )
    return views, services.is_current(year)
