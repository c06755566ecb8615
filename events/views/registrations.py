"""Invitations, registrations, availability, the manage page and scheduling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.scoping import get_visible_or_404
from core.errors import ServiceError
from events import forms, proposals, services
from events.choices import MeetingState
from events.models import Meeting, Registration
from events.views.common import (
    _event,
    _managed,
    _run,
)


@login_required
def invitees(request, pk):
    """拟邀请单位: providers proposed from matching (reasons, orders), invited with one click."""
    event, _read = _managed(request, pk)
    if request.method == "POST":
        org = Organization.objects.filter(pk=request.POST.get("organization"), is_active=True).first()
        if org is None:
            raise Http404
        proposal = next(
            (p for p in proposals.propose(event, request.user) if p.organization_id == org.pk), None
        )
        _run(
            request,
            services.invite,
            _("已邀请 %(org)s。") % {"org": org.name},
            event,
            organization=org,
            score=proposal.best if proposal else None,
            orders=[o["id"] for o in proposal.orders] if proposal else [],
        )
        return redirect("events:invitees", pk=event.pk)
    rows = proposals.propose(event, request.user)
    open_orders = proposals.target_orders(event, request.user).count()
    return render(
        request,
        "events/invitees.html",
        {
            "event": event,
            "proposals": rows,
            "open_orders": open_orders,
            "invitations": event.invitations.select_related("organization"),
        },
    )


@require_POST
@login_required
def register(request, pk):
    """报名参会."""
    event = _event(request, pk)
    form = forms.RegisterForm(request.POST)
    if form.is_valid():
        _run(request, services.register, _("报名成功。"), event, **form.cleaned_data)
    return redirect(event)


@require_POST
@login_required
def availability(request, pk):
    """不能参加的洽谈场次."""
    event = _event(request, pk)
    own = Registration.objects.filter(event=event, organization_id=request.user.organization_id).first()
    if own is None:
        raise Http404
    form = forms.AvailabilityForm(request.POST, event=event)
    if form.is_valid():
        _run(
            request,
            services.set_availability,
            _("已保存，下次排期时生效。"),
            own,
            unavailable_slots=form.cleaned_data["unavailable_slots"],
        )
    return redirect(event)


@require_POST
@login_required
def registration_action(request, pk, action):
    """通过 / 不通过 / 取消报名."""
    registration = get_visible_or_404(
        Registration.objects.select_related("event", "organization"), request.user, pk=pk
    )
    funcs = {
        "approve": (services.approve_registration, _("报名已通过。")),
        "decline": (services.decline_registration, _("报名未通过。")),
        "cancel": (services.cancel_registration, _("报名已取消。")),
    }
    if action not in funcs:
        raise Http404
    func, success = funcs[action]
    kwargs = {"note": request.POST.get("note", "")[:500]} if action != "cancel" else {}
    _run(request, func, success, registration, **kwargs)
    target = request.POST.get("next")
    if target == "manage":
        return redirect("events:manage", pk=registration.event_id)
    return redirect(registration.event)


@login_required
def manage(request, pk):
    """主办方管理: registrations to approve, invitations, the scheduler."""
    event, _read = _managed(request, pk)
    registrations = event.registrations.select_related("organization").order_by("state", "created_at")
    counts = Meeting.objects.filter(event=event).values_list("state", flat=True)
    by_state = dict.fromkeys(MeetingState.values, 0)
    for state in counts:
        by_state[state] += 1
    return render(
        request,
        "events/manage.html",
        {
            "event": event,
            "registrations": registrations,
            "meeting_counts": [(MeetingState(s).label, n) for s, n in by_state.items()],
            "last_schedule": event.log.filter(kind="scheduled", meeting__isnull=True).first(),
        },
    )


@require_POST
@login_required
def schedule(request, pk):
    """运行排期."""
    event, _read = _managed(request, pk)
    try:
        result = services.schedule_event(event, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已排定 %(n)s 场洽谈（求解器上界 %(b)s，首次适配 %(g)s）；保留原位 %(k)s 场，调整 %(m)s 场。")
            % {
                "n": result.meetings,
                "b": result.bound,
                "g": result.greedy_meetings,
                "k": result.kept,
                "m": result.moved,
            },
        )
    return redirect("events:manage", pk=event.pk)
