"""The orders section of a chain page (registered with chains.hooks: chains never imports matchmaking).

Shows the chain's orders the viewer may see (drafts never), open ones first, the outcomes of resolved ones as
the read policy allows, and how many firms the chain's orders served and financed.
"""

from django.db.models import Count, Q

from chains.hooks import register_chain_section
from matchmaking import policy
from matchmaking.choices import OrderState
from matchmaking.models import FINAL, Order, OrderBeneficiary

OPEN_LIMIT = 20


@register_chain_section
def chain_orders(request, chain) -> dict:
    """Open orders, resolved orders with their outcomes, and firms served/financed on this chain (nothing for
    anonymous visitors, who see no orders)."""
    if not request.user.is_authenticated:
        return None
    visible = Order.objects.visible_to(request.user).filter(chain=chain).exclude(state=OrderState.DRAFT)
    open_orders = list(
        visible.exclude(state__in=FINAL).select_related("county").order_by("-created_at")[:OPEN_LIMIT]
    )
    resolved = list(
        visible.filter(state=OrderState.RESOLVED)
        .select_related("outcome", "county")
        .order_by("-finished_at")[:10]
    )
    readers = policy.for_orders(request.user, resolved) if resolved else {}
    outcomes = [
        (order, readers[order.pk].outcome_of(order) if order.pk in readers else None) for order in resolved
    ]
    firms = OrderBeneficiary.objects.filter(order__in=visible).aggregate(
        served=Count("uscc", distinct=True, filter=~Q(uscc=""))
        + Count("enterprise", distinct=True, filter=Q(uscc="")),
        financed=Count("uscc", distinct=True, filter=~Q(uscc="") & Q(amount_financed_yuan__gt=0))
        + Count("enterprise", distinct=True, filter=Q(uscc="") & Q(amount_financed_yuan__gt=0)),
    )
    return {
        "template": "matchmaking/_chain_orders.html",
        "open_orders": open_orders,
        "outcomes": outcomes,
        "firms": firms,
        "chain": chain,
    }
