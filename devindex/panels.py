"""The index sections the dashboards include (through `{% devindex_dashboard_panel level %}`): what each
level of dashboard shows of the index, always within the user's scope (orders via `visible_to`, index rows
through `policy`)."""

from django.db.models import Max
from django.urls import reverse

from chains.models import County
from devindex import policy, profile, resources, stats, tiers
from devindex.choices import ResultSource, Tier
from devindex.models import Dimension, IndexResult

PROVINCE, CITY, COUNTY = "province", "city", "county"


def latest_computed_year() -> int | None:
    """The latest year with computed results."""
    return IndexResult.objects.filter(source=ResultSource.COMPUTED).aggregate(y=Max("year"))["y"]


def dashboard_panel(user, level) -> dict:
    """Template context of the panel for a dashboard level (`kind`, `prefecture`, `county`)."""
    if not policy.may_see_county(user):
        return {"show": False}
    year = latest_computed_year()
    if year is None:
        return {"show": False}
    context = {"show": True, "kind": level.kind, "year": year, "tier_labels": dict(Tier.choices)}
    if level.kind == PROVINCE:
        # orders, outcomes and events per tier are the dashboards' own table (reports/index_tiers.py)
        context["needs"] = stats.by_weak_dimension(user, year)
    elif level.kind == CITY:
        context["counties"] = _city_rows(level.prefecture, year)
    elif level.kind == COUNTY:
        context.update(_county_context(user, level.county, year))
    return context


def _city_rows(prefecture, year: int) -> list[dict]:
    tags = tiers.by_county(year)
    results = (
        IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED, county__prefecture=prefecture)
        .select_related("county")
        .order_by("rank", "county__position")
    )
    return [
        {
            "county": r.county,
            "total": r.total,
            "rank": r.rank,
            "sample": r.is_sample,
            "tiers": tags.get(r.county_id, []),
            "url": reverse("devindex:county", args=[r.county_id]) + f"?year={year}",
        }
        for r in results
    ]


def _county_context(user, county: County, year: int) -> dict:
    result = (
        IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED, county=county)
        .prefetch_related("dimension_scores__dimension")
        .first()
    )
    if result is None or result.rank is None:
        return {"result": result, "weak": []}
    median, top_mean, ranked = profile.province_figures(year)
    scores = {s.dimension.code: s for s in result.dimension_scores.all()}
    views = [
        profile.DimensionView(
            code=d.code,
            name=d.name,
            score=float(scores[d.code].score)
            if d.code in scores and scores[d.code].score is not None
            else None,
            rank=scores[d.code].rank if d.code in scores else None,
            median=median.get(d.code),
            top10_mean=top_mean.get(d.code),
        )
        for d in Dimension.objects.all()
    ]
    profile.standings(views, ranked)
    chains = resources.county_chains(county)
    weak = [
        {
            "dimension": v,
            "help": resources.HELP[v.code],
            "orders_url": resources.orders_url(county, v.code),
            "order_urls": [(chain, resources.order_url(chain, v.code)) for chain in chains]
            if policy.may_place_order(user, county)
            else [],
            "offers": [o for found in resources.offers(user, county, v.code, chains).values() for o in found],
        }
        for v in views
        if v.needs_help and v.code in resources.HELP
    ]
    return {
        "result": result,
        "ranked": ranked,
        "weak": weak,
        "url": reverse("devindex:county", args=[county.pk]) + f"?year={year}",
    }
