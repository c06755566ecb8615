"""1:1 meetings: requests, their actions and outcomes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import get_visible_or_404
from events import forms, policy, services
from events.choices import RegistrationState
from events.models import Meeting, Registration
from events.views.common import (
    MEETING_ACTIONS,
    _event,
    _run,
)
from events.views.detail import _orders_for_meetings


@require_POST
@login_required
def meeting_request(request, pk):
    """申请洽谈."""
    event = _event(request, pk)
    participants = list(
        Registration.objects.filter(event=event, state=RegistrationState.APPROVED).select_related(
            "organization"
        )
    )
    form = forms.MeetingRequestForm(
        request.POST,
        invitees=Registration.objects.filter(event=event, state=RegistrationState.APPROVED),
        orders=_orders_for_meetings(request.user, participants),
    )
    if form.is_valid():
        _run(
            request,
            services.request_meeting,
            _("洽谈申请已发出。"),
            event,
            invitee=form.cleaned_data["invitee"],
            order=form.cleaned_data["order"],
            message=form.cleaned_data["message"],
        )
    else:
        messages.error(request, _("请选择洽谈对象。"))
    return redirect(event)


@require_POST
@login_required
def meeting_action(request, pk, action):
    """接受 / 谢绝 / 取消 / 标记已洽谈."""
    meeting = get_visible_or_404(Meeting.objects.select_related("event"), request.user, pk=pk)
    if action not in MEETING_ACTIONS:
        raise Http404
    func, success = MEETING_ACTIONS[action]
    kwargs = {"note": request.POST.get("note", "")[:500]} if action in ("accept", "decline") else {}
    _run(request, func, success, meeting, **kwargs)
    if request.POST.get("next") == "board":
        return redirect("events:board", pk=meeting.event_id)
    return redirect(meeting.event)


@login_required
def outcome(request, pk):
    """登记洽谈结果 (each side once)."""
    meeting = get_visible_or_404(Meeting.objects.with_list_relations(), request.user, pk=pk)
    if not meeting.side_of(request.user.organization_id):
        raise Http404
    form = forms.OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            services.record_outcome,
            _("洽谈结果已登记。"),
            meeting,
            result=data["result"],
            amount_yuan=data["amount_yuan"],
            note=data["note"],
            advance_order=data["advance_order"],
        ):
            return redirect(meeting.event)
    readable = policy.readable_orders(request.user, [meeting])
    return render(
        request,
        "events/outcome_form.html",
        {
            "meeting": meeting,
            "form": form,
            "event": meeting.event,
            "order_readable": meeting.order_id in readable,
        },
    )
