"""The reads of the workflow actions that are compiled once (`core.compiledsql`) or remembered for the request:
whether an actor may see an order, whether an organization has responded, which bodies handle a kind."""

from accounts.scoping import Scope
from chains.models import ProvincialBody
from core import compiledsql
from matchmaking.models import Order, Proposal


def visible(by, pk: int) -> bool:
    """`Order.objects.visible_to(by).filter(pk=pk).exists()`, from a query compiled once per scope and
    connection (`core.compiledsql`; the visibility depends on the scope only, as in `get_visible_or_404`)."""
    scope = Scope.for_user(by) if by is not None else None
    if scope is None:
        return Order.objects.visible_to(by).filter(pk=pk).exists()
    return bool(
        compiledsql.fetch(
            ("services visible order", scope),
            lambda marker: Order.objects.visible_to(by).filter(pk=marker).order_by().values("pk")[:1],
            pk,
        )
    )


def visible_order(by, order) -> bool:
    """`visible(by, order.pk)`, without its query when the order was just found visible in the same scope
    (`get_visible_or_404` notes it on the instance: the view's lookup of this request)."""
    scope = Scope.for_user(by) if by is not None else None
    if scope is not None and getattr(order, "visible_scope", None) == scope:
        return True
    return visible(by, order.pk)


def has_responded(order, org_id: int) -> bool:
    """Whether the organization has responded to the order. The answer is kept on the instance, so that the
    view's check and `respond`'s own cost one query (a response another request writes in between still fails
    on the unique rule, with the same error)."""
    known = order.__dict__.setdefault("responded_orgs", {})
    if org_id not in known:
        known[org_id] = Proposal.objects.filter(order=order, provider_org_id=org_id).exists()
    return known[org_id]


def handling(kind: str) -> list:
    """`ProvincialBody.objects.handling(kind)` as a list, from a query compiled once per kind and connection
    (`core.compiledsql`)."""
    return compiledsql.fetch(
        ("bodies handling", kind), lambda _none: ProvincialBody.objects.handling(kind), ()
    )


def note_responded(order, org_id: int) -> None:
    """Remember on the instance that the organization has now responded (what `has_responded` then answers)."""
    order.__dict__.setdefault("responded_orgs", {})[org_id] = True
