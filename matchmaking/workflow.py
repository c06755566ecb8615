"""The order workflow as one transition table, and the one check every state change goes through.

    action     from                                     to          who
    submit     draft, returned                          submitted   placing county
    approve    submitted                                published   administrator
    return     submitted                                returned    administrator (reason required)
    reject     submitted                                rejected    administrator (reason required)
    withdraw   draft, submitted, returned, published    withdrawn   placing county, administrator
    claim      published                                claimed     a routed provincial body that handles the kind
    dock       claimed                                  docking     placing county (by accepting a response)
    resolve    docking                                  resolved    taking body, administrator (outcome required)
    close      claimed, docking                         closed      taking body, administrator (reason required)
    expire     submitted, published                     expired     the system, after the desired date

Anything else is refused with `WorkflowError(code="illegal_transition")`.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Scope
from core.errors import ServiceError
from matchmaking.choices import OrderState


class WorkflowError(ServiceError):
    """A refused order action (see `core.errors.ServiceError` for the codes)."""


# Who may fire a transition: role names checked by `actor_may`.
COUNTY = "county"
ADMIN = "admin"
ROUTED_BODY = "routed_body"
TAKING_BODY = "taking_body"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    """One row of the transition table."""

    action: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", (OrderState.DRAFT, OrderState.RETURNED), OrderState.SUBMITTED, (COUNTY,)),
        Transition("approve", (OrderState.SUBMITTED,), OrderState.PUBLISHED, (ADMIN,)),
        Transition("return", (OrderState.SUBMITTED,), OrderState.RETURNED, (ADMIN,), needs_reason=True),
        Transition("reject", (OrderState.SUBMITTED,), OrderState.REJECTED, (ADMIN,), needs_reason=True),
        Transition(
            "withdraw",
            (OrderState.DRAFT, OrderState.SUBMITTED, OrderState.RETURNED, OrderState.PUBLISHED),
            OrderState.WITHDRAWN,
            (COUNTY, ADMIN),
        ),
        Transition("claim", (OrderState.PUBLISHED,), OrderState.CLAIMED, (ROUTED_BODY,)),
        Transition("dock", (OrderState.CLAIMED,), OrderState.DOCKING, (COUNTY, ADMIN)),
        Transition("resolve", (OrderState.DOCKING,), OrderState.RESOLVED, (TAKING_BODY, ADMIN)),
        Transition(
            "close",
            (OrderState.CLAIMED, OrderState.DOCKING),
            OrderState.CLOSED,
            (TAKING_BODY, ADMIN),
            needs_reason=True,
        ),
        Transition("expire", (OrderState.SUBMITTED, OrderState.PUBLISHED), OrderState.EXPIRED, (SYSTEM,)),
    )
}

ACTION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "approve": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回修改"),
    "reject": gettext_lazy("不予受理"),
    "withdraw": gettext_lazy("撤回"),
    "claim": gettext_lazy("接单"),
    "dock": gettext_lazy("进入对接"),
    "resolve": gettext_lazy("办结（已解决）"),
    "close": gettext_lazy("关闭（未解决）"),
    "expire": gettext_lazy("到期"),
}


def allowed_actions(state: str) -> list[str]:
    """Actions the table allows from a state (regardless of who asks)."""
    return [t.action for t in TRANSITIONS.values() if state in t.sources]


def actor_may(role: str, scope: Scope | None, order, routed: set | None = None) -> bool:
    """Whether an actor in this scope plays `role` for the order; `routed`, when given, holds the ids of the
    bodies the order is routed to (already loaded: no query)."""
    if role == SYSTEM:
        return scope is None
    if scope is None:
        return False
    if role == ADMIN:
        return scope.is_admin
    if role == COUNTY:
        return scope.is_county and scope.county_id == order.county_id
    if role == ROUTED_BODY:
        return (
            scope.is_body
            and order.kind in scope.handles
            and (
                scope.body_id in routed
                if routed is not None
                else order.routes.filter(body_id=scope.body_id).exists()
            )
        )
    if role == TAKING_BODY:
        return (
            scope.is_body
            and order.claimed_by_body_id is not None
            and scope.body_id == order.claimed_by_body_id
        )
    return False


def check(order, action: str, scope: Scope | None, reason: str = "", routed=None) -> Transition:
    """Validate a transition for an order and actor (None = the system); return the table row or raise
    (`routed` as in `actor_may`)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise WorkflowError(_("未知的操作：%(a)s") % {"a": action}, code="illegal_transition")
    if order.state not in transition.sources:
        raise WorkflowError(
            _("需求当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": order.get_state_display(), "action": ACTION_LABELS[action]},
            code="illegal_transition",
        )
    if not any(actor_may(role, scope, order, routed) for role in transition.actors):
        raise WorkflowError(
            _("您无权对该需求执行“%(action)s”。") % {"action": ACTION_LABELS[action]}, "forbidden"
        )
    if transition.needs_reason and not (reason or "").strip():
        raise WorkflowError(_("请填写原因。"), code="invalid", errors={"reason": _("请填写原因。")})
    return transition


def can(order, action: str, scope: Scope | None, routed: set | None = None) -> bool:
    """Whether `check` would pass (reasons aside): used by templates to show buttons (`routed` as in
    `actor_may`)."""
    transition = TRANSITIONS[action]
    return order.state in transition.sources and any(
        actor_may(r, scope, order, routed) for r in transition.actors
    )
