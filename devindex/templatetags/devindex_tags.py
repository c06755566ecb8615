"""Template helpers of the index: plain numbers, and the index panels the dashboards include."""

from django import template

from devindex import panels
from devindex.models import plain as plain_decimal

register = template.Library()


@register.filter
def plain(value) -> str:
    """A Decimal without trailing zeros or exponent (12.5000 → 12.5)."""
    return plain_decimal(value) if value is not None else ""


@register.inclusion_tag("devindex/_dashboard_panel.html", takes_context=True)
def devindex_dashboard_panel(context, level):
    """The index section of a dashboard: tiers and weak dimensions against orders (province), the city's
    counties (city), the county's weak dimensions with what to do (county). Empty when there is no index."""
    return panels.dashboard_panel(context["request"].user, level)
