"""Dashboard pages, the chain map, the monthly report and XLSX exports: thin views over the reports modules.

Who sees what is decided by `access.may_see_*`; anything outside the user's scope is a 404. Numbers
come from `rollups.build_dashboard`, which counts only `Order.objects.visible_to(user)`.
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from chains.models import ChainType, County, CountyChain, Prefecture
from core.formats import format_amount, format_days
from core.progress import get_progress
from events.stats import EventStats, collect
from matchmaking import stats
from matchmaking.models import Order
from reports import access, entry, exports, index_tiers, xlsx
from reports.access import CITY, COUNTY, PROVINCE, Level
from reports.chain_map import build_chain_map
from reports.forms import DashboardFilterForm, Filters, MonthlyReportForm
from reports.monthly import monthly_report_response, monthly_table
from reports.registry import registry_board
from reports.rollups import build_dashboard, cached_dashboard


def _format(value, kind: str) -> str:
    """A cell as shown on the page (exports keep raw numbers)."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "yuan":
        return format_amount(value) if value else "0"
    if kind == "days":
        return format_days(value)
    if kind == "int":
        return f"{value:,}"
    return str(value)


def _row_html(row: dict, columns) -> str:
    """One table row: the first cell a row header (linked when the row has a `url`), the rest numbers."""
    cells = [_format(row.get(c.key), c.kind) for c in columns]
    url = row.get("url", "")
    head = format_html('<a href="{}">{}</a>', url, cells[0]) if url else conditional_escape(cells[0])
    rest = format_html_join("", '<td class="text-end text-nowrap">{}</td>', ((cell,) for cell in cells[1:]))
    return format_html('<tr><th scope="row" class="fw-normal">{}</th>{}</tr>', head, rest)


def _display(table) -> dict:
    """Header and the rendered body rows of a table (built here: a few hundred rows of cells are many
    template nodes); a row's `url` (if any) links its first cell."""
    return {
        "key": table.key,
        "title": table.title,
        "note": table.note,
        "headers": [c.label for c in table.columns],
        "body": format_html_join("\n", "{}", ((_row_html(row, table.columns),) for row in table.rows)),
    }


def _add_urls(board) -> None:
    """Drill-down links: prefecture → city dashboard, county → county dashboard, chain → its chain map."""
    for table in board.tables:
        for row in table.rows:
            if table.key == "by_geo" and board.level.kind == PROVINCE:
                row["url"] = reverse("dashboards:city", args=[row["id"]])
            elif table.key == "by_geo" and board.level.kind == CITY:
                row["url"] = reverse("dashboards:county", args=[row["id"]])
            elif table.key == "by_geo":
                row["url"] = (
                    reverse("dashboards:chain_map", args=[row["chain_type"]])
                    + f"?county={board.level.county.pk}"
                )
            elif table.key == "chains":
                row["url"] = reverse("chains:chain", args=[row["id"]])


def _charts(tables) -> dict:
    """What static/js/dashboards.js draws: per section, its chart spec, column labels and raw rows."""
    charts = {}
    for t in tables:
        if not t.chart:
            continue
        charts[t.key] = {**t.chart_payload(), "columns": {c.key: c.label for c in t.columns}, "rows": t.rows}
        if t.chart.get("secondary"):
            # The secondary line is drawn in 万元, so its legend needs the 万元 unit, not the table's 元.
            charts[t.key]["secondary_label"] = _("融资金额（万元）")
    return charts


def _js_labels() -> dict:
    """The words static/js/dashboards.js draws itself, in the request's language (read via json_script)."""
    return {
        "wan": _("万元"),
        "with_open": _("有进行中需求"),
        "without_open": _("无进行中需求"),
        "demand_suffix": pgettext("sankey node suffix", "（需求）"),
        "supply_suffix": pgettext("sankey node suffix", "（配套）"),
        "map_failed": _("地图数据未能加载，请查看表格。"),
        "no_data": _("暂无数据"),
        "separator": pgettext("label separator", "："),
    }


def _render_dashboard(request, level: Level, export_url: str):
    form = DashboardFilterForm(request.GET or None, level=level.kind)
    filters = Filters.from_form(form)
    board = cached_dashboard(request.user, level, filters)
    _add_urls(board)
    query = request.GET.urlencode()
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "board": board,
            "level": level,
            "form": form,
            "tables": [_display(t) for t in board.tables],
            "charts": _charts(board.tables),
            "labels": _js_labels(),
            "export_url": f"{export_url}?{query}" if query else export_url,
            "province_url": reverse("dashboards:province")
            if level.kind != PROVINCE and access.may_see_province(request.user)
            else "",
            "city_url": reverse("dashboards:city", args=[level.prefecture.pk])
            if level.kind == COUNTY and access.may_see_prefecture(request.user, level.prefecture.pk)
            else "",
            "now": timezone.localtime(board.computed_at),
            "registry": registry_board(request.user, level),
        },
    )


def _province_level(request) -> Level:
    if not access.may_see_province(request.user):
        raise Http404
    return Level(PROVINCE)


def _city_level(request, pk) -> Level:
    prefecture = get_object_or_404(Prefecture, pk=pk)
    if not access.may_see_prefecture(request.user, prefecture.pk):
        raise Http404
    return Level(CITY, prefecture=prefecture)


def _county_level(request, pk) -> Level:
    county = get_object_or_404(County.objects.select_related("prefecture"), pk=pk)
    if not access.may_see_county(request.user, county):
        raise Http404
    return Level(COUNTY, prefecture=county.prefecture, county=county)


@login_required
@require_GET
def index(request):
    """数据看板 entry: the dashboards and chain maps this user may open."""
    home = access.home_dashboard(request.user)
    scope_prefectures = []
    if home and home[0] == PROVINCE:
        scope_prefectures = entry.prefectures()
    chain_types = entry.chain_types()
    own_chains = []
    if home and home[0] == COUNTY:
        own_chains = entry.own_chains(home[1])
    target = None
    if home:
        target = {
            PROVINCE: lambda: reverse("dashboards:province"),
            CITY: lambda: reverse("dashboards:city", args=[home[1]]),
            COUNTY: lambda: reverse("dashboards:county", args=[home[1]]),
        }[home[0]]()
    return render(
        request,
        "dashboards/index.html",
        {
            "home_url": target,
            "prefectures": scope_prefectures,
            "chain_types": chain_types,
            "own_chains": own_chains,
            "monthly_allowed": home is not None,
        },
    )


@login_required
@require_GET
def province(request):
    """全省看板: provincial bodies and platform administrators."""
    return _render_dashboard(request, _province_level(request), reverse("dashboards:export_province"))


@login_required
@require_GET
def city(request, pk):
    """设区市看板: one prefecture with its counties side by side."""
    level = _city_level(request, pk)
    return _render_dashboard(request, level, reverse("dashboards:export_city", args=[pk]))


@login_required
@require_GET
def county(request, pk):
    """县域看板: one county with its chains."""
    level = _county_level(request, pk)
    return _render_dashboard(request, level, reverse("dashboards:export_county", args=[pk]))


@login_required
@require_GET
def chain_map(request, code):
    """产业链图谱 of a chain type (optionally centred on one county via ?county=)."""
    chain_type = get_object_or_404(ChainType, code=code)
    county = None
    if request.GET.get("county", "").isdigit():
        county = get_object_or_404(County, pk=int(request.GET["county"]))
    result = build_chain_map(request.user, chain_type, county)
    county_chain = (
        CountyChain.objects.filter(county=county, chain_type=chain_type).first()
        if county is not None
        else None
    )
    tables = [result.firms, result.orders, result.flows]
    return render(
        request,
        "dashboards/chain_map.html",
        {
            "chain_map": result,
            "chain_type": chain_type,
            "county": county,
            "county_chain": county_chain,
            "tables": [_display(t) for t in tables],
            "charts": _charts(tables),
            "labels": _js_labels(),
            "links": result.links,
        },
    )


def _dashboard_export(request, level: Level, name: str):
    form = DashboardFilterForm(request.GET or None, level=level.kind)
    board = build_dashboard(request.user, level, Filters.from_form(form))
    return xlsx.xlsx_response(xlsx.dashboard_workbook(board), name)


@login_required
@require_GET
def export_province(request):
    """The province dashboard's tables as XLSX."""
    return _dashboard_export(request, _province_level(request), _("全省对接看板"))


@login_required
@require_GET
def export_city(request, pk):
    """A city dashboard's tables as XLSX."""
    level = _city_level(request, pk)
    return _dashboard_export(request, level, f"{level.prefecture.name}{_('对接看板')}")


@login_required
@require_GET
def export_county(request, pk):
    """A county dashboard's tables as XLSX."""
    level = _county_level(request, pk)
    return _dashboard_export(request, level, f"{level.county.name}{_('对接看板')}")


@login_required
@require_GET
def export_chain_map(request, code):
    """The chain map's tables as XLSX."""
    chain_type = get_object_or_404(ChainType, code=code)
    county = None
    if request.GET.get("county", "").isdigit():
        county = get_object_or_404(County, pk=int(request.GET["county"]))
    result = build_chain_map(request.user, chain_type, county)
    name = f"{chain_type.name}{_('产业链图谱')}" + (f"（{county.name}）" if county else "")
    return xlsx.xlsx_response(xlsx.tables_workbook([result.firms, result.orders, result.flows]), name)


@login_required
@require_GET
def events_section(request):
    """The docking-events tables of a dashboard (`events.stats`), loaded by the dashboard page; the same gate."""
    level, pk = request.GET.get("level", ""), request.GET.get("id", "")
    kwargs = {}
    if level == CITY and pk.isdigit() and access.may_see_prefecture(request.user, int(pk)):
        kwargs["prefecture_id"] = get_object_or_404(Prefecture, pk=int(pk)).pk
    elif level == COUNTY and pk.isdigit():
        county = get_object_or_404(County.objects.select_related("prefecture"), pk=int(pk))
        if not access.may_see_county(request.user, county):
            raise Http404
        kwargs["county_id"] = county.pk
    elif not (level == PROVINCE and access.may_see_province(request.user)):
        raise Http404
    context = {"stats": collect(request.user, **kwargs), "labels": EventStats.labels()}
    return render(request, "events/_dashboard_section.html", context)


@login_required
@require_GET
def index_tiers_section(request):
    """Orders, outcomes and docking events per development-index tier (`reports.index_tiers`), loaded by the
    province dashboard; only for those who see its index section."""
    if not index_tiers.may_see(request.user):
        raise Http404
    return render(request, "dashboards/_index_tiers.html", index_tiers.tier_table(request.user))


@login_required
@require_GET
def match_quality_section(request):
    """How well matching works (`matchmaking.stats`): accepted responses from the top-10 matches and orders
    answered within 7 days, per kind and chain type, loaded by the province dashboard; the same gate."""
    if not access.may_see_province(request.user):
        raise Http404
    rows = stats.match_quality(Order.objects.visible_to(request.user))
    context = {"rows": rows, "anchors": stats.ANCHORS, "top_n": stats.TOP_N, "days": stats.RESPONSE_DAYS}
    return render(request, "dashboards/_match_quality.html", context)


@login_required
@require_GET
def monthly(request):
    """月度对接情况报表 on screen (the current month unless another is chosen), per prefecture and kind within the
    user's scope; `download=1` gives the same table as XLSX."""
    if access.home_dashboard(request.user) is None:
        raise Http404
    data = request.GET.copy()
    data.setdefault("month", f"{timezone.localdate():%Y-%m}")
    form = MonthlyReportForm(data)
    context = {"form": form}
    if form.is_valid():
        month = form.cleaned_data["month"]
        if request.GET.get("download"):
            return monthly_report_response(request.user, month)
        context.update(monthly_table(request.user, month))
    return render(request, "dashboards/monthly.html", context)


@login_required
@require_GET
def export_orders(request):
    """Every order list as XLSX: the same query parameters as the lists (the orders FilterSet), in scope.

    Up to `EXPORT_SYNC_MAX_ROWS` rows the file is written at once; above it a background job writes it
    and the user is sent to a page that links the download when it is ready.
    """
    orders = exports.filtered_orders(request)
    if orders.count() <= exports.sync_limit():
        return exports.orders_workbook_response(orders, _("需求清单"), request.user)
    job = exports.start_order_export(request.user, request.GET.urlencode())
    return redirect("dashboards:export_status", job_id=job)


@login_required
@require_GET
def export_status(request, job_id: uuid.UUID):
    """A background export's state; only the user who asked for it sees it."""
    job = exports.load_job(job_id, request.user)
    context = {"job": job, "job_id": job_id, "progress": get_progress(job_id)}
    if request.headers.get("HX-Request"):  # the page's progress fragment, polled every second
        return render(request, "dashboards/_export_progress.html", context)
    return render(request, "dashboards/export_status.html", context)


@login_required
@require_GET
def export_download(request, job_id: uuid.UUID):
    """The finished file of a background export; only its requester may download it."""
    job = exports.load_job(job_id, request.user)
    if job.get("state") != exports.JOB_DONE:
        raise Http404
    path = exports.job_file(job_id)
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.get("filename") or f"{job_id}.xlsx",
        content_type=xlsx.XLSX_TYPE,
    )
    return response
