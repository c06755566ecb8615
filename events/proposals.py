"""Invitees proposed from matching: the providers most relevant to the open orders an event targets.

For an event the open orders (published, claimed, docking) of its target counties, chains, chain types and order
kinds that the organizer may see are gathered; the matching engine's ranked results for those orders (the
`Match` rows `matchmaking` keeps current for every order) are grouped by the registered provider organization
they stand for. A provider ranks by the sum of its scores over the orders it would serve (relevance to many
orders counts), then by its best score; each comes with its reasons (from its best matches) and the orders.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from matchmaking.models import RESPONDABLE, Match, Order


@dataclass
class Proposal:
    """One proposed invitee."""

    organization_id: int
    organization_name: str
    score: float = 0.0
    best: float = 0.0
    reasons: list[str] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    invited: bool = False
    registered: bool = False


def target_orders(event, user):
    """The open orders the event targets, among those the user (the organizer) may see."""
    orders = Order.objects.visible_to(user).filter(state__in=RESPONDABLE)
    counties = list(event.counties.values_list("pk", flat=True))
    chains = list(event.chains.values_list("pk", flat=True))
    chain_types = list(event.chain_types.values_list("pk", flat=True))
    if counties:
        orders = orders.filter(county_id__in=counties)
    if chains and chain_types:
        from django.db.models import Q

        orders = orders.filter(Q(chain_id__in=chains) | Q(chain__chain_type_id__in=chain_types))
    elif chains:
        orders = orders.filter(chain_id__in=chains)
    elif chain_types:
        orders = orders.filter(chain__chain_type_id__in=chain_types)
    if event.order_kinds:
        orders = orders.filter(kind__in=event.order_kinds)
    return orders


def propose(
    event, user, limit: int = 30, reasons_per_provider: int = 3, orders_per_provider: int = 10
) -> list[Proposal]:
    """The providers most relevant to the event's target orders, best first (three queries)."""
    orders = target_orders(event, user)
    matches = (
        Match.objects.filter(order__in=orders, provider_org__isnull=False, provider_org__is_active=True)
        .exclude(provider_org_id=event.organizer_id)
        .select_related("provider_org", "order")
        .order_by("-score", "pk")
    )
    by_org: dict[int, Proposal] = {}
    seen_orders = defaultdict(set)
    for match in matches:
        org = match.provider_org
        proposal = by_org.get(org.pk)
        if proposal is None:
            proposal = by_org[org.pk] = Proposal(org.pk, org.name)
        if match.order_id in seen_orders[org.pk]:
            continue
        seen_orders[org.pk].add(match.order_id)
        proposal.score += match.score
        proposal.best = max(proposal.best, match.score)
        for text in match.reason_texts:
            if text not in proposal.reasons and len(proposal.reasons) < reasons_per_provider:
                proposal.reasons.append(text)
        if len(proposal.orders) < orders_per_provider:
            proposal.orders.append(
                {"id": match.order_id, "title": match.order.title, "score": round(match.score, 3)}
            )
    ranked = sorted(by_org.values(), key=lambda p: (-p.score, -p.best, p.organization_id))[:limit]
    invited = set(event.invitations.values_list("organization_id", flat=True))
    registered = set(event.registrations.values_list("organization_id", flat=True))
    for proposal in ranked:
        proposal.score = round(proposal.score, 3)
        proposal.best = round(proposal.best, 3)
        proposal.invited = proposal.organization_id in invited
        proposal.registered = proposal.organization_id in registered
    return ranked
