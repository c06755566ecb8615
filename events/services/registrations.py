"""Invitations, registrations, availability and check-in."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.scoping import Scope
from events import workflow
from events.choices import (
    EventState,
    LogKind,
    MeetingState,
    RegistrationState,
)
from events.models import (
    Event,
    EventInvitation,
    Meeting,
    Registration,
)
from events.services.common import (
    PARTICIPANT_KINDS,
    _invalid,
    _scope,
    _unplaced,
    log,
    tell,
)
from events.services.events import _transition
from events.workflow import WorkflowError


def _require_manager(event: Event, by) -> Scope:
    scope = _scope(by)
    if not (scope and (scope.is_admin or workflow.actor_may(workflow.ORGANIZER, scope, event))):
        raise WorkflowError(_("只有主办方可以执行此操作。"), code="forbidden")
    return scope


def invite(event: Event, *, by, organization: Organization, score=None, orders=()) -> EventInvitation:
    """The organizer invites an organization (one click from the proposed invitees); it is told at once."""
    _require_manager(event, by)
    if event.state not in (EventState.APPROVED, EventState.PUBLISHED):
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
    if event.state != EventState.PUBLISHED:
        raise WorkflowError(_("活动未在报名中。"), code="illegal_transition")
    if timezone.now() > event.registration_deadline:
        raise WorkflowError(_("报名已截止。"), code="illegal_transition")
    slots = _clean_slots(event, unavailable_slots)
    invited = EventInvitation.objects.filter(event=event, organization_id=scope.org_id).exists()
    state = (
        RegistrationState.APPROVED if invited or not event.requires_approval else RegistrationState.PENDING
    )
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()
        taken = event.registrations.filter(
            state__in=[RegistrationState.PENDING, RegistrationState.APPROVED]
        ).count()
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
    if state == RegistrationState.PENDING:
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
            event_id=reg.event_id,
            state__in=[MeetingState.REQUESTED, MeetingState.ACCEPTED, MeetingState.SCHEDULED],
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
    if registration.state != RegistrationState.APPROVED:
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
