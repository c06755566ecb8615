"""The workflows of events, registrations and meetings as transition tables, and the one check they go through.

Events
    action    from                                      to          who
    submit    draft                                     submitted   organizer
    return    submitted                                 draft       administrator (reason required)
    approve   submitted                                 approved    administrator
    publish   approved                                  published   organizer, administrator
    cancel    draft, submitted, approved, published     cancelled   organizer, administrator (reason required)
    finish    published                                 finished    organizer, administrator, the system (after the end)

Registrations (created `pending`, or `approved` when the event needs no approval or the organization was invited)
    approve   pending                                   approved    organizer, administrator
    decline   pending                                   declined    organizer, administrator
    cancel    pending, approved                         cancelled   the registered organization, organizer, administrator

Meetings (created `requested` by an approved participant, towards another approved participant)
    accept    requested                                 accepted    invitee
    decline   requested                                 declined    invitee
    cancel    requested, accepted, scheduled            cancelled   either side, organizer, administrator
    schedule  accepted                                  scheduled   organizer, administrator (the scheduler)
    unplace   scheduled                                 accepted    organizer, administrator (the scheduler)
    hold      scheduled                                 held        organizer, administrator (live board), either side (outcome)

Anything else is refused with `WorkflowError(code="illegal_transition")` (state) or `"forbidden"` (actor).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import Scope
from core.errors import ServiceError
from events.choices import EventState, MeetingState, RegistrationState


class WorkflowError(ServiceError):
    """What event services raise (codes as in `core.errors.ServiceError`)."""


ORGANIZER = "organizer"
ADMIN = "admin"
SYSTEM = "system"
OWNER = "owner"  # the registered organization
REQUESTER = "requester"
INVITEE = "invitee"
SIDE = "side"  # either side of a meeting


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


EVENT = _table(
    Transition("submit", (EventState.DRAFT,), EventState.SUBMITTED, (ORGANIZER,)),
    Transition("return", (EventState.SUBMITTED,), EventState.DRAFT, (ADMIN,), needs_reason=True),
    Transition("approve", (EventState.SUBMITTED,), EventState.APPROVED, (ADMIN,)),
    Transition("publish", (EventState.APPROVED,), EventState.PUBLISHED, (ORGANIZER, ADMIN)),
    Transition(
        "cancel",
        (EventState.DRAFT, EventState.SUBMITTED, EventState.APPROVED, EventState.PUBLISHED),
        EventState.CANCELLED,
        (ORGANIZER, ADMIN),
        needs_reason=True,
    ),
    Transition("finish", (EventState.PUBLISHED,), EventState.FINISHED, (ORGANIZER, ADMIN, SYSTEM)),
)
REGISTRATION = _table(
    Transition("approve", (RegistrationState.PENDING,), RegistrationState.APPROVED, (ORGANIZER, ADMIN)),
    Transition("decline", (RegistrationState.PENDING,), RegistrationState.DECLINED, (ORGANIZER, ADMIN)),
    Transition(
        "cancel",
        (RegistrationState.PENDING, RegistrationState.APPROVED),
        RegistrationState.CANCELLED,
        (OWNER, ORGANIZER, ADMIN),
    ),
)
MEETING = _table(
    Transition("accept", (MeetingState.REQUESTED,), MeetingState.ACCEPTED, (INVITEE,)),
    Transition("decline", (MeetingState.REQUESTED,), MeetingState.DECLINED, (INVITEE,)),
    Transition(
        "cancel",
        (MeetingState.REQUESTED, MeetingState.ACCEPTED, MeetingState.SCHEDULED),
        MeetingState.CANCELLED,
        (SIDE, ORGANIZER, ADMIN),
    ),
    Transition("schedule", (MeetingState.ACCEPTED,), MeetingState.SCHEDULED, (ORGANIZER, ADMIN)),
    Transition("unplace", (MeetingState.SCHEDULED,), MeetingState.ACCEPTED, (ORGANIZER, ADMIN)),
    Transition("hold", (MeetingState.SCHEDULED,), MeetingState.HELD, (ORGANIZER, ADMIN, SIDE)),
)
TABLES = {"event": EVENT, "registration": REGISTRATION, "meeting": MEETING}

ACTION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "return": gettext_lazy("退回修改"),
    "approve": gettext_lazy("审核通过"),
    "publish": gettext_lazy("发布"),
    "cancel": gettext_lazy("取消"),
    "finish": gettext_lazy("结束活动"),
    "decline": gettext_lazy("谢绝"),
    "accept": gettext_lazy("接受"),
    "schedule": gettext_lazy("排期"),
    "unplace": gettext_lazy("撤销排期"),
    "hold": gettext_lazy("标记已洽谈"),
}


def _event_of(obj):
    return obj if TABLE_OF.get(type(obj).__name__) == "event" else obj.event


TABLE_OF = {"Event": "event", "Registration": "registration", "Meeting": "meeting"}


def actor_may(role: str, scope: Scope | None, obj) -> bool:
    """Whether an actor in this scope plays `role` for an event, a registration or a meeting."""
    if role == SYSTEM:
        return scope is None
    if scope is None or not scope.active:
        return False
    if role == ADMIN:
        return scope.is_admin
    if role == ORGANIZER:
        return scope.org_id is not None and _event_of(obj).organizer_id == scope.org_id
    if role == OWNER:
        return obj.organization_id == scope.org_id
    if role == REQUESTER:
        return obj.requester.organization_id == scope.org_id
    if role == INVITEE:
        return obj.invitee.organization_id == scope.org_id
    if role == SIDE:
        return scope.org_id in (obj.requester.organization_id, obj.invitee.organization_id)
    return False


def check(obj, action: str, scope: Scope | None, reason: str = "") -> Transition:
    """Validate a transition of an event, registration or meeting for an actor (None = the system)."""
    table = TABLES[TABLE_OF[type(obj).__name__]]
    transition = table.get(action)
    if transition is None:
        raise WorkflowError(_("未知的操作：%(a)s") % {"a": action}, code="illegal_transition")
    if obj.state not in transition.sources:
        raise WorkflowError(
            _("当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": obj.get_state_display(), "action": ACTION_LABELS[action]},
            code="illegal_transition",
        )
    if not any(actor_may(role, scope, obj) for role in transition.actors):
        raise WorkflowError(_("您无权执行“%(action)s”。") % {"action": ACTION_LABELS[action]}, "forbidden")
    if transition.needs_reason and not (reason or "").strip():
        raise WorkflowError(_("请填写原因。"), code="invalid", errors={"reason": _("请填写原因。")})
    return transition


def can(obj, action: str, scope: Scope | None) -> bool:
    """Whether `check` would pass (reasons aside): used by pages to show buttons."""
    transition = TABLES[TABLE_OF[type(obj).__name__]][action]
    return obj.state in transition.sources and any(actor_may(r, scope, obj) for r in transition.actors)


def may_any(obj, action: str, scope: Scope | None) -> bool:
    """Whether this actor may ever fire the action on the object (state aside): API 403 versus 409."""
    transition = TABLES[TABLE_OF[type(obj).__name__]][action]
    return any(actor_may(r, scope, obj) for r in transition.actors)
