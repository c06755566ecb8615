"""The only functions that change events, registrations, meetings and outcomes. Each validates (via
`events.workflow`), writes its EventLog row in the same transaction and tells the parties after commit. They raise
only `WorkflowError`. An order is moved only through `matchmaking.services` (respond, accept, resolve).
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrgKind
from accounts.models import Organization, User
from accounts.scoping import Scope
from events import scheduler, workflow
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
    ACTIVE_MEETING_STATES,
    Event,
    EventInvitation,
    EventLog,
    EventReminder,
    Meeting,
    MeetingOutcome,
    Registration,
)
from events.workflow import WorkflowError

E, R, M = EventState, RegistrationState, MeetingState
# Event fields an organizer sets through create/update (the many-to-many targets are set separately).
EVENT_INPUTS = (
    "title",
    "kind",
    "order_kinds",
    "place",
    "online_url",
    "starts_at",
    "ends_at",
    "registration_deadline",
    "capacity",
    "agenda",
    "requires_approval",
    "meetings_start",
    "slot_minutes",
    "slot_count",
    "table_count",
)
EVENT_TARGETS = ("chains", "chain_types", "counties")
ORGANIZER_KINDS = (OrgKind.BODY, OrgKind.CITY, OrgKind.COUNTY, OrgKind.PROVIDER, OrgKind.PLATFORM)
PARTICIPANT_KINDS = (OrgKind.COUNTY, OrgKind.CITY, OrgKind.BODY, OrgKind.PROVIDER)


def _scope(user) -> Scope | None:
    return Scope.for_user(user) if user is not None else None


def _invalid(message, **errors) -> WorkflowError:
    return WorkflowError(message, code="invalid", errors=errors or {"__all__": message})


def log(event, kind, by=None, *, from_state="", to_state="", note="", meeting=None) -> EventLog:
    """Append one entry to the event's log; call inside the caller's transaction."""
    return EventLog.objects.create(
        event=event,
        kind=kind,
        actor=by,
        organization=getattr(by, "organization", None) if by is not None else None,
        from_state=from_state,
        to_state=to_state,
        note=(note or "")[:1000],
        meeting=meeting,
    )


def org_members(org_ids) -> list[User]:
    """Active, approved members of the given organizations."""
    return list(
        User.objects.filter(organization_id__in=list(org_ids), is_active=True, approval_state="approved")
    )


def tell(org_ids, title: str, body: str = "") -> None:
    """In-app notification (and e-mail, by the user's preference) to the members of organizations."""
    from matchmaking import notifications
    from matchmaking.choices import NotificationKind

    users = org_members(org_ids)
    if users:
        notifications.notify(users, NotificationKind.REMINDER, None, title[:200], body)


def _tell_admins(title: str) -> None:
    from matchmaking import notifications
    from matchmaking.choices import NotificationKind

    notifications.notify(notifications.admins(), NotificationKind.SUBMITTED, None, title[:200])


# --- events --------------------------------------------------------------------------------------


def _apply(event: Event, data: dict) -> list[str]:
    changed = []
    for name in EVENT_INPUTS:
        if name in data and getattr(event, name) != data[name]:
            setattr(event, name, data[name])
            changed.append(name)
    return changed


def _validate(event: Event) -> None:
    from matchmaking.choices import OrderKind

    errors = {}
    try:
        event.full_clean(exclude=["organizer", "created_by"], validate_constraints=False)
    except ValidationError as exc:
        errors.update({f: " ".join(str(m) for m in msgs) for f, msgs in exc.message_dict.items()})
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        errors["ends_at"] = _("结束时间不能早于开始时间。")
    if event.registration_deadline and event.ends_at and event.registration_deadline > event.ends_at:
        errors["registration_deadline"] = _("报名截止时间不能晚于活动结束时间。")
    if not event.place and not event.online_url:
        errors["place"] = _("请填写地点或线上链接。")
    if any(k not in OrderKind.values for k in event.order_kinds or []):
        errors["order_kinds"] = _("需求类型无效。")
    if event.slot_count or event.table_count or event.meetings_start:
        if not (event.slot_count and event.table_count and event.meetings_start):
            errors["meetings_start"] = _("洽谈开始时间、场次数和桌数须一并填写。")
        elif event.starts_at and event.ends_at:
            last_end = event.meetings_start + timedelta(minutes=event.slot_minutes * event.slot_count)
            if event.meetings_start < event.starts_at or last_end > event.ends_at:
                errors["meetings_start"] = _("洽谈场次须在活动时间之内。")
    if errors:
        raise WorkflowError(_("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors)


def _set_targets(event: Event, data: dict) -> None:
    for name in EVENT_TARGETS:
        if name in data:
            getattr(event, name).set(data[name])


def create_event(*, by, data: dict) -> Event:
    """Create a draft event organized by the user's organization (bodies, cities, counties, providers, admins)."""
    scope = _scope(by)
    if scope is None or not scope.active or scope.org_kind not in ORGANIZER_KINDS or not scope.org_id:
        raise WorkflowError(_("您所在的组织不能主办对接活动。"), code="forbidden")
    event = Event(organizer_id=scope.org_id, created_by=by, state=E.DRAFT)
    _apply(event, data)
    _validate(event)
    with transaction.atomic():
        event.save()
        _set_targets(event, data)
        log(event, LogKind.CREATED, by, to_state=E.DRAFT)
    return event


def update_event(event: Event, *, by, data: dict) -> Event:
    """Change an event's content: the organizer or an administrator, before it is finished or cancelled."""
    scope = _scope(by)
    if not (scope and (scope.is_admin or workflow.actor_may(workflow.ORGANIZER, scope, event))):
        raise WorkflowError(_("只有主办方可以修改活动。"), code="forbidden")
    if event.state in (E.FINISHED, E.CANCELLED):
        raise WorkflowError(_("已结束或已取消的活动不能修改。"), code="illegal_transition")
    changed = _apply(event, data)
    _validate(event)
    with transaction.atomic():
        event.save()
        _set_targets(event, data)
        if changed or any(n in data for n in EVENT_TARGETS):
            labels = "、".join(str(Event._meta.get_field(n).verbose_name) for n in changed)
            log(event, LogKind.EDITED, by, note=labels)
    return event


def _transition(
    obj, action: str, by, *, kind: str, reason: str = "", changes: dict | None = None, note: str = ""
):
    """Lock, check, conditionally update, log: the one way an event, registration or meeting changes state."""
    model = type(obj)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=obj.pk)
        if model is not Event:
            # the roles need the related rows (organizer of the event, organizations of the sides)
            locked = model.objects.select_related(*_RELATED[model]).get(pk=obj.pk)
        transition = workflow.check(locked, action, _scope(by), reason)
        fields = {"state": transition.target, **(changes or {})}
        if model is Event and (transition.needs_reason or reason):
            fields["state_note"] = (reason or "").strip()[:1000]
        if not model.objects.filter(pk=locked.pk, state=locked.state).update(**fields):
            raise WorkflowError(_("状态已被他人更改，请刷新后重试。"), code="illegal_transition")
        from_state = locked.state
        for name, value in fields.items():
            setattr(locked, name, value)
            setattr(obj, name, value)
        event = locked if model is Event else locked.event
        log(
            event,
            kind,
            by,
            from_state=from_state,
            to_state=transition.target,
            note=(reason or note).strip(),
            meeting=locked if model is Meeting else None,
        )
    return locked


_RELATED = {
    Registration: ("event", "organization"),
    Meeting: ("event", "requester__organization", "invitee__organization"),
}


def submit_event(event: Event, *, by) -> Event:
    """The organizer sends a draft event to the administrators for approval."""
    _validate(event)
    event = _transition(event, "submit", by, kind=LogKind.SUBMITTED, changes={"submitted_at": timezone.now()})
    transaction.on_commit(
        lambda: _tell_admins(_("新对接活动待审核：%(t)s") % {"t": event.title}), robust=True
    )
    return event


def return_event(event: Event, *, by, reason: str) -> Event:
    """An administrator sends a submitted event back to its organizer for changes."""
    event = _transition(event, "return", by, kind=LogKind.RETURNED, reason=reason)
    tell([event.organizer_id], _("对接活动被退回修改：%(t)s") % {"t": event.title}, reason)
    return event


def approve_event(event: Event, *, by, note: str = "") -> Event:
    """An administrator approves a submitted event; the organizer may then publish it."""
    event = _transition(
        event, "approve", by, kind=LogKind.APPROVED, note=note, changes={"approved_at": timezone.now()}
    )
    tell([event.organizer_id], _("对接活动已通过审核：%(t)s") % {"t": event.title}, note)
    return event


def publish_event(event: Event, *, by) -> Event:
    """The organizer (or an administrator) publishes an approved event: it opens for registration."""
    return _transition(event, "publish", by, kind=LogKind.PUBLISHED, changes={"published_at": timezone.now()})


def cancel_event(event: Event, *, by, reason: str) -> Event:
    """The organizer or an administrator cancels an event, with a reason; registered participants are told."""
    event = _transition(event, "cancel", by, kind=LogKind.CANCELLED, reason=reason)
    orgs = event.registrations.exclude(state__in=[R.CANCELLED, R.DECLINED]).values_list(
        "organization_id", flat=True
    )
    tell(set(orgs), _("对接活动已取消：%(t)s") % {"t": event.title}, reason)
    return event


def finish_event(event: Event, *, by=None, now: datetime | None = None) -> Event:
    """The organizer, an administrator or the system (after the end) marks a published event finished."""
    if by is None and event.ends_at > (now or timezone.now()):
        raise WorkflowError(_("活动尚未结束。"), code="illegal_transition")
    return _transition(event, "finish", by, kind=LogKind.FINISHED)


def finish_past_events(now: datetime | None = None) -> int:
    """The system finishes every published event whose end has passed; return how many."""
    now = now or timezone.now()
    count = 0
    for event in Event.objects.filter(state=E.PUBLISHED, ends_at__lt=now):
        try:
            finish_event(event, now=now)
        except WorkflowError:
            continue
        count += 1
    return count


# --- invitations and registrations ---------------------------------------------------------------


def _require_manager(event: Event, by) -> Scope:
    scope = _scope(by)
    if not (scope and (scope.is_admin or workflow.actor_may(workflow.ORGANIZER, scope, event))):
        raise WorkflowError(_("只有主办方可以执行此操作。"), code="forbidden")
    return scope


def invite(event: Event, *, by, organization: Organization, score=None, orders=()) -> EventInvitation:
    """The organizer invites an organization (one click from the proposed invitees); it is told at once."""
    _require_manager(event, by)
    if event.state not in (E.APPROVED, E.PUBLISHED):
        raise WorkflowError(_("活动审核通过后才能邀请参会单位。"), code="illegal_transition")
    if organization.kind not in PARTICIPANT_KINDS or not organization.is_active:
        raise _invalid(_("只能邀请已启用的县域、设区市、省级部门或资源方。"), organization=_("单位无效。"))
    if organization.pk == event.organizer_id:
        raise _invalid(_("主办方无需邀请自己。"), organization=_("单位无效。"))
    try:
        with transaction.atomic():
            invitation = EventInvitation.objects.create(
                event=event, organization=organization, invited_by=by, score=score, orders=list(orders)[:50]
            )
            log(event, LogKind.INVITED, by, note=organization.name)
    except IntegrityError as exc:
        raise _invalid(_("已邀请过该单位。")) from exc
    tell(
        [organization.pk],
        _("邀请参加对接活动：%(t)s") % {"t": event.title},
        _("%(org)s 邀请贵单位参加，活动时间 %(when)s。")
        % {
            "org": event.organizer.name,
            "when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return invitation


def register(
    event: Event,
    *,
    by,
    attendees: str = "",
    contact_phone: str = "",
    profile: str = "",
    unavailable_slots=(),
) -> Registration:
    """An organization registers for a published event before the deadline (approved at once when invited or
    when the event needs no approval)."""
    scope = _scope(by)
    if scope is None or not scope.active or scope.org_kind not in PARTICIPANT_KINDS:
        raise WorkflowError(_("您所在的组织不能报名参加对接活动。"), code="forbidden")
    if event.organizer_id == scope.org_id:
        raise WorkflowError(_("主办方无需报名。"), code="forbidden")
    if event.state != E.PUBLISHED:
        raise WorkflowError(_("活动未在报名中。"), code="illegal_transition")
    if timezone.now() > event.registration_deadline:
        raise WorkflowError(_("报名已截止。"), code="illegal_transition")
    slots = _clean_slots(event, unavailable_slots)
    invited = EventInvitation.objects.filter(event=event, organization_id=scope.org_id).exists()
    state = R.APPROVED if invited or not event.requires_approval else R.PENDING
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        taken = event.registrations.filter(state__in=[R.PENDING, R.APPROVED]).count()
        if taken >= event.capacity:
            raise WorkflowError(_("报名人数已满。"), code="illegal_transition")
        if Registration.objects.filter(event=event, organization_id=scope.org_id).exists():
            raise _invalid(_("贵单位已报名。"))
        registration = Registration.objects.create(
            event=event,
            organization_id=scope.org_id,
            registered_by=by,
            state=state,
            invited=invited,
            attendees=attendees[:200],
            contact_phone=contact_phone[:32],
            profile=profile[:2000],
            unavailable_slots=slots,
        )
        log(event, LogKind.REGISTERED, by, to_state=state, note=by.organization.name)
    if state == R.PENDING:
        tell([event.organizer_id], _("新的报名待审核：%(t)s") % {"t": event.title}, by.organization.name)
    return registration


def _clean_slots(event: Event, slots) -> list[int]:
    try:
        cleaned = sorted({int(s) for s in slots or ()})
    except (TypeError, ValueError) as exc:
        raise _invalid(_("场次无效。"), unavailable_slots=_("场次无效。")) from exc
    if any(s < 0 or s >= max(event.slot_count, 1) for s in cleaned):
        raise _invalid(_("场次无效。"), unavailable_slots=_("场次无效。"))
    return cleaned


def set_availability(registration: Registration, *, by, unavailable_slots) -> Registration:
    """A participant says which meeting slots it cannot attend (the next scheduler run respects it)."""
    scope = _scope(by)
    if not (scope and (scope.is_admin or registration.organization_id == scope.org_id)):
        raise WorkflowError(_("只能修改本单位的报名。"), code="forbidden")
    slots = _clean_slots(registration.event, unavailable_slots)
    Registration.objects.filter(pk=registration.pk).update(unavailable_slots=slots)
    registration.unavailable_slots = slots
    return registration


def approve_registration(registration: Registration, *, by, note: str = "") -> Registration:
    """The organizer approves a pending registration."""
    reg = _transition(
        registration,
        "approve",
        by,
        kind=LogKind.REGISTRATION_APPROVED,
        note=note,
        changes={"decision_note": note[:500]},
    )
    tell([reg.organization_id], _("报名已通过：%(t)s") % {"t": reg.event.title}, note)
    return reg


def decline_registration(registration: Registration, *, by, note: str = "") -> Registration:
    """The organizer declines a pending registration (with a note the organization reads)."""
    reg = _transition(
        registration,
        "decline",
        by,
        kind=LogKind.REGISTRATION_DECLINED,
        note=note,
        changes={"decision_note": note[:500]},
    )
    tell([reg.organization_id], _("报名未通过：%(t)s") % {"t": reg.event.title}, note)
    return reg


def cancel_registration(registration: Registration, *, by) -> Registration:
    """The organization (or the organizer) cancels a registration; its open meetings are cancelled with it."""
    with transaction.atomic():
        reg = _transition(registration, "cancel", by, kind=LogKind.REGISTRATION_CANCELLED)
        open_meetings = Meeting.objects.filter(
            event_id=reg.event_id, state__in=[M.REQUESTED, M.ACCEPTED, M.SCHEDULED]
        ).filter(models_q_side(reg))
        for meeting in open_meetings:
            _transition(meeting, "cancel", by, kind=LogKind.MEETING_CANCELLED, changes=_unplaced())
    return reg


def models_q_side(registration: Registration):
    """Meetings this registration is a side of."""
    from django.db.models import Q

    return Q(requester=registration) | Q(invitee=registration)


def check_in(token, *, by) -> Registration:
    """The organizer checks a participant in by the QR code of its registration (idempotent)."""
    registration = (
        Registration.objects.select_related("event", "organization").filter(checkin_token=token).first()
    )
    if registration is None:
        raise WorkflowError(_("签到码无效。"), code="forbidden")
    _require_manager(registration.event, by)
    if registration.state != R.APPROVED:
        raise WorkflowError(_("该报名未通过或已取消，不能签到。"), code="illegal_transition")
    if registration.checked_in_at:
        return registration
    with transaction.atomic():
        now = timezone.now()
        if Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True).update(
            checked_in_at=now
        ):
            registration.checked_in_at = now
            log(registration.event, LogKind.CHECKED_IN, by, note=registration.organization.name)
    return registration


# --- meetings ------------------------------------------------------------------------------------


def _own_registration(event: Event, by) -> Registration:
    scope = _scope(by)
    reg = None
    if scope and scope.active:
        reg = Registration.objects.filter(event=event, organization_id=scope.org_id, state=R.APPROVED).first()
    if reg is None:
        raise WorkflowError(_("只有已报名的参会单位可以申请洽谈。"), code="forbidden")
    return reg


def request_meeting(event: Event, *, by, invitee: Registration, order=None, message: str = "") -> Meeting:
    """An approved participant asks another for a 1:1 meeting, optionally about an order of one of the two."""
    from matchmaking.models import Order

    requester = _own_registration(event, by)
    if not event.has_meetings:
        raise WorkflowError(_("本活动未设置洽谈场次。"), code="illegal_transition")
    if event.state != E.PUBLISHED:
        raise WorkflowError(_("活动未在进行中。"), code="illegal_transition")
    if invitee.event_id != event.pk or invitee.state != R.APPROVED:
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
            to_state=M.REQUESTED,
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


def _unplaced() -> dict:
    return {"slot": None, "table": None}


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
        for m in Meeting.objects.filter(event=event, state__in=[M.ACCEPTED, M.SCHEDULED]).order_by(
            "created_at", "pk"
        )
    }
    registrations = Registration.objects.filter(event=event, state=R.APPROVED).values_list(
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
            if m.state == M.SCHEDULED and m.slot is not None and m.table is not None
        },
    )
    return problem, meetings


def schedule_event(event: Event, *, by, time_limit: float = 8.0) -> scheduler.Result:
    """The organizer runs the scheduler: accepted meetings are placed into slots and tables (CP-SAT, maximum
    number of meetings); meetings already scheduled keep their place unless it no longer fits."""
    _require_manager(event, by)
    if event.state != E.PUBLISHED:
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
                Meeting.objects.filter(pk=pk).update(state=M.ACCEPTED)
                if meeting.state == M.SCHEDULED:
                    log(
                        event,
                        LogKind.SCHEDULED,
                        by,
                        from_state=M.SCHEDULED,
                        to_state=M.ACCEPTED,
                        meeting=meeting,
                    )
            else:
                Meeting.objects.filter(pk=pk).update(state=M.SCHEDULED, slot=place[0], table=place[1])
                log(
                    event,
                    LogKind.SCHEDULED,
                    by,
                    from_state=meeting.state,
                    to_state=M.SCHEDULED,
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
    if meeting.state == M.SCHEDULED and meeting.slot is not None and meeting.table is not None:
        return (meeting.slot, meeting.table)
    return None


# --- outcomes ------------------------------------------------------------------------------------


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
    if meeting.state not in (M.SCHEDULED, M.HELD):
        raise WorkflowError(_("洽谈排期后才能登记结果。"), code="illegal_transition")
    if meeting.state == M.SCHEDULED and meeting.starts_at > timezone.now():
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
        if meeting.state == M.SCHEDULED:
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
    from matchmaking import services as orders
    from matchmaking import workflow as order_workflow
    from matchmaking.choices import OrderState, OutcomeType, ProposalState
    from matchmaking.models import Order, Proposal

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


# --- reminders -----------------------------------------------------------------------------------


REMINDER_LEAD = {ReminderKind.DAY: timedelta(days=1), ReminderKind.HOUR: timedelta(hours=1)}


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind each approved participant of a published event a day and an hour before it starts (once each:
    the unique (registration, kind) row is the idempotency key). Returns how many reminders were sent."""
    now = now or timezone.now()
    sent = 0
    for kind, lead in REMINDER_LEAD.items():
        due = Registration.objects.filter(
            state=R.APPROVED,
            event__state=E.PUBLISHED,
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
                    Meeting.objects.filter(state=M.SCHEDULED).filter(models_q_side(registration)).count()
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
