"""What the order pages share: scope, 404 for other roles, messages, paging, the filtered list, the order
lookup and the form-page and action helpers."""

from dataclasses import replace
from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.scoping import Scope, get_visible_or_404
from chains import groups
from chains.options import filter_options
from core import formtokens
from matchmaking import sla
from matchmaking.filtersets import page_filterset
from matchmaking.models import (
    Order,
    Proposal,
)
from matchmaking.rows import list_orders
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


# The blank filter bar's HTML by (language, options version, county groups, bound): the same on every list page
# asked without filters ("bound": with a page number, which Django's selects render a little differently).
_BLANK_FILTER_BARS: dict[tuple, str] = {}
_PAGE_ONLY = QueryDict("page=1")


def _blank_filter_bar(bound: bool) -> str:
    """The filter bar of a list without filters, rendered once per language and version of the region options."""
    regions = filter_options()
    key = (get_language(), regions["version"], tuple(groups.choices()), bound)
    html = _BLANK_FILTER_BARS.get(key)
    if html is None:
        if len(_BLANK_FILTER_BARS) >= 16:  # superseded versions
            _BLANK_FILTER_BARS.clear()
        filterset = page_filterset(_PAGE_ONLY if bound else None, Order.objects.none(), regions)
        html = _BLANK_FILTER_BARS[key] = render_to_string("matchmaking/_filters.html", {"filter": filterset})
    return html


def _list(
    request, queryset, *, title: str, subtitle: str = "", show_clock: bool = False, empty: str = "", key=None
):
    """Filter, paginate and render an order list (a list without filters has the blank filter bar). `key` names
    the list's view when its queryset is a function of the viewer's organization scope alone (never of the user
    nor of anything else): without filters its COUNT and page queries are then compiled once per connection
    and scope (core.compiledsql). `queryset` is a function making the list's queryset: a compiled list builds
    it only to compile (building it cost a list page more CPU than running its queries)."""
    compiled = filtered = None
    if request.GET.keys() - {"page"}:
        filterset = page_filterset(request.GET, queryset())
        filtered = filterset.qs
        filters = render_to_string("matchmaking/_filters.html", {"filter": filterset})
    else:
        filters = _blank_filter_bar(bound=bool(request.GET))
        if key is not None:
            compiled = ("order list", key, replace(_scope(request), user_id=None, is_manager=False))

    def ordered():
        return (queryset() if filtered is None else filtered).order_by("-created_at", "-pk")

    # The rows are read as values (rows.list_orders): no model instances, one join per name shown.
    page = _page(request, list_orders(ordered if compiled else ordered(), key=compiled))
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
            "filters": filters,
            "page": page,
            "show_clock": show_clock,
            "query": query.urlencode(),
            # A filtered list that finds nothing says so (the list's own "nothing yet" is for no filters).
            "empty": _("没有符合条件的需求。")
            if _filtered(request)
            else (empty or _("没有符合条件的需求。")),
        },
    )


def _order(request, pk, queryset=None, key=None):
    """The order `pk` if the user may see it (404 otherwise), with what every order view shows selected; a `key`
    naming `queryset` lets its query be compiled once (`get_visible_or_404`)."""
    if queryset is None:
        # the workflow actions' order (the same queryset every time): its query is compiled once
        queryset, key = Order.objects.all(), key or "order action"
    qs = queryset
    return get_visible_or_404(
        qs.select_related("county__prefecture", "chain__chain_type", "link"), request.user, key=key, pk=pk
    )


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


def _visible_response(request, pk):
    return get_visible_or_404(Proposal.objects.select_related("order", "provider_org"), request.user, pk=pk)


def _response(request, pk):
    """A response the user may decide on (the placing county); anyone else gets 404."""
    response = _visible_response(request, pk)
    _require(Proposal.objects.editable_by(request.user).filter(pk=response.pk).exists())
    return response
