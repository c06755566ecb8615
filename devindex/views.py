"""Pages of the development index: thin views over ranking, profile, policy and services."""

import tempfile
from itertools import zip_longest
from pathlib import Path
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope
from chains.models import County, Prefecture
from chains.services import SpreadsheetError, read_dataset
from devindex import exports, panels, policy, profile, ranking, resources, services, workflow
from devindex.choices import ReportState, Tier
from devindex.filtersets import ReportFilter
from devindex.forms import ImportForm, MethodForm, RankingFilterForm, ReasonForm, ValuesForm
from devindex.models import (
    Computation,
    IndexEvent,
    Indicator,
    IndicatorReport,
    IndicatorValue,
    MethodVersion,
)
from devindex.workflow import DevIndexError

REPORTS_PER_PAGE = 30
TOP = 10  # the top-10 comparison beside the map


def _require(condition: bool) -> None:
    """Pages outside the user's role are simply not there (404)."""
    if not condition:
        raise Http404


def _labels() -> dict:
    """Words static/devindex/devindex.js draws, in the request's language."""
    return {
        "separator": _("："),
        "rank": _("排名"),
        "no_data": _("暂无数据"),
        "map_failed": _("地图数据未能加载，请查看表格。"),
        "county": _("本县域"),
        "median": _("全省中位数"),
        "top10": _("前十名平均"),
        "not_ranked": _("未参与排名"),
    }


# --- ranking and map --------------------------------------------------------------------------------


def _ranking_state(request):
    _require(policy.may_see_index(request.user))
    dimensions = ranking.dimensions()
    years = ranking.years(request.user)
    form = RankingFilterForm(request.GET or None, years=years, dimensions=dimensions)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = ranking.pick_year(request.user, data.get("year"))
    prefecture = data.get("prefecture")
    rows = (
        ranking.side_by_side(
            request.user,
            year,
            tier=data.get("tier") or "",
            prefecture_id=prefecture.pk if prefecture else None,
        )
        if year
        else []
    )
    return form, data, year, rows, dimensions


@login_required
def ranking_page(request):
    """全省发展指数排名与地图 (computed beside published; filters by tier and prefecture)."""
    form, data, year, rows, dimensions = _ranking_state(request)
    metric = data.get("metric") or "total"
    map_rows = []
    for row in rows:
        source = row.computed or row.published
        values = {"total": source["total"]}
        values.update({code: d["score"] for code, d in source["dimensions"].items()})
        map_rows.append(
            {
                "name": row.county_name,
                "values": values,
                "rank": source["rank"],
                "url": reverse("devindex:county", args=[row.county_id]) + f"?year={year}"
                if policy.may_see_county(request.user)
                else "",
            }
        )
    computation = (
        Computation.objects.filter(year=year).select_related("method_version").first() if year else None
    )
    query = request.GET.urlencode()
    computed_top = [r for r in rows if r.computed and r.computed["rank"] and r.computed["rank"] <= TOP][:TOP]
    published_top = sorted(
        (r for r in rows if r.published and r.published["rank"]), key=lambda r: r.published["rank"]
    )
    return render(
        request,
        "devindex/ranking.html",
        {
            "form": form,
            "year": year,
            "rows": rows,
            "dimensions": dimensions,
            "metric": metric,
            "tier_labels": dict(Tier.choices),
            "computation": computation,
            "current": services.is_current(year) if computation else True,
            "sample": any(r.computed and r.computed["sample"] for r in rows),
            "has_published": any(r.published for r in rows),
            "show_computed": any(r.computed for r in rows),
            "may_see_county": policy.may_see_county(request.user),
            "may_report": policy.may_fill(request.user) or policy.may_review(request.user),
            "map_data": {"metric": metric, "rows": map_rows},
            "top": list(zip_longest(computed_top, published_top[:TOP])),
            "labels": _labels(),
            "export_url": reverse("devindex:export") + (f"?{query}" if query else ""),
        },
    )


@login_required
def export_ranking(request):
    """The ranking as filtered on the page, as XLSX."""
    _form, _data, year, rows, dimensions = _ranking_state(request)
    _require(year is not None)
    return exports.ranking_workbook(year, rows, dimensions)


# --- county page ------------------------------------------------------------------------------------


@login_required
def county_page(request, pk):
    """A county's index: radar against the province, strengths and weaknesses, what to do, its values."""
    _require(policy.may_see_county(request.user))
    county = get_object_or_404(County.objects.select_related("prefecture"), pk=pk)
    year = ranking.pick_year(request.user, request.GET.get("year"))
    _require(year is not None)
    data = profile.build(request.user, county, year)
    helps = [
        {
            "dimension": view,
            "help": resources.HELP[view.code],
            "suggestions": resources.suggestions(request.user, county, view.code),
            "orders_url": resources.orders_url(county, view.code),
        }
        for view in data.weak
        if view.code in resources.HELP
    ]
    radar = {
        "indicators": [{"name": d.name, "max": 100} for d in data.dimensions],
        "series": [
            {"key": "county", "name": county.name, "values": [d.score for d in data.dimensions]},
            {"key": "median", "values": [d.median for d in data.dimensions]},
            {"key": "top10", "values": [d.top10_mean for d in data.dimensions]},
        ],
    }
    return render(
        request,
        "devindex/county.html",
        {
            "county": county,
            "year": year,
            "years": ranking.years(request.user),
            "profile": data,
            "helps": helps,
            "radar": radar,
            "labels": _labels(),
            "tier_labels": dict(Tier.choices),
            "own_county": policy.own_county_id(request.user) == county.pk,
        },
    )


# --- dashboard panel ----------------------------------------------------------------------------------


@login_required
def dashboard_panel(request, kind):
    """The index section of a dashboard (fetched by static/devindex/panel.js); 404 where the dashboard is."""
    county = prefecture = None
    if kind == panels.COUNTY:
        county = get_object_or_404(
            County.objects.select_related("prefecture"), pk=_int(request.GET.get("id"))
        )
        prefecture = county.prefecture
    elif kind == panels.CITY:
        prefecture = get_object_or_404(Prefecture, pk=_int(request.GET.get("id")))
    elif kind != panels.PROVINCE:
        raise Http404
    _require(policy.may_see_dashboard(request.user, kind, prefecture, county))
    context = panels.dashboard_panel(
        request.user, SimpleNamespace(kind=kind, prefecture=prefecture, county=county)
    )
    return render(request, "devindex/_dashboard_panel.html", context)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


# --- method -----------------------------------------------------------------------------------------


def _values_table(user, year: int):
    """(county, values by code, is_sample) for every county with an approved report the user may read."""
    reports = (
        IndicatorReport.objects.visible_to(user)
        .filter(year=year, state=ReportState.APPROVED)
        .select_related("county__prefecture")
        .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")))
        .order_by("county__prefecture__position", "county__position")
    )
    return [(r.county, {v.indicator.code: v.value for v in r.values.all()}, r.is_sample) for r in reports]


@login_required
def method_page(request):
    """How the index is computed (as implemented), the weights in force, their history and every county's
    approved values of a year."""
    _require(policy.may_see_county(request.user))
    version = MethodVersion.current()
    indicators = list(Indicator.objects.select_related("dimension"))
    year = ranking.pick_year(request.user, request.GET.get("year"))
    table = _values_table(request.user, year) if year else []
    return render(
        request,
        "devindex/method.html",
        {
            "version": version,
            "versions": MethodVersion.objects.select_related("created_by")[:20],
            "indicators": indicators,
            "year": year,
            "years": ranking.years(request.user),
            "table": [
                (county, [values.get(i.code) for i in indicators], sample) for county, values, sample in table
            ],
            "may_manage": policy.may_manage(request.user),
            "computation": Computation.objects.filter(year=year).first() if year else None,
        },
    )


@login_required
def export_values(request):
    """A year's approved values as XLSX (the import's columns)."""
    _require(policy.may_see_county(request.user))
    year = ranking.pick_year(request.user, request.GET.get("year"))
    _require(year is not None)
    indicators = list(Indicator.objects.select_related("dimension"))
    return exports.values_workbook(year, _values_table(request.user, year), indicators)


@login_required
def method_edit(request):
    """A new method version (administrators)."""
    _require(policy.may_manage(request.user))
    indicators = list(Indicator.objects.select_related("dimension"))
    form = MethodForm(request.POST or None, version=MethodVersion.current(), indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_method(by=request.user, **form.method_data())
        except DevIndexError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已生效：%(v)s。各年度指数将按新方法重新计算。") % {"v": version})
            return redirect("devindex:method")
    return render(request, "devindex/method_edit.html", {"form": form})


# --- yearly reports ---------------------------------------------------------------------------------


@login_required
def report_list(request):
    """县域：本县各年度填报；设区市：所辖县域待审核的填报；管理员：全部。"""
    scope = Scope.for_user(request.user)
    _require(scope.is_county or scope.is_city or scope.is_admin)
    queryset = IndicatorReport.objects.visible_to(request.user).select_related("county__prefecture")
    if scope.is_county:
        queryset = queryset.filter(county_id=scope.county_id)
    elif scope.is_city:
        queryset = queryset.filter(county__prefecture_id=scope.prefecture_id)
    filterset = ReportFilter(request.GET or None, queryset=queryset)
    page = Paginator(
        filterset.qs.order_by("-year", "county__prefecture__position", "county__position"), REPORTS_PER_PAGE
    )
    return render(
        request,
        "devindex/report_list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "filter": filterset,
            "is_county": scope.is_county,
            "may_manage": policy.may_manage(request.user),
            # the year after the latest with results (statistics are reported for the past year)
            "next_year": (ranking.pick_year(request.user, None) or timezone.localdate().year - 2) + 1,
        },
    )


@login_required
def report_edit(request, year):
    """县域填报本县某年度的指标值（填报中或已退回时）。"""
    scope = Scope.for_user(request.user)
    _require(scope.is_county)
    county = get_object_or_404(County, pk=scope.county_id)
    try:
        year = services.check_year(year)
    except DevIndexError as exc:
        raise Http404 from exc
    report = IndicatorReport.objects.filter(county=county, year=year).first()
    if report and not workflow.may_edit_values(report, scope):
        messages.info(
            request, _("该年度填报当前状态为“%(state)s”，不能修改。") % {"state": report.get_state_display()}
        )
        return redirect("devindex:report", pk=report.pk)
    indicators = list(Indicator.objects.select_related("dimension"))
    current = {v.indicator.code: v.value for v in report.values.select_related("indicator")} if report else {}
    form = ValuesForm(request.POST or None, indicators=indicators, initial_values=current)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.save_values(county, year, form.cleaned_data, by=request.user)
            if "submit" in request.POST:
                services.submit_report(report, by=request.user)
                messages.success(request, _("已提交，等待设区市审核。"))
            else:
                messages.success(request, _("已保存。"))
            return redirect("devindex:report", pk=report.pk)
        except DevIndexError as exc:
            messages.error(request, exc.message)
            for code, text in exc.errors.items():
                if code in form.fields:
                    form.add_error(code, text)
    return render(
        request, "devindex/report_form.html", {"form": form, "county": county, "year": year, "report": report}
    )


@login_required
def report_detail(request, pk):
    """A yearly report: its values, its log and the actions the user may take."""
    report = get_object_or_404(
        IndicatorReport.objects.visible_to(request.user).select_related("county__prefecture"), pk=pk
    )
    scope = Scope.for_user(request.user)
    values = {v.indicator_id: v.value for v in report.values.all()}
    indicators = list(Indicator.objects.select_related("dimension"))
    actions = [a for a in workflow.TRANSITIONS if workflow.can(report, a, scope)]
    return render(
        request,
        "devindex/report_detail.html",
        {
            "report": report,
            "rows": [(i, values.get(i.pk)) for i in indicators],
            "events": IndexEvent.objects.filter(report=report).select_related("actor"),
            "actions": actions,
            "action_labels": workflow.ACTION_LABELS,
            "reason_form": ReasonForm(),
            "state_note": report.state_note if policy.may_read_state_note(request.user, report) else "",
            "show_reasons": policy.may_read_state_note(request.user, report),
            "may_edit": workflow.may_edit_values(report, scope) and scope.is_county,
        },
    )


ACTIONS = {
    "submit": services.submit_report,
    "approve": services.approve_report,
    "return": services.return_report,
    "reopen": services.reopen_report,
}


@login_required
@require_POST
def report_action(request, pk, action):
    """Submit, approve, return or reopen a report (the workflow decides who may)."""
    report = get_object_or_404(IndicatorReport.objects.visible_to(request.user), pk=pk)
    _require(action in ACTIONS)
    kwargs = {}
    if workflow.TRANSITIONS[action].needs_reason:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写原因。"))
            return redirect("devindex:report", pk=report.pk)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        ACTIONS[action](report, by=request.user, **kwargs)
    except DevIndexError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已%(action)s。") % {"action": workflow.ACTION_LABELS[action]})
    return redirect("devindex:report", pk=report.pk)


@login_required
def import_page(request):
    """Bulk import of yearly values (administrators): check first, then import; any bad row imports nothing."""
    _require(policy.may_manage(request.user))
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        try:
            dataset = _dataset(upload, suffix)
            outcome = services.import_values(dataset, by=request.user, dry_run=form.cleaned_data["dry_run"])
        except (SpreadsheetError, DevIndexError) as exc:
            messages.error(request, str(exc))
        else:
            if outcome.ok and not outcome.dry_run:
                messages.success(
                    request,
                    _("已导入：新增 %(new)s，更新 %(updated)s，未变 %(same)s；相关年度正在重新计算。")
                    % {"new": outcome.new, "updated": outcome.updated, "same": outcome.unchanged},
                )
    indicators = list(Indicator.objects.select_related("dimension"))
    return render(
        request, "devindex/import.html", {"form": form, "outcome": outcome, "indicators": indicators}
    )


def _dataset(upload, suffix: str):
    """Read an uploaded CSV/XLSX with the catalog's reader."""
    # the catalog reader takes a path: the upload goes through a temporary file of the same suffix
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        return read_dataset(Path(handle.name))
