"""Event pages (thin): parse input, call a service or the read policy, render. Objects come only through
`visible_to` (404 outside); actions a viewer may not take are 404 too."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.scoping import Scope, get_visible_or_404
from core.errors import ServiceError
from events import filtersets, forms, ical, policy, proposals, report, services, workflow
from events.choices import EventState, MeetingState, RegistrationState
from events.models import Event, Meeting, MeetingOutcome, Registration
from matchmaking.models import RESPONDABLE, Order

PAGE_SIZE = 20
SIMPLE_ACTIONS = {
    "submit": (services.submit_event, gettext_lazy("活动已提交，等待平台审核。")),
    "approve": (services.approve_event, gettext_lazy("活动已通过审核。")),
    "publish": (services.publish_event, gettext_lazy("活动已发布，开放报名。")),
    "finish": (services.finish_event, gettext_lazy("活动已结束。")),
}
REASON_ACTIONS = {"return": services.return_event, "cancel": services.cancel_event}
MEETING_ACTIONS = {
    "accept": (services.accept_meeting, gettext_lazy("已接受洽谈申请。")),
    "decline": (services.decline_meeting, gettext_lazy("已谢绝洽谈申请。")),
    "cancel": (services.cancel_meeting, gettext_lazy("洽谈已取消。")),
    "hold": (services.hold_meeting, gettext_lazy("已标记为已洽谈。")),
}


def _event(request, pk) -> Event:
    return get_visible_or_404(Event.objects.select_related("organizer"), request.user, pk=pk)


def _managed(request, pk) -> tuple[Event, policy.EventReadPolicy]:
    event = _event(request, pk)
    read = policy.for_event(request.user, event)
    if not read.manage:
        raise Http404
    return event, read


def _run(request, func, success: str, *args, **kwargs) -> bool:
    """Call a service; its message becomes a page message; forbidden actions are 404."""
    try:
        func(*args, by=request.user, **kwargs)
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


# --- lists and forms ---------------------------------------------------------------------------


@login_required
def event_list(request):
    """对接活动: the catalogue of published events, the user's own and those it registered for."""
    scope = Scope.for_user(request.user)
    queryset = Event.objects.visible_to(request.user).with_list_relations()
    tab = request.GET.get("tab", "all")
    if tab == "mine":
        queryset = queryset.filter(organizer_id=scope.org_id)
    elif tab == "joined":
        queryset = queryset.filter(registrations__organization_id=scope.org_id)
    filterset = filtersets.EventFilter(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/event_list.html",
        {
            "page": page,
            "filter": filterset,
            "tab": tab,
            "query": query.urlencode(),
            "can_create": scope.active and scope.org_kind in services.ORGANIZER_KINDS,
            "pending_review": Event.objects.filter(state=EventState.SUBMITTED).count()
            if scope.is_admin
            else 0,
        },
    )


@login_required
def event_create(request):
    """新建对接活动."""
    scope = Scope.for_user(request.user)
    if not (scope.active and scope.org_kind in services.ORGANIZER_KINDS):
        raise Http404
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(by=request.user, data=form.data_for_service())
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("活动草稿已保存。"))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "title": _("新建对接活动")})


@login_required
def event_edit(request, pk):
    """修改对接活动 (organizer, before it ends)."""
    event, _read = _managed(request, pk)
    form = forms.EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(
                Event.objects.get(pk=event.pk), by=request.user, data=form.data_for_service()
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect(event)
    return render(
        request, "events/event_form.html", {"form": form, "title": _("修改对接活动"), "event": event}
    )


def _form_errors(form, exc: ServiceError) -> None:
    for field, message in (exc.errors or {"__all__": exc.message}).items():
        form.add_error(field if field in form.fields else None, message)


# --- the event page ----------------------------------------------------------------------------


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
        "can": {
            a: workflow.can(event, a, scope)
            for a in ("submit", "approve", "return", "publish", "cancel", "finish")
        },
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


# --- invitations and registrations -------------------------------------------------------------


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


# --- meetings ------------------------------------------------------------------------------------


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


# --- agenda, calendar, board, check-in, report ---------------------------------------------------


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
