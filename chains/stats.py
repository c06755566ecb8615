"""Counts of the chain registry for dashboards: chains in force and confirmed, per county or prefecture."""

from django.db.models import Count

from chains.choices import ORDERABLE_STATUSES, PENDING_STATUSES, ChainStatus
from chains.models import County, CountyChain


def chain_tally(*, county_id: int | None = None, prefecture_id: int | None = None) -> dict[str, int]:
    """重点产业链 n 条（已认定 m 条）: chains in force (declared, reviewed, confirmed), confirmed and pending ones,
    how many counties of the area may place orders and how many have no confirmed chain (two queries)."""
    chains = CountyChain.objects.order_by()
    counties = County.objects.order_by()
    if county_id is not None:
        chains = chains.filter(county_id=county_id)
        counties = counties.filter(pk=county_id)
    elif prefecture_id is not None:
        chains = chains.filter(county__prefecture_id=prefecture_id)
        counties = counties.filter(prefecture_id=prefecture_id)
    tally = {"in_force": 0, "confirmed": 0, "pending": 0}
    confirmed_counties, orderable_counties = set(), set()
    for county, status, n in chains.values_list("county_id", "status").annotate(n=Count("pk")):
        if status in ORDERABLE_STATUSES:
            tally["in_force"] += n
            orderable_counties.add(county)
        if status == ChainStatus.CONFIRMED:
            tally["confirmed"] += n
            confirmed_counties.add(county)
        if status in PENDING_STATUSES:
            tally["pending"] += n
    area = set(counties.values_list("pk", flat=True))
    tally["uncovered_counties"] = len(area - confirmed_counties)
    tally["orderable_counties"] = len(area & orderable_counties)
    return tally
