"""The 揭榜挂帅 transition tables and the one check every state change goes through.

Challenge list (榜单)
    action    from                 to          who
    submit    draft, returned      submitted   publisher (a provincial body, or the city for its county's list)
    approve   submitted            approved    administrator
    return    submitted            returned    administrator (reason required)
    publish   approved             published   publisher, administrator (its challenges open for bids)
    close     published            closed      publisher, administrator (reason required; open challenges are cancelled)

Challenge (榜)
    action    from                 to          who
    open      draft                open        the system, when its list is published
    deadline  open                 reviewing   the system, once the bid deadline has passed (bids unsealed)
    award     reviewing            awarded     publisher, administrator (one or more bids, reason required)
    no_award  reviewing            no_award    publisher, administrator (reason required)
    cancel    open, reviewing      cancelled   publisher, administrator (reason required)

Bid (揭榜方案)
    action    from                 to            who
    submit    (new)                submitted     an eligible provider, before the deadline (services.submit_bid)
    withdraw  submitted            withdrawn     the bidder, before the deadline
    award     submitted            awarded       the system, when the challenge is awarded to it
    reject    submitted            unsuccessful  the system, when the challenge is decided otherwise (reason category)

Milestone (项目里程碑)
    action    from                 to          who
    report    pending, rework      reported    the winner (evidence required)
    accept    reported             accepted    publisher, administrator
    rework    reported             rework      publisher, administrator (reason required)

Project (攻关项目)
    action    from                 to          who
    accept    active               accepted    publisher, administrator, when every milestone is accepted
                                               (final acceptance; linked orders resolved through their services)

Anything else is refused with `WorkflowError(code="illegal_transition")`; a wrong actor with `forbidden`.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Scope
from challenges.choices import BidState, ChallengeState, ListState, MilestoneState, ProjectState
from core.errors import ServiceError as WorkflowError

__all__ = ["TABLES", "WorkflowError", "can", "check"]

PUBLISHER = "publisher"
ADMIN = "admin"
BIDDER = "bidder"
WINNER = "winner"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    """One row of a transition table."""

    action: str
    sources: tuple[str, ...]
    target: str
    actors: tuple[str, ...]
    needs_reason: bool = False


def _table(*rows: Transition) -> dict[str, Transition]:
    return {t.action: t for t in rows}


TABLES: dict[str, dict[str, Transition]] = {
    "list": _table(
        Transition("submit", (ListState.DRAFT, ListState.RETURNED), ListState.SUBMITTED, (PUBLISHER,)),
        Transition("approve", (ListState.SUBMITTED,), ListState.APPROVED, (ADMIN,)),
        Transition("return", (ListState.SUBMITTED,), ListState.RETURNED, (ADMIN,), needs_reason=True),
        Transition("publish", (ListState.APPROVED,), ListState.PUBLISHED, (PUBLISHER, ADMIN)),
        Transition("close", (ListState.PUBLISHED,), ListState.CLOSED, (PUBLISHER, ADMIN), needs_reason=True),
    ),
    "challenge": _table(
        Transition("open", (ChallengeState.DRAFT,), ChallengeState.OPEN, (SYSTEM,)),
        Transition("deadline", (ChallengeState.OPEN,), ChallengeState.REVIEWING, (SYSTEM,)),
        Transition(
            "award",
            (ChallengeState.REVIEWING,),
            ChallengeState.AWARDED,
            (PUBLISHER, ADMIN),
            needs_reason=True,
        ),
        Transition(
            "no_award",
            (ChallengeState.REVIEWING,),
            ChallengeState.NO_AWARD,
            (PUBLISHER, ADMIN),
            needs_reason=True,
        ),
        Transition(
            "cancel",
            (ChallengeState.OPEN, ChallengeState.REVIEWING),
            ChallengeState.CANCELLED,
            (PUBLISHER, ADMIN),
            needs_reason=True,
        ),
    ),
    "bid": _table(
        Transition("withdraw", (BidState.SUBMITTED,), BidState.WITHDRAWN, (BIDDER,)),
        Transition("award", (BidState.SUBMITTED,), BidState.AWARDED, (SYSTEM,)),
        Transition("reject", (BidState.SUBMITTED,), BidState.UNSUCCESSFUL, (SYSTEM,)),
    ),
    "milestone": _table(
        Transition(
            "report", (MilestoneState.PENDING, MilestoneState.REWORK), MilestoneState.REPORTED, (WINNER,)
        ),
        Transition("accept", (MilestoneState.REPORTED,), MilestoneState.ACCEPTED, (PUBLISHER, ADMIN)),
        Transition(
            "rework", (MilestoneState.REPORTED,), MilestoneState.REWORK, (PUBLISHER, ADMIN), needs_reason=True
        ),
    ),
    "project": _table(
        Transition("accept", (ProjectState.ACTIVE,), ProjectState.ACCEPTED, (PUBLISHER, ADMIN)),
    ),
}

ACTION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "approve": gettext_lazy("审核通过"),
    "return": gettext_lazy("退回修改"),
    "publish": gettext_lazy("发布"),
    "close": gettext_lazy("关闭"),
    "open": gettext_lazy("开放揭榜"),
    "deadline": gettext_lazy("揭榜截止"),
    "award": gettext_lazy("挂帅"),
    "no_award": gettext_lazy("不授榜"),
    "cancel": gettext_lazy("撤榜"),
    "withdraw": gettext_lazy("撤回方案"),
    "reject": gettext_lazy("未中榜"),
    "report": gettext_lazy("报告进展"),
    "accept": gettext_lazy("验收通过"),
    "rework": gettext_lazy("要求整改"),
}


def publisher_org_id(kind: str, obj) -> int | None:
    """The organization that published the object's list."""
    if kind == "list":
        return obj.publisher_org_id
    if kind == "challenge":
        return obj.list.publisher_org_id
    if kind == "bid":
        return obj.challenge.list.publisher_org_id
    if kind == "project":
        return obj.challenge.list.publisher_org_id
    if kind == "milestone":
        return obj.project.challenge.list.publisher_org_id
    return None


def is_bidder(scope: Scope, bid) -> bool:
    """The scope acts for the bid's lead organization or a named consortium partner."""
    if not scope.org_id:
        return False
    return bid.bidder_org_id == scope.org_id or bid.partners.filter(organization_id=scope.org_id).exists()


def actor_may(role: str, scope: Scope | None, kind: str, obj) -> bool:
    """Whether an actor in this scope plays `role` for the object."""
    if role == SYSTEM:
        return scope is None
    if scope is None or not scope.active:
        return False
    if role == ADMIN:
        return scope.is_admin
    if role == PUBLISHER:
        return scope.org_id is not None and scope.org_id == publisher_org_id(kind, obj)
    if role == BIDDER:
        return is_bidder(scope, obj)
    if role == WINNER:
        return is_bidder(scope, obj.project.bid)
    return False


def check(kind: str, obj, action: str, scope: Scope | None, reason: str = "") -> Transition:
    """Validate a transition of an object (kind: list, challenge, bid, milestone, project) for an actor (None =
    the system); return the table row or raise `WorkflowError`."""
    transition = TABLES[kind].get(action)
    if transition is None:
        raise WorkflowError(_("未知的操作：%(a)s") % {"a": action}, code="illegal_transition")
    if obj.state not in transition.sources:
        raise WorkflowError(
            _("当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": obj.get_state_display(), "action": ACTION_LABELS[action]},
            code="illegal_transition",
        )
    if not any(actor_may(role, scope, kind, obj) for role in transition.actors):
        raise WorkflowError(_("您无权执行“%(action)s”。") % {"action": ACTION_LABELS[action]}, "forbidden")
    if transition.needs_reason and not (reason or "").strip():
        raise WorkflowError(_("请填写原因。"), code="invalid", errors={"reason": _("请填写原因。")})
    return transition


def can(kind: str, obj, action: str, scope: Scope | None) -> bool:
    """Whether `check` would pass (reasons aside): used by pages to show buttons."""
    transition = TABLES[kind][action]
    return obj.state in transition.sources and any(actor_may(r, scope, kind, obj) for r in transition.actors)


def bidding_open(challenge, now=None) -> bool:
    """The challenge takes bids: open and before its deadline."""
    return challenge.state == ChallengeState.OPEN and (now or timezone.now()) < challenge.bid_deadline
