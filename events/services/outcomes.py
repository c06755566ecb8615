"""Meeting outcomes and the orders they advance (through matchmaking's services); reminders."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Scope
from events import workflow
from events.choices import (
    EventState,
    LogKind,
    MeetingState,
    OrderStep,
    OutcomeResult,
    RegistrationState,
    ReminderKind,
)
from events.models import (
    EventReminder,
    Meeting,
    MeetingOutcome,
    Registration,
)
from events.services.common import (
    _invalid,
    _scope,
    log,
    tell,
)
from events.services.events import (
    _transition,
)
from events.services.registrations import (
    models_q_side,
)
from events.workflow import WorkflowError
from matchmaking import services as orders
from matchmaking import workflow as order_workflow
from matchmaking.choices import OrderState, OutcomeType, ProposalState
from matchmaking.models import Order, Proposal


def record_outcome(
    meeting: Meeting,
    *,
    by,
    result: str,
    amount_yuan: int | None = None,
    note: str = "",
    advance_order: bool = False,
) -> MeetingOutcome:
    """One side records what a meeting led to (once); a scheduled meeting becomes held. With `advance_order`,
    the order the meeting was about moves one step through the order's own services: a provider responds,
    the county accepts that provider's response, or the taking body resolves the order."""
    scope = _scope(by)
    meeting = Meeting.objects.select_related(
        "event", "requester__organization", "invitee__organization", "order"
    ).get(pk=meeting.pk)
    if not (scope and scope.active and workflow.actor_may(workflow.SIDE, scope, meeting)):
        raise WorkflowError(_("只有洽谈双方可以登记结果。"), code="forbidden")
    if meeting.state not in (MeetingState.SCHEDULED, MeetingState.HELD):
        raise WorkflowError(_("洽谈排期后才能登记结果。"), code="illegal_transition")
    if meeting.state == MeetingState.SCHEDULED and meeting.starts_at > timezone.now():
        raise WorkflowError(_("洽谈尚未开始。"), code="illegal_transition")
    if result not in OutcomeResult.values:
        raise _invalid(_("请选择洽谈结果。"), result=_("请选择洽谈结果。"))
    if amount_yuan is not None and amount_yuan < 0:
        raise _invalid(_("金额无效。"), amount_yuan=_("金额无效。"))
    if advance_order and (meeting.order is None or result == OutcomeResult.NO_INTEREST):
        raise _invalid(_("只有关联需求且有合作意向的洽谈可以推进需求。"), advance_order=_("不能推进。"))
    with transaction.atomic():
        if MeetingOutcome.objects.filter(meeting=meeting, organization_id=scope.org_id).exists():
            raise _invalid(_("贵单位已登记过该洽谈的结果。"))
        if meeting.state == MeetingState.SCHEDULED:
            _transition(meeting, "hold", by, kind=LogKind.MEETING_HELD)
        step = _advance(meeting, by, scope, result, amount_yuan, note) if advance_order else ""
        outcome = MeetingOutcome.objects.create(
            meeting=meeting,
            organization_id=scope.org_id,
            result=result,
            amount_yuan=amount_yuan,
            note=note[:1000],
            order_step=step,
            recorded_by=by,
        )
        log(meeting.event, LogKind.OUTCOME, by, meeting=meeting, note=outcome.get_result_display())
        if step:
            log(
                meeting.event,
                LogKind.ORDER_MOVED,
                by,
                meeting=meeting,
                note=f"{meeting.order.title}：{OrderStep(step).label}",
            )
    return outcome


def _advance(meeting: Meeting, by, scope: Scope, result: str, amount_yuan, note: str) -> str:
    """Move the meeting's order one step through matchmaking's services, as this side may; return the step."""
    order = Order.objects.get(pk=meeting.order_id)
    other = meeting.invitee if meeting.requester.organization_id == scope.org_id else meeting.requester
    summary = note or _("对接活动“%(t)s”洽谈达成") % {"t": meeting.event.title}
    if scope.is_provider:
        orders.respond(
            order,
            by=by,
            proposal=(note or "") + _("（来自对接活动“%(t)s”的洽谈）") % {"t": meeting.event.title},
            amount_yuan=amount_yuan or None,
        )
        return OrderStep.RESPONDED
    if scope.is_county and order.county_id == scope.county_id:
        response = Proposal.objects.filter(
            order=order, provider_org_id=other.organization_id, state=ProposalState.PENDING
        ).first()
        if response is None:
            raise WorkflowError(_("对方尚未响应该需求，不能接受响应。"), code="illegal_transition")
        orders.accept_proposal(response, by=by, note=summary)
        return OrderStep.ACCEPTED
    if order.state == OrderState.DOCKING and any(
        order_workflow.actor_may(role, scope, order) for role in order_workflow.TRANSITIONS["resolve"].actors
    ):
        if result != OutcomeResult.AGREEMENT:
            raise _invalid(_("签订协议后才能办结需求。"), result=_("签订协议后才能办结需求。"))
        orders.resolve_order(
            order,
            by=by,
            outcome_type=OutcomeType.AGREEMENT,
            summary=summary,
            amount_yuan=amount_yuan,
            partner=other.organization.name,
        )
        return OrderStep.RESOLVED
    raise WorkflowError(_("您不能推进该需求。"), code="forbidden")


REMINDER_LEAD = {ReminderKind.DAY: timedelta(days=1), ReminderKind.HOUR: timedelta(hours=1)}


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind each approved participant of a published event a day and an hour before it starts (once each:
    the unique (registration, kind) row is the idempotency key). Returns how many reminders were sent."""
    now = now or timezone.now()
    sent = 0
    for kind, lead in REMINDER_LEAD.items():
        due = Registration.objects.filter(
            state=RegistrationState.APPROVED,
            event__state=EventState.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + lead,
        ).exclude(reminders__kind=kind)
        for registration in due.select_related("event"):
            with transaction.atomic():
                _reminder, created = EventReminder.objects.get_or_create(registration=registration, kind=kind)
                if not created:
                    continue
                event = registration.event
                meetings = (
                    Meeting.objects.filter(state=MeetingState.SCHEDULED)
                    .filter(models_q_side(registration))
                    .count()
                )
                when = timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")
                tell(
                    [registration.organization_id],
                    _("活动提醒：%(t)s（%(w)s 开始）") % {"t": event.title, "w": when},
                    _("贵单位已排期 %(n)s 场洽谈，请查看个人日程。") % {"n": meetings},
                )
                log(event, LogKind.REMINDED, None, note=f"{registration.organization_id}:{kind}")
                sent += 1
    return sent
