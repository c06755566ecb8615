"""1:1 meetings: requests, decisions and the scheduler's placement."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import scheduler
from events.choices import (
    EventState,
    LogKind,
    MeetingState,
    RegistrationState,
)
from events.models import (
    ACTIVE_MEETING_STATES,
    Event,
    Meeting,
    Registration,
)
from events.services.common import _invalid, _scope, _unplaced, log, tell
from events.services.events import _transition
from events.services.registrations import _require_manager
from events.workflow import WorkflowError
from matchmaking.models import Order


def _own_registration(event: Event, by) -> Registration:
    scope = _scope(by)
    reg = None
    if scope and scope.active:
        reg = Registration.objects.filter(
            event=event, organization_id=scope.org_id, state=RegistrationState.APPROVED
        ).first()
    if reg is None:
        raise WorkflowError(_("只有已报名的参会单位可以申请洽谈。"), code="forbidden")
    return reg


def request_meeting(event: Event, *, by, invitee: Registration, order=None, message: str = "") -> Meeting:
    """An approved participant asks another for a 1:1 meeting, optionally about an order of one of the two."""
    requester = _own_registration(event, by)
    if not event.has_meetings:
        raise WorkflowError(_("本活动未设置洽谈场次。"), code="illegal_transition")
    if event.state != EventState.PUBLISHED:
        raise WorkflowError(_("活动未在进行中。"), code="illegal_transition")
    if invitee.event_id != event.pk or invitee.state != RegistrationState.APPROVED:
        raise _invalid(_("对方未报名本活动。"), invitee=_("对方未报名本活动。"))
    if invitee.pk == requester.pk:
        raise _invalid(_("不能与本单位洽谈。"), invitee=_("不能与本单位洽谈。"))
    if order is not None:
        if not Order.objects.visible_to(by).filter(pk=order.pk).exists():
            raise _invalid(_("该需求对您不可见。"), order=_("需求无效。"))
        counties = {requester.organization.county_id, invitee.organization.county_id} - {None}
        if order.county_id not in counties:
            raise _invalid(_("洽谈关联的需求须为双方之一（县域）的需求。"), order=_("需求无效。"))
    duplicate = Meeting.objects.filter(event=event, state__in=ACTIVE_MEETING_STATES, order=order).filter(
        models_q_pair(requester, invitee)
    )
    if duplicate.exists():
        raise _invalid(_("双方已有相同的洽谈申请。"))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            event=event,
            requester=requester,
            invitee=invitee,
            order=order,
            message=message[:500],
            requested_by=by,
        )
        log(
            event,
            LogKind.MEETING_REQUESTED,
            by,
            to_state=MeetingState.REQUESTED,
            meeting=meeting,
            note=invitee.organization.name,
        )
    tell(
        [invitee.organization_id],
        _("收到洽谈申请：%(t)s") % {"t": event.title},
        _("%(org)s 申请与贵单位洽谈。") % {"org": requester.organization.name},
    )
    return meeting


def models_q_pair(a: Registration, b: Registration):
    """Meetings between the two registrations, in either direction."""
    from django.db.models import Q

    return Q(requester=a, invitee=b) | Q(requester=b, invitee=a)


def accept_meeting(meeting: Meeting, *, by, note: str = "") -> Meeting:
    """The invitee accepts a meeting request; the next scheduler run places it."""
    meeting = _transition(
        meeting,
        "accept",
        by,
        kind=LogKind.MEETING_ACCEPTED,
        note=note,
        changes={"decided_at": timezone.now(), "decision_note": note[:500]},
    )
    tell([meeting.requester.organization_id], _("洽谈申请已被接受：%(t)s") % {"t": meeting.event.title}, note)
    return meeting


def decline_meeting(meeting: Meeting, *, by, note: str = "") -> Meeting:
    """The invitee declines a meeting request (with an optional note the requester reads)."""
    meeting = _transition(
        meeting,
        "decline",
        by,
        kind=LogKind.MEETING_DECLINED,
        note=note,
        changes={"decided_at": timezone.now(), "decision_note": note[:500]},
    )
    tell([meeting.requester.organization_id], _("洽谈申请已被谢绝：%(t)s") % {"t": meeting.event.title}, note)
    return meeting


def cancel_meeting(meeting: Meeting, *, by) -> Meeting:
    """Either side or the organizer cancels a meeting; its slot and table are freed."""
    meeting = _transition(meeting, "cancel", by, kind=LogKind.MEETING_CANCELLED, changes=_unplaced())
    sides = {meeting.requester.organization_id, meeting.invitee.organization_id} - {
        getattr(by, "organization_id", None)
    }
    tell(sides, _("洽谈已取消：%(t)s") % {"t": meeting.event.title})
    return meeting


def hold_meeting(meeting: Meeting, *, by) -> Meeting:
    """The organizer (live board) or a side marks a scheduled meeting as held."""
    return _transition(meeting, "hold", by, kind=LogKind.MEETING_HELD)


def scheduling_problem(event: Event) -> tuple[scheduler.Problem, dict[int, Meeting]]:
    """The scheduler's input for an event: accepted and scheduled meetings, availability, kept placements."""
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(
            event=event, state__in=[MeetingState.ACCEPTED, MeetingState.SCHEDULED]
        ).order_by("created_at", "pk")
    }
    registrations = Registration.objects.filter(event=event, state=RegistrationState.APPROVED).values_list(
        "pk", "unavailable_slots"
    )
    problem = scheduler.Problem(
        slots=event.slot_count,
        tables=event.table_count,
        requests=[scheduler.Request(m.pk, m.requester_id, m.invitee_id) for m in meetings.values()],
        unavailable={pk: set(slots or ()) for pk, slots in registrations},
        fixed={
            m.pk: (m.slot, m.table)
            for m in meetings.values()
            if m.state == MeetingState.SCHEDULED and m.slot is not None and m.table is not None
        },
    )
    return problem, meetings


def schedule_event(event: Event, *, by, time_limit: float = 8.0) -> scheduler.Result:
    """The organizer runs the scheduler: accepted meetings are placed into slots and tables (CP-SAT, maximum
    number of meetings); meetings already scheduled keep their place unless it no longer fits."""
    _require_manager(event, by)
    if event.state != EventState.PUBLISHED:
        raise WorkflowError(_("只有已发布的活动可以排期。"), code="illegal_transition")
    if not event.has_meetings:
        raise WorkflowError(_("本活动未设置洽谈场次。"), code="illegal_transition")
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        problem, meetings = scheduling_problem(event)
        result = scheduler.solve(problem, time_limit=time_limit)
        errors = scheduler.check(problem, result.placements)
        if errors:  # never write an invalid schedule
            raise WorkflowError(_("排期结果无效：%(e)s") % {"e": errors[0]}, code="invalid")
        changed = [pk for pk, m in meetings.items() if result.placements.get(pk) != _place(m)]
        # free every seat that changes first (the table-per-slot constraint holds at every statement)
        Meeting.objects.filter(pk__in=changed).update(slot=None, table=None)
        told = set()
        for pk in changed:
            meeting = meetings[pk]
            place = result.placements.get(pk)
            if place is None:
                Meeting.objects.filter(pk=pk).update(state=MeetingState.ACCEPTED)
                if meeting.state == MeetingState.SCHEDULED:
                    log(
                        event,
                        LogKind.SCHEDULED,
                        by,
                        from_state=MeetingState.SCHEDULED,
                        to_state=MeetingState.ACCEPTED,
                        meeting=meeting,
                    )
            else:
                Meeting.objects.filter(pk=pk).update(
                    state=MeetingState.SCHEDULED, slot=place[0], table=place[1]
                )
                log(
                    event,
                    LogKind.SCHEDULED,
                    by,
                    from_state=meeting.state,
                    to_state=MeetingState.SCHEDULED,
                    meeting=meeting,
                    note=_("第 %(s)s 场，%(t)s 号桌") % {"s": place[0] + 1, "t": place[1] + 1},
                )
            told.update({meeting.requester_id, meeting.invitee_id})
        now = timezone.now()
        Event.objects.filter(pk=event.pk).update(scheduled_at=now)
        event.scheduled_at = now
        log(
            event,
            LogKind.SCHEDULED,
            by,
            note=_("排定 %(n)s 场洽谈（上界 %(b)s，首次适配 %(g)s），保留 %(k)s 场，调整 %(m)s 场")
            % {
                "n": result.meetings,
                "b": result.bound,
                "g": result.greedy_meetings,
                "k": result.kept,
                "m": result.moved,
            },
        )
        orgs = Registration.objects.filter(pk__in=told).values_list("organization_id", flat=True)
        tell(set(orgs), _("洽谈日程已更新：%(t)s") % {"t": event.title})
    return result


def _place(meeting: Meeting):
    if meeting.state == MeetingState.SCHEDULED and meeting.slot is not None and meeting.table is not None:
        return (meeting.slot, meeting.table)
    return None
