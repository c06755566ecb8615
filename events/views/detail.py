"""The event page and its workflow actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope, get_visible_or_404
from events import forms, policy, services, workflow
from events.choices import EventState, MeetingState, RegistrationState
from events.models import Event, Meeting, Registration
from events.views.common import REASON_ACTIONS, SIMPLE_ACTIONS, _event, _run
from matchmaking.models import RESPONDABLE, Order


@login_required
def event_detail(request, pk):
    """活动详情: content, the viewer's actions, its registration (QR), participants, its meetings."""
    event = get_visible_or_404(
        Event.objects.select_related("organizer").prefetch_related("counties", "chain_types", "chains"),
        request.user,
        pk=pk,
    )
    scope = Scope.for_user(request.user)
    read = policy.for_event(request.user, event)
    own = (
        Registration.objects.filter(event=event, organization_id=scope.org_id).first()
        if scope.org_id
        else None
    )
    participants = list(
        Registration.objects.visible_to(request.user)
        .filter(event=event, state=RegistrationState.APPROVED)
        .select_related("organization__county")
        .order_by("organization__kind", "organization__name")
    )
    meetings = list(
        Meeting.objects.visible_to(request.user)
        .filter(event=event)
        .with_list_relations()
        .order_by("slot", "table", "pk")
    )
    if read.manage and not scope.is_admin:
        meetings = [m for m in meetings if m.event.organizer_id == scope.org_id]
    outcomes = {}
    for outcome in read.outcomes([m.pk for m in meetings]).select_related("organization"):
        outcomes.setdefault(outcome.meeting_id, []).append(outcome)
    readable = policy.readable_orders(request.user, meetings)
    for m in meetings:
        m.side = m.side_of(scope.org_id)
        m.visible_outcomes = outcomes.get(m.pk, [])
        m.own_outcome = next((o for o in m.visible_outcomes if o.organization_id == scope.org_id), None)
        m.order_readable = m.order_id in readable
        m.can = {a: workflow.can(m, a, scope) for a in ("accept", "decline", "cancel")}
        m.can_outcome = bool(
            m.side
            and m.own_outcome is None
            and (
                m.state == MeetingState.HELD
                or (m.state == MeetingState.SCHEDULED and m.starts_at <= timezone.now())
            )
        )
    county_orders = _county_orders(request.user, participants)
    for r in participants:
        r.open_orders = county_orders.get(r.organization.county_id, []) if r.organization.county_id else []
    approved = own is not None and own.state == RegistrationState.APPROVED
    request_form = None
    if approved and event.has_meetings and event.state == EventState.PUBLISHED:
        request_form = forms.MeetingRequestForm(
            invitees=Registration.objects.filter(event=event, state=RegistrationState.APPROVED)
            .exclude(pk=own.pk)
            .select_related("organization"),
            orders=_orders_for_meetings(request.user, participants),
        )
    context = {
        "event": event,
        "read": read,
        "scope": scope,
        "state_note": read.state_note(event),
        "own": own,
        "own_token": read.checkin_token_of(own) if own else None,
        "participants": participants,
        "meetings": meetings,
        "can": {a: workflow.can(event, a, scope) for a in workflow.EVENT},
        "can_register": own is None
        and scope.active
        and scope.org_kind in services.PARTICIPANT_KINDS
        and scope.org_id != event.organizer_id
        and event.state == EventState.PUBLISHED
        and timezone.now() <= event.registration_deadline,
        "register_form": forms.RegisterForm(),
        "availability_form": forms.AvailabilityForm(
            event=event, initial={"unavailable_slots": [str(s) for s in own.unavailable_slots]}
        )
        if approved and event.has_meetings
        else None,
        "request_form": request_form,
        "reason_form": forms.ReasonForm(),
        "outcome_form": forms.OutcomeForm(),
    }
    return render(request, "events/event_detail.html", context)


def _orders_for_meetings(user, participants):
    """Open orders of the participating counties that the user may see (a meeting may be about one)."""
    counties = [r.organization.county_id for r in participants if r.organization.county_id]
    return (
        Order.objects.visible_to(user)
        .filter(county_id__in=counties, state__in=RESPONDABLE)
        .select_related("county")
        .order_by("county__name", "-pk")
    )


def _county_orders(user, participants) -> dict[int, list]:
    """For the participants' catalogue: each participating county's open orders the viewer may see."""
    rows = {}
    for order in _orders_for_meetings(user, participants)[:200]:
        rows.setdefault(order.county_id, []).append(order)
    return rows


@require_POST
@login_required
def event_action(request, pk, action):
    """提交审核 / 审核通过 / 发布 / 结束 (and, with a reason, 退回修改 / 取消)."""
    event = _event(request, pk)
    if action in SIMPLE_ACTIONS:
        func, success = SIMPLE_ACTIONS[action]
        _run(request, func, success, event)
    elif action in REASON_ACTIONS:
        form = forms.ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写原因。"))
        else:
            _run(request, REASON_ACTIONS[action], _("已处理。"), event, reason=form.cleaned_data["reason"])
    else:
        raise Http404
    return redirect(event)
