"""Template helpers of the index: plain numbers, and the placeholder of the index panel on the dashboards
(filled in by static/devindex/panel.js from its own URL, so the dashboard page itself runs no extra query)."""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from devindex.models import plain as plain_decimal

register = template.Library()


@register.filter
def plain(value) -> str:
    """A Decimal without trailing zeros or exponent (12.5000 → 12.5)."""
    return plain_decimal(value) if value is not None else ""


@register.simple_tag
def devindex_dashboard_panel(level) -> str:
    """Where the dashboard shows the index section of its level (province, city or county)."""
    target = level.county if level.kind == "county" else level.prefecture if level.kind == "city" else None
    url = reverse("devindex:panel", args=[level.kind]) + (f"?id={target.pk}" if target else "")
    return format_html(
        '<div data-devindex-panel="{}"></div><script src="{}" defer></script>',
        url,
        static("devindex/panel.js"),
    )
