"""Events: create, edit and move them through their workflow."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import workflow
from events.choices import (
    EventState,
    LogKind,
    RegistrationState,
)
from events.models import (
    Event,
    Meeting,
    Registration,
)
from events.services.common import (
    EVENT_INPUTS,
    EVENT_TARGETS,
    ORGANIZER_KINDS,
    _scope,
    _tell_admins,
    log,
    tell,
)
from events.workflow import WorkflowError
from matchmaking.choices import OrderKind


def _apply(event: Event, data: dict) -> list[str]:
    changed = []
    for name in EVENT_INPUTS:
        if name in data and getattr(event, name) != data[name]:
            setattr(event, name, data[name])
            changed.append(name)
    return changed


def _validate(event: Event) -> None:
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
    event = Event(organizer_id=scope.org_id, created_by=by, state=EventState.DRAFT)
    _apply(event, data)
    _validate(event)
    with transaction.atomic():
        event.save()
        _set_targets(event, data)
        log(event, LogKind.CREATED, by, to_state=EventState.DRAFT)
    return event


def update_event(event: Event, *, by, data: dict) -> Event:
    """Change an event's content: the organizer or an administrator, before it is finished or cancelled."""
    scope = _scope(by)
    if not (scope and (scope.is_admin or workflow.actor_may(workflow.ORGANIZER, scope, event))):
        raise WorkflowError(_("只有主办方可以修改活动。"), code="forbidden")
    if event.state in (EventState.FINISHED, EventState.CANCELLED):
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
    orgs = event.registrations.exclude(
        state__in=[RegistrationState.CANCELLED, RegistrationState.DECLINED]
    ).values_list("organization_id", flat=True)
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
    for event in Event.objects.filter(state=EventState.PUBLISHED, ends_at__lt=now):
        try:
            finish_event(event, now=now)
        except WorkflowError:
            continue
        count += 1
    return count
