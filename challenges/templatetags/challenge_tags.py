"""Template filters of the 揭榜挂帅 pages."""

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in yuan with thousands separators (3000000 → 3,000,000)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
