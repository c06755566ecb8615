"""Proposals (响应方案) on an order: respond, the county's accept or decline, and attachment downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.scoping import get_visible_or_404
from core import formtokens
from matchmaking import action_reads, forms, services
from matchmaking.models import (
    RESPONDABLE,
    Attachment,
)
from matchmaking.views.common import (
    _back_to_order,
    _fail,
    _order,
    _order_form_page,
    _require,
    _response,
    _scope,
    _visible_response,
    transition,
)
from matchmaking.workflow import WorkflowError


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
    if action_reads.has_responded(order, scope.org_id):
        messages.info(request, _("贵单位已响应过该需求。"))
        return redirect(order)
    form = forms.ProposalForm(request.POST or None, request.FILES or None, order=order)

    def done(form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        services.respond(order, by=request.user, files=form.cleaned_data["attachments"], **data)
        messages.success(request, _("响应已提交，开单县域将收到通知。"))

    return _order_form_page(request, order, form, "matchmaking/action_form.html", _("响应需求"), done)


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
