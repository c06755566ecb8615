"""Order pages (thin): parse input, call a service, render. Objects come only through `visible_to` (404 outside)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope, get_visible_or_404
from chains.models import CountyChain
from core import formtokens
from matchmaking import forms, match_labels, policy, services, sla, workflow
from matchmaking.choices import MatchState, OrderState
from matchmaking.filtersets import page_filterset
from matchmaking.models import (
    FINAL,
    RESPONDABLE,
    Attachment,
    Notification,
    NotificationPreference,
    Order,
    OrderRoute,
    Proposal,
    Subscription,
)
from matchmaking.throttling import order_creation_wait
from matchmaking.workbench import sections_for
from matchmaking.workflow import WorkflowError

PAGE_SIZE = 20
PREFILL = ("kind", "chain", "title", "description", "keywords")  # new-order fields a link may prefill
MATCHES_SHOWN = 10  # matches on an order page


def _scope(request) -> Scope:
    return Scope.for_user(request.user)


def _require(condition: bool) -> None:
    """Pages of another role are simply not there (404, like objects outside scope)."""
    if not condition:
        raise Http404


def _fail(request, exc: WorkflowError, order=None) -> None:
    if exc.code == "illegal_transition" and order is not None:
        _stale(request, order)
    else:
        messages.error(request, exc.message)


def _stale(request, order) -> None:
    """The note for a stale form or a transition URL opened directly (Back, a reload, a bookmark)."""
    messages.warning(
        request,
        _("该需求已是“%(state)s”状态，刚才的操作未执行；请以本页显示的状态为准。")
        % {"state": order.get_state_display()},
    )


def _back_to_order(request, order):
    _stale(request, order)
    return redirect("orders:detail", pk=order.pk)


def transition(order_of=None):
    """A transition URL: POST runs it; any other method (Back, a reload, a bookmark) goes to the order page with a
    note instead of a 405. `order_of(request, pk)` names the order (default: the order `pk`, visible or 404)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if request.method != "POST":
                order = order_of(request, pk) if order_of else _order(request, pk)
                return _back_to_order(request, order)
            return view(request, pk, *args, **kwargs)

        return wrapper

    return decorate


def _form_failed(request, form, exc: WorkflowError) -> None:
    """A service refused the form's input: its message, and each field's error beside the field."""
    _fail(request, exc)
    for name, message in exc.errors.items():
        if name in form.fields:
            form.add_error(name, str(message))


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _filtered(request) -> bool:
    """Whether the list was asked with a filter or a search (not only a page number)."""
    return any(value for key, value in request.GET.items() if key != "page")


def _list(request, queryset, *, title: str, subtitle: str = "", show_clock: bool = False, empty: str = ""):
    """Filter, paginate and render an order list."""
    filterset = page_filterset(request.GET or None, queryset.with_list_relations())
    page = _page(request, filterset.qs.order_by("-created_at", "-pk"))
    if show_clock:
        for order in page:
            order.clock = sla.clock(order)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "matchmaking/order_list.html",
        {
            "title": title,
            "subtitle": subtitle,
            "filter": filterset,
            "page": page,
            "show_clock": show_clock,
            "query": query.urlencode(),
            # A filtered list that finds nothing says so (the list's own "nothing yet" is for no filters).
            "empty": _("没有符合条件的需求。")
            if filterset.is_bound and _filtered(request)
            else (empty or _("没有符合条件的需求。")),
        },
    )


# --- workbench ---------------------------------------------------------------------------------------


@login_required
def workbench(request):
    """工作台: what waits for the user (the page after login)."""
    return render(request, "matchmaking/workbench.html", {"sections": sections_for(request.user)})


# --- lists ------------------------------------------------------------------------------------------


@login_required
def order_list(request):
    """全部需求: every order the user may see, with filters (administrators: all)."""
    return _list(request, Order.objects.visible_to(request.user), title=_("需求总览"), show_clock=True)


@login_required
def county_orders(request):
    """县域：我的需求 (all states)."""
    _require(_scope(request).is_county)
    return _list(
        request,
        Order.objects.visible_to(request.user),
        title=_("我的需求"),
        subtitle=str(request.user.organization),
        show_clock=True,
        empty=_("还没有需求。点击“新建需求”开单。"),
    )


@login_required
def queue(request):
    """省级部门：待接单 (published orders routed to the body)."""
    scope = _scope(request)
    _require(scope.is_body)
    routed = OrderRoute.objects.filter(body_id=scope.body_id).values("order_id")
    qs = Order.objects.visible_to(request.user).filter(state=OrderState.PUBLISHED, pk__in=routed)
    return _list(
        request, qs, title=_("待接单"), subtitle=_("分派给本部门、尚未被接单的需求"), show_clock=True
    )


@login_required
def taken(request):
    """省级部门：我接的单."""
    scope = _scope(request)
    _require(scope.is_body)
    qs = Order.objects.visible_to(request.user).filter(claimed_by_body_id=scope.body_id)
    return _list(request, qs, title=_("本部门接单"), show_clock=True)


@login_required
def city_orders(request):
    """设区市：所辖县域的需求及服务时限状态."""
    _require(_scope(request).is_city)
    return _list(
        request,
        Order.objects.visible_to(request.user),
        title=_("所辖县域需求"),
        subtitle=str(request.user.organization),
        show_clock=True,
    )


@login_required
def open_orders(request):
    """资源方：可响应的需求."""
    _require(_scope(request).is_provider)
    qs = Order.objects.visible_to(request.user).filter(state__in=RESPONDABLE)
    return _list(request, qs, title=_("可响应的需求"), subtitle=_("公开发布或邀请贵单位响应的需求"))


@login_required
def moderation(request):
    """管理员：待审核队列."""
    _require(_scope(request).is_admin)
    qs = Order.objects.visible_to(request.user).filter(state=OrderState.SUBMITTED)
    return _list(request, qs, title=_("待审核需求"), subtitle=_("审核通过后自动分派给承接部门"))


@login_required
def matched(request):
    """资源方：匹配到贵单位的需求 — one row per order (its matched entries inside), best score first; orders in
    progress apart from finished ones."""
    scope = _scope(request)
    _require(scope.is_provider)
    own = policy.own_matches(request.user)
    orders = (
        Order.objects.filter(pk__in=own.values("order_id"))
        .with_list_relations()
        .annotate(best_score=Max("matches__score", filter=Q(matches__provider_org_id=scope.org_id)))
        .prefetch_related(Prefetch("matches", queryset=own.order_by("-score", "rank"), to_attr="own_matches"))
        .order_by("-best_score", "-created_at", "-pk")
    )
    active = Paginator(orders.exclude(state__in=FINAL), PAGE_SIZE).get_page(request.GET.get("page"))
    done = Paginator(orders.filter(state__in=FINAL), PAGE_SIZE).get_page(request.GET.get("done_page"))
    match_labels.label_matches(m for order in [*active, *done] for m in order.own_matches)
    return render(request, "matchmaking/matched.html", {"page": active, "done": done})


@login_required
def my_responses(request):
    """资源方：我的响应."""
    _require(_scope(request).is_provider)
    responses = (
        Proposal.objects.visible_to(request.user)
        .select_related("order__county", "order__chain")
        .order_by("-created_at", "-pk")
    )
    return render(request, "matchmaking/my_responses.html", {"page": _page(request, responses)})


# --- one order --------------------------------------------------------------------------------------


def _order(request, pk, queryset=None):
    qs = queryset if queryset is not None else Order.objects.all()
    return get_visible_or_404(
        qs.select_related("county__prefecture", "chain__chain_type", "link"), request.user, pk=pk
    )


@login_required
def order_detail(request, pk):
    """需求详情: content, clock, actions for the viewer's role, responses, matches, timeline — each part as
    the read policy (`matchmaking.policy`) lets this viewer read it."""
    order = _order(
        request,
        pk,
        Order.objects.select_related("claimed_by_body", "handler", "created_by", "outcome"),
    )
    scope = _scope(request)
    read = policy.for_order(request.user, order)
    responses = (
        read.responses()
        .select_related("provider_org", "author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("created_at")))
    )
    is_taker = scope.is_body and order.claimed_by_body_id == scope.body_id
    can_invite = (scope.is_admin or is_taker) and order.state in RESPONDABLE
    invitations = list(read.invitations().select_related("provider_org"))
    matches = match_labels.label_matches(read.match_rows().select_related("provider_org")[:MATCHES_SHOWN])
    own_response = None
    if scope.is_provider:
        own_response = next((r for r in responses if r.provider_org_id == scope.org_id), None)
    context = {
        "order": order,
        "scope": scope,
        "read": read,
        "clock": sla.clock(order),
        "contact_visible": read.contact,
        "handler": read.handler_of(order),
        "state_note": read.state_note_of(order),
        "outcome": read.outcome_of(order),
        "attachments": read.attachments().filter(response__isnull=True).order_by("created_at"),
        "beneficiaries": order.beneficiaries.all(),
        "show_firm_codes": read.internal,
        "responses": responses,
        "events": read.timeline(),
        "routes": order.routes.select_related("body") if read.internal else [],
        "invitations": invitations if read.internal else [],
        "own_invitation": invitations[0] if scope.is_provider and invitations else None,
        "matches": matches,
        # the stored list ended before the page's length: no more relevant resources (no padding)
        "matches_ended": read.matches
        and order.match_state == MatchState.DONE
        and len(matches) < MATCHES_SHOWN,
        "can": {
            action: workflow.can(order, action, scope)
            for action in ("submit", "withdraw", "claim", "resolve", "close")
        },
        "can_edit": Order.objects.editable_by(request.user).filter(pk=order.pk).exists(),
        "can_moderate": scope.is_admin and order.state == OrderState.SUBMITTED,
        "can_invite": can_invite,
        "can_decide": scope.is_county and scope.county_id == order.county_id and not order.is_final,
        "can_respond": scope.is_provider and order.state in RESPONDABLE and own_response is None,
        "own_response": own_response,
        "can_comment": not scope.is_provider,
        "invited_org_ids": {i.provider_org_id for i in invitations} if can_invite else set(),
        "claim_form": forms.ClaimForm(user=request.user) if workflow.can(order, "claim", scope) else None,
        "invite_form": forms.InviteForm() if can_invite else None,
        "moderation_form": forms.ModerationForm(),
        "comment_form": forms.CommentForm(),
        "decline_form": forms.DeclineForm(),
        "accept_form": forms.AcceptForm(),
    }
    return render(request, "matchmaking/order_detail.html", context)


@login_required
def order_create(request):
    """新建需求 (县域官员)."""
    scope = _scope(request)
    _require(scope.is_county)
    # A link may prefill the new order (e.g. from a weak dimension of the development index).
    initial = {k: request.GET[k] for k in PREFILL if k in request.GET} if request.method == "GET" else None
    if request.method == "GET":
        initial = {
            "contact_name": request.user.display_name,
            "contact_phone": getattr(request.user, "phone", ""),
            **(initial or {}),
        }
        if "chain" in request.GET:
            initial["chain"] = request.GET["chain"]
    first = formtokens.first_result(request)
    if first is not None:
        return first
    form = forms.OrderForm(
        request.POST or None,
        request.FILES or None,
        county_id=scope.county_id,
        initial=initial,
        submitting="submit" in request.POST,
    )
    context = {"form": form, "order": None, "form_token": formtokens.current(request)}
    if request.method == "POST" and form.is_valid():
        wait = order_creation_wait(request)
        if wait is not None:
            messages.error(request, _("开单过于频繁，请 %(s)s 秒后再试。") % {"s": wait})
            return render(request, "matchmaking/order_form.html", context, status=429)
        try:
            with formtokens.consume(request) as submission:
                order = services.create_order(
                    by=request.user,
                    data=form.order_data(),
                    files=form.cleaned_data["attachments"],
                    beneficiaries=form.beneficiary_items(),
                )
                if "submit" in request.POST:
                    services.submit_order(order, by=request.user)
                submission.url = order.get_absolute_url()
        except formtokens.AlreadySubmitted:
            return formtokens.already_submitted(request)
        except WorkflowError as exc:
            _form_failed(request, form, exc)
        else:
            if "submit" in request.POST:
                messages.success(request, _("需求已提交，等待平台审核。"))
            else:
                messages.success(request, _("草稿已保存。"))
            return redirect(order)
    return render(request, "matchmaking/order_form.html", context)


@login_required
def order_edit(request, pk):
    """修改需求 (草稿或退回修改)."""
    first = formtokens.first_result(request)  # sent again after it was submitted: its first result
    if first is not None:
        return first
    order = _order(request, pk, Order.objects.editable_by(request.user))
    scope = _scope(request)
    county_id = order.county_id if scope.is_admin else scope.county_id
    form = forms.OrderForm(
        request.POST or None,
        request.FILES or None,
        instance=Order.objects.get(pk=order.pk),
        county_id=county_id,
        submitting="submit" in request.POST,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with formtokens.consume(request) as submission:
                services.update_order(
                    order,
                    by=request.user,
                    data=form.order_data(),
                    files=form.cleaned_data["attachments"],
                    beneficiaries=form.beneficiary_items(),
                )
                if "submit" in request.POST:
                    services.submit_order(order, by=request.user)
                submission.url = order.get_absolute_url()
        except formtokens.AlreadySubmitted:
            return formtokens.already_submitted(request)
        except WorkflowError as exc:
            order.refresh_from_db()
            _form_failed(request, form, exc)
        else:
            if "submit" in request.POST:
                messages.success(request, _("需求已提交，等待平台审核。"))
            else:
                messages.success(request, _("修改已保存。"))
            return redirect(order)
    context = {"form": form, "order": order, "form_token": formtokens.current(request)}
    return render(request, "matchmaking/order_form.html", context)


def _run(request, order, func, success: str, **kwargs):
    """Call a service and report the outcome as a message; forbidden actions are 404."""
    try:
        func(order, by=request.user, **kwargs)
    except WorkflowError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        _fail(request, exc, order)
    else:
        messages.success(request, success)
    return redirect("orders:detail", pk=order.pk)


@login_required
@transition()
def order_submit(request, pk):
    """提交审核."""
    order = _order(request, pk)
    return _run(request, order, services.submit_order, _("需求已提交，等待平台审核。"))


@login_required
def order_withdraw(request, pk):
    """撤回, after a confirmation page (works without JavaScript): the order page's button opens it, its
    button (`confirm=1`) withdraws. Once the order can no longer be withdrawn, back to the order page."""
    order = _order(request, pk)
    if not workflow.can(order, "withdraw", _scope(request)):
        if order.state in workflow.TRANSITIONS["withdraw"].sources:
            raise Http404  # not this viewer's order to withdraw
        return _back_to_order(request, order)
    reason = request.POST.get("reason", request.GET.get("reason", ""))[:1000]
    if request.method == "POST" and request.POST.get("confirm") == "1":
        return _run(request, order, services.withdraw_order, _("需求已撤回。"), reason=reason)
    return render(request, "matchmaking/withdraw_confirm.html", {"order": order, "reason": reason})


@login_required
@transition()
def order_claim(request, pk):
    """接单 (routed body), naming the handler."""
    order = _order(request, pk)
    scope = _scope(request)
    _require(scope.is_body and order.kind in scope.handles)
    form = forms.ClaimForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("请选择承办人。"))
        return redirect(order)
    return _run(request, order, services.claim_order, _("接单成功。"), handler=form.cleaned_data["handler"])


@login_required
@transition()
def order_moderate(request, pk):
    """审核 (administrators): approve, return or reject with a reason."""
    _require(_scope(request).is_admin)
    order = _order(request, pk)
    form = forms.ModerationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(order)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    if decision == "approve":
        return _run(request, order, services.approve_order, _("已审核通过并发布。"), note=reason)
    if decision == "return":
        return _run(request, order, services.return_order, _("已退回修改。"), reason=reason)
    return _run(request, order, services.reject_order, _("已不予受理。"), reason=reason)


@login_required
@transition()
def order_invite(request, pk):
    """邀请资源方响应 (taking body)."""
    order = _order(request, pk)
    scope = _scope(request)
    _require(scope.is_admin or (scope.is_body and order.claimed_by_body_id == scope.body_id))
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择资源方。"))
        return redirect(order)
    return _run(
        request,
        order,
        services.invite_provider,
        _("已邀请 %(org)s 响应。") % {"org": form.cleaned_data["provider_org"]},
        provider_org=form.cleaned_data["provider_org"],
        note=form.cleaned_data["note"],
    )


@login_required
@transition()
def order_comment(request, pk):
    """协调意见."""
    order = _order(request, pk)
    _require(not _scope(request).is_provider)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写协调意见（不超过 1000 字）。"))
        return redirect(order)
    return _run(request, order, services.comment_order, _("协调意见已记录。"), note=form.cleaned_data["note"])


def _order_form_page(request, order, form, template, title, on_valid):
    """An action form on an order: a one-time form token makes a second POST of it show the first result."""
    first = formtokens.first_result(request)
    if first is not None:
        return first
    if request.method == "POST" and form.is_valid():
        try:
            with formtokens.consume(request) as submission:
                on_valid(form)
                submission.url = order.get_absolute_url()
        except formtokens.AlreadySubmitted:
            return formtokens.already_submitted(request)
        except WorkflowError as exc:
            if exc.code == "forbidden":
                raise Http404 from exc
            if exc.code == "illegal_transition":  # a stale form (Back): the order page says what happened
                _stale(request, order)
                return redirect(order)
            _form_failed(request, form, exc)
        else:
            return redirect(order)
    context = {"order": order, "form": form, "title": title, "form_token": formtokens.current(request)}
    return render(request, template, context)


@login_required
def order_resolve(request, pk):
    """办结（已解决）with the outcome (taking body)."""
    order = _order(request, pk)
    if order.state not in workflow.TRANSITIONS["resolve"].sources:
        return _back_to_order(request, order)
    _require(workflow.can(order, "resolve", _scope(request)))
    accepted = order.responses.filter(state="accepted").select_related("provider_org").order_by("pk").first()
    initial = {"partner": accepted.provider_org.name} if accepted is not None else {}
    form = forms.OutcomeForm(request.POST or None, initial=initial)

    def done(form):
        services.resolve_order(order, by=request.user, **form.cleaned_data)
        messages.success(request, _("需求已办结，闭环成果已登记。"))

    return _order_form_page(
        request, order, form, "matchmaking/action_form.html", _("办结：登记闭环成果"), done
    )


@login_required
def order_close(request, pk):
    """关闭（未解决）with the reason (taking body)."""
    order = _order(request, pk)
    if order.state not in workflow.TRANSITIONS["close"].sources:
        return _back_to_order(request, order)
    _require(workflow.can(order, "close", _scope(request)))
    form = forms.ReasonForm(request.POST or None)

    def done(form):
        services.close_order(order, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("需求已关闭。"))

    return _order_form_page(request, order, form, "matchmaking/action_form.html", _("未解决关闭"), done)


@login_required
def order_respond(request, pk):
    """响应/揭榜 (providers that may see a respondable order)."""
    order = _order(request, pk)
    scope = _scope(request)
    _require(scope.is_provider)
    first = formtokens.first_result(request)  # the same form sent again: its first result
    if first is not None:
        return first
    if order.state not in RESPONDABLE:
        return _back_to_order(request, order)
    if order.responses.filter(provider_org_id=scope.org_id).exists():
        messages.info(request, _("贵单位已响应过该需求。"))
        return redirect(order)
    form = forms.ProposalForm(request.POST or None, request.FILES or None, order=order)

    def done(form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        services.respond(order, by=request.user, files=form.cleaned_data["attachments"], **data)
        messages.success(request, _("响应已提交，开单县域将收到通知。"))

    return _order_form_page(request, order, form, "matchmaking/action_form.html", _("响应需求"), done)


def _visible_response(request, pk):
    return get_visible_or_404(Proposal.objects.select_related("order", "provider_org"), request.user, pk=pk)


def _response(request, pk):
    """A response the user may decide on (the placing county); anyone else gets 404."""
    response = _visible_response(request, pk)
    _require(Proposal.objects.editable_by(request.user).filter(pk=response.pk).exists())
    return response


@login_required
@transition(order_of=lambda request, pk: _visible_response(request, pk).order)
def response_accept(request, pk):
    """接受响应 (placing county)."""
    response = _response(request, pk)
    form = forms.AcceptForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.accept_proposal(response, by=request.user, note=note)
    except WorkflowError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        _fail(request, exc, response.order)
    else:
        messages.success(request, _("已接受 %(org)s 的响应。") % {"org": response.provider_org})
    return redirect(response.order)


@login_required
@transition(order_of=lambda request, pk: _visible_response(request, pk).order)
def response_decline(request, pk):
    """未采纳响应 (placing county), with a reason category and note."""
    response = _response(request, pk)
    form = forms.DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择未采纳原因。"))
        return redirect(response.order)
    try:
        services.decline_proposal(response, by=request.user, **form.cleaned_data)
    except WorkflowError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        _fail(request, exc, response.order)
    else:
        messages.success(request, _("已告知 %(org)s 未采纳。") % {"org": response.provider_org})
    return redirect(response.order)


@login_required
def attachment_download(request, pk):
    """Serve an attachment to those who may see it (as a download, never rendered inline)."""
    attachment = get_visible_or_404(Attachment.objects.all(), request.user, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- inbox, preferences, subscriptions --------------------------------------------------------------


@login_required
def inbox(request):
    """站内消息."""
    notes = Notification.objects.filter(recipient=request.user).select_related("order")
    return render(request, "matchmaking/inbox.html", {"page": _page(request, notes)})


@require_POST
@login_required
def notification_open(request, pk):
    """Mark one message read and go to its order."""
    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if note is None:
        raise Http404
    services.mark_notifications_read(request.user, [note.pk])
    if note.order_id and Order.objects.visible_to(request.user).filter(pk=note.order_id).exists():
        return redirect("orders:detail", pk=note.order_id)
    if note.chain_id and CountyChain.objects.visible_to(request.user).filter(pk=note.chain_id).exists():
        return redirect("chains:chain", pk=note.chain_id)
    return redirect("orders:inbox")


@require_POST
@login_required
def inbox_read_all(request):
    """Mark every message read."""
    services.mark_notifications_read(request.user)
    messages.success(request, _("已全部标为已读。"))
    return redirect("orders:inbox")


@login_required
def preferences(request):
    """通知设置: e-mail on/off and daily digest."""
    pref, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = forms.PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("orders:preferences")
    return render(request, "matchmaking/settings_form.html", {"form": form, "title": _("通知设置")})


@login_required
def subscription(request):
    """关注 (providers and bodies): kinds, chain types and prefectures of new orders to hear about."""
    scope = _scope(request)
    _require(scope.is_provider or scope.is_body)
    sub, _created = Subscription.objects.get_or_create(user=request.user)
    initial = {"kinds": sub.kinds, "chain_types": sub.chain_types.all(), "prefectures": sub.prefectures.all()}
    form = forms.SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        sub.kinds = form.cleaned_data["kinds"]
        sub.save()
        sub.chain_types.set(form.cleaned_data["chain_types"])
        sub.prefectures.set(form.cleaned_data["prefectures"])
        messages.success(request, _("关注设置已保存；符合条件的新需求发布时将通知您。"))
        return redirect("orders:subscription")
    return render(
        request,
        "matchmaking/settings_form.html",
        {"form": form, "title": _("关注需求"), "help": _("不勾选表示不限；三项都不勾选则不接收关注通知。")},
    )
