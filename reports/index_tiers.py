"""Resources per development-index tier on the province dashboard: orders and outcomes (`devindex.stats`, over
the orders the user may see) beside docking events, held meetings and agreements (`events.stats`, over the
events the user may see), per tier, for the other counties and for the province, so the province sees whether
resources go where the index says they are needed. The one place that reads both domains; neither imports the
other."""

from dataclasses import dataclass

from devindex import panels, policy
from devindex import stats as index_stats
from devindex.choices import Tier
from events import stats as event_stats


@dataclass
class TierRow:
    """One tier: its orders and outcomes, and its events (an event reaching several of its counties counts once)."""

    code: str
    label: str
    is_tier: bool
    orders: index_stats.GroupRow
    events: event_stats.Row


def may_see(user) -> bool:
    """Who sees the table: those who see the province dashboard's index section."""
    return policy.may_see_county(user) and policy.may_see_dashboard(user, panels.PROVINCE)


def tier_table(user) -> dict:
    """The year whose tiers are used (the latest with computed results) and one row per tier, other counties and
    the province; empty when no year has results."""
    year = panels.latest_computed_year()
    if year is None:
        return {"year": None, "rows": []}
    by_county = event_stats.by_county_id(user)
    tier_codes = set(Tier.values)
    rows = [
        TierRow(
            code=group.code,
            label=group.label,
            is_tier=group.code in tier_codes,
            orders=group,
            events=event_stats.combine(by_county, group.county_ids),
        )
        for group in index_stats.by_tier(user, year)
    ]
    return {"year": year, "rows": rows}
