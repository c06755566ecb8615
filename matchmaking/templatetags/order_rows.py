"""Template tags of the order lists, the inbox and the order page: their rows, built in Python (matchmaking.rows)."""

from django import template

from matchmaking import rows

register = template.Library()


@register.simple_tag
def order_rows(page, show_clock=False):
    """The rows of an order list page ("" when it has none)."""
    return rows.order_rows(page, show_clock)


@register.simple_tag
def matched_rows(page):
    """The rows of one list of the matched-orders page ("" when it has none)."""
    return rows.matched_rows(page)


@register.simple_tag
def response_rows(page):
    """The rows of a 我的响应 page ("" when it has none)."""
    return rows.response_rows(page)


@register.simple_tag(takes_context=True)
def inbox_rows(context, page):
    """The message rows of an inbox page ("" when it has none)."""
    return rows.inbox_rows(page, context.get("csrf_token"))


@register.simple_tag(takes_context=True)
def match_rows(context, matches, order):
    """The matched resources of an order page, with the invite buttons the context allows."""
    return rows.match_rows(
        matches,
        order,
        context.get("can_invite"),
        context.get("invited_org_ids"),
        context.get("csrf_token"),
    )


@register.simple_tag
def timeline_rows(events):
    """The entries of an order's timeline."""
    return rows.timeline_rows(events)


@register.simple_tag
def routed_list(routes):
    """The bodies an order was routed to, list-separated."""
    return rows.routed_list(routes)


@register.simple_tag
def invited_list(invitations):
    """The invited providers with their notes, list-separated."""
    return rows.invited_list(invitations)
