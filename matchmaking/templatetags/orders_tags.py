"""Template tags of the order pages: the role's navigation entries with the unread-message count."""

from django import template

from accounts.scoping import Scope
from core.formats import format_amount, format_days
from matchmaking.fieldblock import render_field
from matchmaking.unread import unread_count

register = template.Library()


@register.inclusion_tag("matchmaking/_nav.html", takes_context=True)
def orders_nav(context):
    """Navigation entries for the user's role and the number of unread messages (cached, matchmaking.unread).

    The pages use `{% nav_items %}` (matchmaking/templatetags/page_nav.py) instead; kept as the reference that
    tests/matchmaking/test_page_nav.py compares it with.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    scope = Scope.for_user(user)
    unread = unread_count(user)
    return {"show": True, "scope": scope, "unread": unread}


@register.filter
def wan(value):
    """An amount in yuan: 元 below 1 万, else 万元 (5000000 → "500 万元", 1 → "1 元"); core.formats."""
    return format_amount(value)


@register.filter
def duration_days(value):
    """A duration in days: hours under a day ("5.5 小时"), else days ("3.2 天"); core.formats."""
    return format_days(value)


STATE_COLOURS = {
    "draft": "secondary",
    "submitted": "info",
    "published": "primary",
    "returned": "warning",
    "rejected": "danger",
    "claimed": "primary",
    "docking": "primary",
    "resolved": "success",
    "closed": "dark",
    "withdrawn": "secondary",
    "expired": "secondary",
}


@register.filter
def state_css(state):
    """Bootstrap colour name of an order state's badge."""
    return STATE_COLOURS.get(state, "secondary")


@register.simple_tag
def field_block(bound):
    """A form field with its label, help and errors: `matchmaking/_field.html` built in Python."""
    return render_field(bound)
