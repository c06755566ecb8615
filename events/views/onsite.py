"""The agenda, the calendar file, the board, check-in, the QR code and the event report."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import get_visible_or_404
from events import forms, ical, policy, report, services
from events.choices import MeetingState, RegistrationState
from events.models import Meeting, MeetingOutcome, Registration
from events.views.common import (
    _event,
    _managed,
    _run,
)


@login_required
def agenda(request, pk):
    """个人日程: the viewer's scheduled meetings in slot order, with a calendar file."""
    event = _event(request, pk)
    read = policy.for_event(request.user, event)
    meetings = list(ical.agenda_meetings(event, request.user, read))
    readable = policy.readable_orders(request.user, meetings)
    for m in meetings:
        m.order_readable = m.order_id in readable
        m.other = m.invitee if m.side_of(request.user.organization_id) == "requester" else m.requester
    return render(request, "events/agenda.html", {"event": event, "meetings": meetings, "read": read})


@login_required
def agenda_ics(request, pk):
    """个人日程 as an .ics file."""
    event = _event(request, pk)
    read = policy.for_event(request.user, event)
    meetings = list(ical.agenda_meetings(event, request.user, read))
    body = ical.build(event, meetings, policy.readable_orders(request.user, meetings))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def _board_context(request, event):
    meetings = list(
        Meeting.objects.filter(event=event, state__in=[MeetingState.SCHEDULED, MeetingState.HELD])
        .with_list_relations()
        .order_by("slot", "table")
    )
    checked = set(
        Registration.objects.filter(event=event, checked_in_at__isnull=False).values_list("pk", flat=True)
    )
    grid = {(m.slot, m.table): m for m in meetings}
    now = timezone.now()
    rows = []
    for number, start, end in event.slots:
        cells = []
        for table in range(event.table_count):
            m = grid.get((number, table))
            if m is not None:
                m.requester_in = m.requester_id in checked
                m.invitee_in = m.invitee_id in checked
            cells.append(m)
        rows.append(
            {"number": number + 1, "start": start, "end": end, "cells": cells, "now": start <= now < end}
        )
    return {
        "event": event,
        "rows": rows,
        "tables": range(1, event.table_count + 1),
        "checked_in": len(checked),
        "registered": event.registrations.filter(state=RegistrationState.APPROVED).count(),
        "now": now,
    }


@login_required
def board(request, pk):
    """现场看板: every slot and table, who is checked in, held meetings; refreshes itself (htmx)."""
    event, _read = _managed(request, pk)
    context = _board_context(request, event)
    template = "events/_board.html" if request.headers.get("HX-Request") else "events/board.html"
    return render(request, template, context)


def _token_from(code: str):
    code = (code or "").strip().rstrip("/")
    tail = code.rsplit("/", 1)[-1]
    try:
        return uuid.UUID(tail)
    except ValueError:
        return None


@login_required
def checkin_scan(request, pk):
    """扫码签到: the organizer's page; the phone's camera reads the participant's QR (or a code is typed)."""
    event, _read = _managed(request, pk)
    form = forms.CheckinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = _token_from(form.cleaned_data["code"])
        if token is None or not Registration.objects.filter(event=event, checkin_token=token).exists():
            messages.error(request, _("签到码无效。"))
        else:
            return redirect("events:checkin", token=token)
    recent = (
        event.registrations.filter(checked_in_at__isnull=False)
        .select_related("organization")
        .order_by("-checked_in_at")[:10]
    )
    return render(request, "events/checkin_scan.html", {"event": event, "form": form, "recent": recent})


@login_required
def checkin(request, token):
    """The page a registration's QR code opens: the organizer confirms the check-in (others: 404)."""
    registration = (
        Registration.objects.select_related("event__organizer", "organization")
        .filter(checkin_token=token)
        .first()
    )
    if registration is None or not policy.for_event(request.user, registration.event).manage:
        raise Http404
    if request.method == "POST":
        _run(
            request,
            services.check_in,
            _("签到成功：%(org)s") % {"org": registration.organization.name},
            token,
        )
        return redirect("events:checkin", token=token)
    registration.refresh_from_db()
    meetings = (
        Meeting.objects.filter(state__in=[MeetingState.SCHEDULED, MeetingState.HELD])
        .filter(Q(requester=registration) | Q(invitee=registration))
        .with_list_relations()
        .order_by("slot")
    )
    return render(
        request,
        "events/checkin.html",
        {"registration": registration, "event": registration.event, "meetings": meetings},
    )


@login_required
def qr(request, pk):
    """The QR code (SVG) of the viewer's own registration: it encodes the check-in link."""
    registration = get_visible_or_404(Registration.objects.select_related("event"), request.user, pk=pk)
    token = policy.for_event(request.user, registration.event).checkin_token_of(registration)
    if token is None:
        raise Http404
    import qrcode
    import qrcode.image.svg
    from django.conf import settings

    url = settings.SITE_URL + reverse("events:checkin", args=[token])
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    response = HttpResponse(image.to_string(encoding="unicode"), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def event_report(request, pk):
    """活动报告: registrations, attendance, meetings held, agreements, amounts, orders moved (organizer)."""
    event, _read = _managed(request, pk)
    figures = report.build(event)
    if request.GET.get("format") == "xlsx":
        meetings = list(
            Meeting.objects.filter(event=event).with_list_relations().order_by("slot", "table", "pk")
        )
        outcomes = list(MeetingOutcome.objects.filter(meeting__event=event))
        return report.download(
            report.workbook(event, figures, meetings, outcomes), f"event-{event.pk}-report"
        )
    return render(request, "events/report.html", {"event": event, "figures": figures})
