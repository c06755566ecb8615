"""One order: its page, the new-order and edit forms and the workflow actions (thin: a service does the work)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import formtokens
from matchmaking import forms, match_labels, policy, services, sla, workflow
from matchmaking.choices import MatchState, OrderState
from matchmaking.models import (
    COUNTY_EDITABLE,
    RESPONDABLE,
    Order,
    OrderBeneficiary,
    OrderRoute,
    Proposal,
)
from matchmaking.throttling import order_creation_wait
from matchmaking.views.common import (
    MATCHES_SHOWN,
    PREFILL,
    _back_to_order,
    _form_failed,
    _order,
    _order_form_page,
    _require,
    _run,
    _scope,
    transition,
)
from matchmaking.workflow import WorkflowError


@login_required
def order_detail(request, pk):
    """需求详情: content, clock, actions for the viewer's role, responses, matches, timeline — each part as
    the read policy (`matchmaking.policy`) lets this viewer read it."""
    order = _order(
        request, pk, Order.objects.select_related("claimed_by_body", "handler", "outcome"), key="order_detail"
    )
    scope = _scope(request)
    # Each query of the page is compiled once per kind of viewer (`read.rows`, the keys name the querysets).
    read, responses = policy.for_order_with_responses(
        request.user, order, Proposal.objects.select_related("provider_org"), key="detail responses"
    )
    # One query for the order's readable attachments: its own (listed in the page) and its responses'.
    attachments, response_files = [], {}
    for a in read.rows("detail attachments", lambda r: r.attachments().order_by("created_at")):
        if a.response_id is None:
            attachments.append(a)
        else:
            response_files.setdefault(a.response_id, []).append(a)
    for r in responses:
        r.attachment_list = response_files.get(r.pk, [])
    is_taker = scope.is_body and order.claimed_by_body_id == scope.body_id
    can_invite = (scope.is_admin or is_taker) and order.state in RESPONDABLE
    invitations = read.rows("detail invitations", lambda r: r.invitations().select_related("provider_org"))
    # the rows need only the provider's id (the invite button), not the organization
    # by rank: the model's ordering ("order", "rank") would join the order to sort by its creation date; no
    # empty queryset to build and compile for a viewer who may not read the matches (a provider)
    matches = (
        match_labels.label_matches(
            read.rows("detail matches", lambda r: r.match_rows().order_by("rank", "pk")[:MATCHES_SHOWN]),
            key="detail match labels",
        )
        if read.matches
        else []
    )
    routes = (
        read.rows(
            "detail routes",
            # newest first, as the model orders them; ties (routes written in one statement) by id, not at random
            lambda r: (
                OrderRoute.objects.filter(order_id=r.order_id)
                .select_related("body")
                .order_by("-routed_at", "pk")
            ),
        )
        if read.internal
        else []
    )
    routed = {r.body_id for r in routes} if read.internal else None  # the claim check without a query
    can = {
        action: workflow.can(order, action, scope, routed=routed)
        for action in ("submit", "withdraw", "claim", "resolve", "close")
    }
    can_decide = scope.is_county and scope.county_id == order.county_id and not order.is_final
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
        "attachments": attachments,
        # by id: the model's ordering ("order", "pk") would join the order to sort by its creation date
        "beneficiaries": read.rows(
            "detail beneficiaries",
            lambda r: OrderBeneficiary.objects.filter(order_id=r.order_id).order_by("pk"),
        ),
        "show_firm_codes": read.internal,
        "responses": responses,
        "events": read.timeline(),
        "routes": routes,
        "invitations": invitations if read.internal else [],
        "own_invitation": invitations[0] if scope.is_provider and invitations else None,
        "matches": matches,
        # the stored list ended before the page's length: no more relevant resources (no padding)
        "matches_ended": read.matches
        and order.match_state == MatchState.DONE
        and len(matches) < MATCHES_SHOWN,
        "can": can,
        "can_edit": _editable(scope, order),
        "can_moderate": scope.is_admin and order.state == OrderState.SUBMITTED,
        "can_invite": can_invite,
        "can_decide": can_decide,
        "can_respond": scope.is_provider and order.state in RESPONDABLE and own_response is None,
        "own_response": own_response,
        "can_comment": not scope.is_provider,
        "invited_org_ids": {i.provider_org_id for i in invitations} if can_invite else set(),
        # Only the forms the page shows this viewer (the moderation, comment and accept forms are plain markup
        # in the templates; the decline form gives the reasons of the county's decline select).
        "claim_form": forms.ClaimForm(user=request.user) if can["claim"] else None,
        "invite_form": forms.InviteForm() if can_invite else None,
        "decline_form": forms.DeclineForm() if can_decide else None,
    }
    return render(request, "matchmaking/order_detail.html", context)


def _editable(scope, order) -> bool:
    """`Order.objects.editable_by(user)` holds this order, decided on the loaded order without a query."""
    if scope.is_admin:
        return True
    if not scope.active:
        return False
    return scope.is_county and order.county_id == scope.county_id and order.state in COUNTY_EDITABLE


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
