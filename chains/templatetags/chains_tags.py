"""Template tags of the chain registry: the navigation entries a user may open."""

from django import template

from chains import policy
from chains.scoping import scope_of

register = template.Library()


@register.inclusion_tag("chains/_nav.html", takes_context=True)
def chains_nav(context):
    """重点产业链 (government tiers) and 白名单 (approved users) in the navigation bar.

    The pages use `{% nav_items %}` (matchmaking/templatetags/page_nav.py) instead; kept as the reference that
    tests/matchmaking/test_page_nav.py compares it with.
    """
    user = context.get("user")
    scope = scope_of(user)
    government = bool(
        scope is not None
        and scope.active
        and (scope.is_admin or scope.is_county or scope.is_city or scope.is_body)
    )
    return {"registry": government, "white_list": policy.may_see_white_list(user)}
