"""The workbench and the order lists (filtered with the one order filterset, paginated)."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import compiledsql
from matchmaking import match_labels, policy
from matchmaking.choices import OrderState
from matchmaking.models import (
    FINAL,
    RESPONDABLE,
    Match,
    Order,
    OrderRoute,
    Proposal,
)
from matchmaking.rows import matched_orders, response_values
from matchmaking.views.common import (
    PAGE_SIZE,
    _list,
    _page,
    _require,
    _scope,
)
from matchmaking.workbench import sections_for


@login_required
def workbench(request):
    """工作台: what waits for the user (the page after login)."""
    return render(request, "matchmaking/workbench.html", {"sections": sections_for(request.user)})


@login_required
def order_list(request):
    """全部需求: every order the user may see, with filters (administrators: all)."""
    return _list(
        request,
        lambda: Order.objects.visible_to(request.user),
        title=_("需求总览"),
        show_clock=True,
        key="all",
    )


@login_required
def county_orders(request):
    """县域：我的需求 (all states)."""
    _require(_scope(request).is_county)
    return _list(
        request,
        lambda: Order.objects.visible_to(request.user),
        title=_("我的需求"),
        subtitle=str(request.user.organization),
        show_clock=True,
        empty=_("还没有需求。点击“新建需求”开单。"),
        key="county",
    )


@login_required
def queue(request):
    """省级部门：待接单 (published orders routed to the body)."""
    scope = _scope(request)
    _require(scope.is_body)

    def qs():
        routed = OrderRoute.objects.filter(body_id=scope.body_id).values("order_id")
        return Order.objects.visible_to(request.user).filter(state=OrderState.PUBLISHED, pk__in=routed)

    return _list(
        request,
        qs,
        title=_("待接单"),
        subtitle=_("分派给本部门、尚未被接单的需求"),
        show_clock=True,
        key="queue",
    )


@login_required
def taken(request):
    """省级部门：我接的单."""
    scope = _scope(request)
    _require(scope.is_body)

    def qs():
        return Order.objects.visible_to(request.user).filter(claimed_by_body_id=scope.body_id)

    return _list(request, qs, title=_("本部门接单"), show_clock=True, key="taken")


@login_required
def city_orders(request):
    """设区市：所辖县域的需求及服务时限状态."""
    _require(_scope(request).is_city)
    return _list(
        request,
        lambda: Order.objects.visible_to(request.user),
        title=_("所辖县域需求"),
        subtitle=str(request.user.organization),
        show_clock=True,
        key="city",
    )


@login_required
def open_orders(request):
    """资源方：可响应的需求."""
    _require(_scope(request).is_provider)

    def qs():
        return Order.objects.visible_to(request.user).filter(state__in=RESPONDABLE)

    return _list(
        request, qs, title=_("可响应的需求"), subtitle=_("公开发布或邀请贵单位响应的需求"), key="open"
    )


@login_required
def moderation(request):
    """管理员：待审核队列."""
    _require(_scope(request).is_admin)

    def qs():
        return Order.objects.visible_to(request.user).filter(state=OrderState.SUBMITTED)

    return _list(
        request, qs, title=_("待审核需求"), subtitle=_("审核通过后自动分派给承接部门"), key="moderation"
    )


@login_required
def matched(request):
    """资源方：匹配到贵单位的需求 — one row per order (its matched entries inside), best score first; orders in
    progress apart from finished ones."""
    scope = _scope(request)
    _require(scope.is_provider)
    user = request.user
    finished = Q(state__in=FINAL)
    # Every query below depends on the scope alone (own_matches and the visibility it reads): compiled once per
    # connection and scope (core.compiledsql), the pages' slices and the shown orders' ids keyed or bound; the
    # querysets are built only to be compiled.
    key = ("matched", scope)

    def mine():
        return Order.objects.filter(pk__in=policy.own_matches(user).values("order_id"))

    def listed(done: bool):
        def build():
            # The best score of the provider's own matches on each order, as a subquery per order (not a
            # GROUP BY of every match of every order joined to the page's columns).
            best = (
                Match.objects.filter(order_id=OuterRef("pk"), provider_org_id=scope.org_id)
                .order_by()
                .values("order_id")
                .annotate(best=Max("score"))
                .values("best")
            )
            orders = mine().annotate(best_score=Subquery(best)).order_by("-best_score", "-created_at", "-pk")
            return orders.filter(finished) if done else orders.exclude(finished)

        return build

    # Both lists' exact sizes in one query: the orders counted per state.
    counts = {False: 0, True: 0}
    per_state = compiledsql.fetch(
        (key, "counts"), lambda _none: mine().order_by().values("state").annotate(n=Count("pk")), ()
    )
    for row in per_state:
        counts[row["state"] in FINAL] += row["n"]
    active = Paginator(matched_orders(listed(False), (key, "active"), counts[False]), PAGE_SIZE)
    done = Paginator(matched_orders(listed(True), (key, "done"), counts[True]), PAGE_SIZE)
    active = active.get_page(request.GET.get("page"))
    done = done.get_page(request.GET.get("done_page"))
    shown = {order.pk: order for order in [*active, *done]}
    if shown:  # both pages' matches in one query

        def matches(ids):
            return policy.own_matches(user).filter(order_id__in=ids).order_by("-score", "rank")

        for match in compiledsql.fetch((key, "matches"), matches, tuple(shown)):
            shown[match.order_id].own_matches.append(match)
    match_labels.label_matches((m for order in shown.values() for m in order.own_matches), key=key)
    return render(request, "matchmaking/matched.html", {"page": active, "done": done})


@login_required
def my_responses(request):
    """资源方：我的响应."""
    scope = _scope(request)
    _require(scope.is_provider)

    def responses():
        return Proposal.objects.visible_to(request.user).select_related(None).order_by("-created_at", "-pk")

    # The rows are read as values (rows.response_values), no model instances; the responses' visibility depends
    # on the organization scope alone: the COUNT and page queries are compiled once per connection and scope.
    key = ("my responses", replace(scope, user_id=None, is_manager=False))
    return render(
        request,
        "matchmaking/my_responses.html",
        {"page": _page(request, response_values(responses, key=key))},
    )
