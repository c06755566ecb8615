"""Reading results: the rows of the ranking page, its map, its XLSX export and the API (one shape for all)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from devindex import policy, tiers
from devindex.choices import ResultSource
from devindex.models import Dimension, DimensionScore, IndexResult


def dimensions() -> list[Dimension]:
    """The dimensions in order."""
    return list(Dimension.objects.all())


def years(user) -> list[int]:
    """Years with results the user may read, newest first."""
    qs = IndexResult.objects.visible_to(user).filter(source__in=policy.sources_for(user))
    return sorted(set(qs.values_list("year", flat=True)), reverse=True)


def pick_year(user, wanted) -> int | None:
    """The year asked for when it has results, else the latest year with results (None when none)."""
    available = years(user)
    try:
        wanted = int(wanted)
    except (TypeError, ValueError):
        wanted = None
    if wanted in available:
        return wanted
    return available[0] if available else None


def results(user, year: int | None, sources: Iterable[str] | None = None):
    """Results of a year the user may read (both sources unless narrowed), with county and dimension scores."""
    allowed = policy.sources_for(user)
    wanted = [s for s in (sources or allowed) if s in allowed]
    qs = IndexResult.objects.visible_to(user).filter(source__in=wanted)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("county__prefecture", "method_version").prefetch_related(
        Prefetch("dimension_scores", queryset=DimensionScore.objects.select_related("dimension"))
    )


def ordered(qs):
    """Ranked first (by rank), then unranked, each by the county's place in the province."""
    from django.db.models import F

    return qs.order_by(
        "year", "source", F("rank").asc(nulls_last=True), "county__prefecture__position", "county__position"
    )


def as_dict(result: IndexResult, dims: list[Dimension], tier_codes: Iterable[str]) -> dict:
    """The API shape of a result (also what pages, map and export read)."""
    scores = {s.dimension.code: s for s in result.dimension_scores.all()}
    return {
        "id": result.pk,
        "county": result.county_id,
        "county_name": result.county.name,
        "prefecture_name": result.county.prefecture.name,
        "year": result.year,
        "source": result.source,
        "total": None if result.total is None else float(result.total),
        "rank": result.rank,
        "dimensions": {
            d.code: {
                "score": None
                if scores.get(d.code) is None or scores[d.code].score is None
                else float(scores[d.code].score),
                "rank": scores[d.code].rank if d.code in scores else None,
            }
            for d in dims
        },
        "tiers": list(tier_codes),
        "coverage": result.coverage,
        "imputed": list(result.imputed or []),
        "sample": result.is_sample,
        "method_version": result.method_version.number if result.method_version else None,
        "note": result.note,
    }


@dataclass
class RankingRow:
    """One county on the ranking page: its computed result beside the published one."""

    county_id: int
    county_name: str
    prefecture_id: int
    prefecture_name: str
    computed: dict | None
    published: dict | None
    tiers: list[str]


def side_by_side(user, year: int, *, tier: str = "", prefecture_id: int | None = None) -> list[RankingRow]:
    """Every county with a result in the year, computed and published side by side, filtered by tier and
    prefecture, ordered by the computed rank (unranked last), then by the published rank."""
    dims = dimensions()
    tags = tiers.by_county(year)
    by_county: dict[int, RankingRow] = {}
    for result in results(user, year):
        county = result.county
        if prefecture_id and county.prefecture_id != prefecture_id:
            continue
        if tier and tier not in tags.get(county.pk, []):
            continue
        row = by_county.get(county.pk)
        if row is None:
            row = by_county[county.pk] = RankingRow(
                county.pk,
                county.name,
                county.prefecture_id,
                county.prefecture.name,
                None,
                None,
                tags.get(county.pk, []),
            )
        data = as_dict(result, dims, row.tiers)
        data["position"] = (county.prefecture.position, county.position)
        if result.source == ResultSource.COMPUTED:
            row.computed = data
        else:
            row.published = data

    def key(row: RankingRow):
        computed_rank = row.computed["rank"] if row.computed and row.computed["rank"] else 10_000
        published_rank = row.published["rank"] if row.published else 10_000
        position = (row.computed or row.published)["position"]
        return (computed_rank, published_rank, position)

    return sorted(by_county.values(), key=key)
