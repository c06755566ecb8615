"""County tiers (工业强县, 产业特色县, 试点县) as tags per year, and their registration as county groups that
order lists and dashboards filter by (see `chains.groups`)."""

from collections import defaultdict

from django.db.models import Max

from chains import groups
from devindex.choices import Tier
from devindex.models import CountyTier


def latest_year(tier: str | None = None) -> int | None:
    """The latest year that has tier tags (of one tier, if given)."""
    tags = CountyTier.objects.all() if tier is None else CountyTier.objects.filter(tier=tier)
    return tags.aggregate(y=Max("year"))["y"]


def counties_of(tier: str, year: int | None = None) -> set[int]:
    """Ids of the counties holding a tier in a year (default: the tier's latest year)."""
    year = year or latest_year(tier)
    if year is None:
        return set()
    return set(CountyTier.objects.filter(tier=tier, year=year).values_list("county_id", flat=True))


def by_county(year: int) -> dict[int, list[str]]:
    """Tier codes of each county in a year (for each tier, its latest year up to `year` if the year itself
    has none: 产业特色县 named in 2025 stay tags until a later list replaces them). One query."""
    rows = list(CountyTier.objects.filter(year__lte=year).values_list("county_id", "tier", "year"))
    latest: dict[str, int] = {}
    for _county, tier, tag_year in rows:
        latest[tier] = max(latest.get(tier, tag_year), tag_year)
    out: dict[int, list[str]] = defaultdict(list)
    order = list(Tier.values)
    for county_id, tier, tag_year in rows:
        if latest[tier] == tag_year:
            out[county_id].append(tier)
    for codes in out.values():
        codes.sort(key=order.index)
    return dict(out)


def register_county_groups() -> None:
    """Offer each tier (its latest year) as a county group filter."""
    for code, label in Tier.choices:
        groups.register(code, label, lambda code=code: counties_of(code))
