"""The dashboards' sections: the grouped figures of `reports.queries` rolled up into tables and charts.

Each section is a `Table`, which the page renders both as a chart and as a table, and which the XLSX export
writes as a sheet. `cached_dashboard` keeps a built dashboard for DASHBOARD_CACHE_SECONDS.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from chains.models import County, CountyChain, Prefecture
from core.sums import as_int
from matchmaking.choices import OrderKind, OrderState, ProposalState
from matchmaking.models import Proposal, ResponseTally
from reports.access import CITY, COUNTY, PROVINCE, Level, scope_key
from reports.forms import NO_FILTERS, Filters
from reports.queries import (
    OPEN_STATES,
    Figures,
    InArray,
    level_cells,
    level_orders,
    medians,
    order_cells,
    read_rows,
    tally_cells,
)
from reports.tables import Column, Dashboard, Table, percent

TOP_PROVIDERS = 10
KIND_LABELS = dict(OrderKind.choices)
STATE_LABELS = dict(OrderState.choices)


def _label(value) -> str:
    return str(value) if value is not None else ""


def _by_kind(grouped: list[dict]) -> Table:
    kinds = {
        k: {"kind": _label(label), "total": 0, "open": 0, "resolved": 0, "financed": 0, "agreements": 0}
        for k, label in KIND_LABELS.items()
    }
    for row in grouped:
        target = kinds[row["kind"]]
        target["total"] += row["n"]
        target["open"] += row["n"] if row["state"] in OPEN_STATES else 0
        target["resolved"] += row["n"] if row["state"] == OrderState.RESOLVED else 0
        target["financed"] += row["financed"] or 0
        target["agreements"] += row["agreements"]
    rows = list(kinds.values())
    for row in rows:
        row["resolved_share"] = percent(row["resolved"], row["total"])
    return Table(
        "by_kind",
        str(_("按需求类型")),
        [
            Column("kind", str(_("需求类型")), "text"),
            Column("total", str(_("需求数"))),
            Column("open", str(_("进行中"))),
            Column("resolved", str(_("已解决"))),
            Column("resolved_share", str(_("解决率")), "percent"),
            Column("financed", str(_("融资金额（元）")), "yuan"),
            Column("agreements", str(_("签订协议数"))),
        ],
        rows,
        chart={"type": "bar", "category": "kind", "series": ["open", "resolved", "total"]},
    )


def _by_state(grouped: list[dict]) -> Table:
    counts = dict.fromkeys(OrderState.values, 0)
    for row in grouped:
        counts[row["state"]] += row["n"]
    rows = [
        {"state": _label(STATE_LABELS[s]), "total": counts[s]}
        for s in OrderState.values
        if s != OrderState.DRAFT
    ]
    return Table(
        "by_state",
        str(_("按状态")),
        [Column("state", str(_("状态")), "text"), Column("total", str(_("需求数")))],
        rows,
        chart={"type": "pie", "category": "state", "value": "total"},
    )


def _outcomes_by_kind(grouped: list[dict]) -> Table:
    kinds = {
        k: {"kind": _label(label), "outcomes": 0, "financed": 0, "agreements": 0}
        for k, label in KIND_LABELS.items()
    }
    for row in grouped:
        kinds[row["kind"]]["outcomes"] += row["outcomes"]
        kinds[row["kind"]]["financed"] += row["financed"] or 0
        kinds[row["kind"]]["agreements"] += row["agreements"]
    return Table(
        "outcomes",
        str(_("闭环成果：融资金额与签约数（按需求类型）")),
        [
            Column("kind", str(_("需求类型")), "text"),
            Column("outcomes", str(_("闭环成果数"))),
            Column("agreements", str(_("签订协议数"))),
            Column("financed", str(_("融资金额（元）")), "yuan"),
        ],
        list(kinds.values()),
        chart={
            "type": "bar",
            "category": "kind",
            "series": ["agreements", "outcomes"],
            "secondary": "financed",
        },
    )


def _funnel(summary: dict) -> Table:
    stages = [
        (str(_("已发布")), summary["published"]),
        (str(_("已接单")), summary["claimed"]),
        (str(_("对接中")), summary["docked"]),
        (str(_("已解决")), summary["resolved"]),
    ]
    first = stages[0][1]
    rows = [{"stage": name, "total": n, "share": percent(n, first)} for name, n in stages]
    return Table(
        "funnel",
        str(_("对接漏斗：发布 → 接单 → 对接 → 解决")),
        [
            Column("stage", str(_("阶段")), "text"),
            Column("total", str(_("达到该阶段的需求数"))),
            Column("share", str(_("占已发布")), "percent"),
        ],
        rows,
        chart={"type": "funnel", "category": "stage", "value": "total"},
        note=str(_("“对接中”计入曾接受响应进入对接的需求（含其后解决或关闭的）。")),
    )


# Built at import time, so the labels stay lazy; `_geo_columns()` resolves them in the request's language.
GEO_COLUMNS = [
    Column("total", _("需求数")),
    Column("open", _("进行中")),
    Column("resolved", _("已解决")),
    Column("resolved_share", _("解决率"), "percent"),
    Column("sla_share", _("按时接单率"), "percent"),
    Column("financed", _("融资金额（元）"), "yuan"),
]


def _geo_columns() -> list[Column]:
    """GEO_COLUMNS with their labels translated now (tables are cached and exported as plain strings)."""
    return [Column(c.key, str(c.label), c.kind) for c in GEO_COLUMNS]


def _geo_rows(members: Iterable, aggregates: dict, name_key: str, extra=None) -> list[dict]:
    empty = {"total": 0, "open": 0, "resolved": 0, "financed": 0, "sla_due": 0, "sla_met": 0}
    rows = []
    for member in members:
        agg = aggregates.get(member.pk, empty)
        row = {
            "id": member.pk,
            name_key: str(member),
            "total": agg["total"],
            "open": agg["open"],
            "resolved": agg["resolved"],
            "resolved_share": percent(agg["resolved"], agg["total"]),
            "sla_share": percent(agg["sla_met"], agg["sla_due"]),
            "financed": agg["financed"] or 0,
        }
        if extra:
            row.update(extra(member))
        rows.append(row)
    return rows


def _by_prefecture(figures: Figures, counties: list[County], filters: Filters) -> Table:
    prefectures = Prefecture.objects.all()
    if filters.prefecture_id:
        prefectures = prefectures.filter(pk=filters.prefecture_id)
    per_prefecture = figures.per_prefecture({c.pk: c.prefecture_id for c in counties})
    rows = _geo_rows(prefectures, per_prefecture, "prefecture")
    return Table(
        "by_geo",
        str(_("按设区市")),
        [Column("prefecture", str(_("设区市")), "text"), *_geo_columns()],
        rows,
        chart={
            "type": "bar",
            "category": "prefecture",
            "series": ["open", "resolved", "total"],
            "link": "city",
        },
    )


def _by_county(figures: Figures, counties: list[County], level: Level) -> Table:
    in_prefecture = [c for c in counties if c.prefecture_id == level.prefecture.pk]
    rows = _geo_rows(in_prefecture, figures.per_county, "county")
    return Table(
        "by_geo",
        str(_("各县域对比")),
        [Column("county", str(_("县域")), "text"), *_geo_columns()],
        rows,
        chart={
            "type": "bar",
            "category": "county",
            "series": ["open", "resolved", "total"],
            "link": "county",
        },
    )


def _by_chain(figures: Figures, level: Level, filters: Filters) -> Table:
    chains = CountyChain.objects.filter(county=level.county).select_related("chain_type")
    if filters.chain_type_id:
        chains = chains.filter(chain_type_id=filters.chain_type_id)
    rows = _geo_rows(
        chains,
        figures.per_chain,
        "chain",
        extra=lambda c: {"chain_type": c.chain_type.code},
    )
    return Table(
        "by_geo",
        str(_("本县各重点产业链")),
        [Column("chain", str(_("县域重点产业链")), "text"), *_geo_columns()],
        rows,
        chart={
            "type": "bar",
            "category": "chain",
            "series": ["open", "resolved", "total"],
            "link": "chain_map",
        },
    )


def _counties() -> list[County]:
    """All counties with their prefecture (one query, shared by the regional sections)."""
    return list(County.objects.select_related("prefecture"))


def county_metrics(figures: Figures, counties: list[County]) -> Table:
    """Per county (all 83, zero when none): open orders and resolved share — the Fujian map's data."""
    rows = _geo_rows(
        counties,
        figures.per_county,
        "county",
        extra=lambda c: {"prefecture": c.prefecture.name},
    )
    return Table(
        "county_map",
        str(_("全省县域分布")),
        [
            Column("prefecture", str(_("设区市")), "text"),
            Column("county", str(_("县域")), "text"),
            *_geo_columns(),
        ],
        rows,
        chart={"type": "map", "category": "county", "metrics": ["open", "resolved_share"]},
    )


def _chains_open(figures: Figures, level: Level, filters: Filters) -> Table:
    """Chains in the level with their open and total orders (one query for the chains; counts from the
    rolled-up cells)."""
    chains = CountyChain.objects.orderable().select_related("county", "chain_type")
    if level.kind == CITY:
        chains = chains.filter(county__prefecture=level.prefecture)
    elif level.kind == COUNTY:
        chains = chains.filter(county=level.county)
    if filters.prefecture_id:
        chains = chains.filter(county__prefecture_id=filters.prefecture_id)
    if filters.chain_type_id:
        chains = chains.filter(chain_type_id=filters.chain_type_id)
    rows = []
    for chain in chains:
        agg = figures.per_chain.get(chain.pk, {"total": 0, "open": 0})
        rows.append(
            {
                "id": chain.pk,
                "chain": chain.name,
                "county": chain.county.name,
                "chain_type": chain.chain_type.code,
                "open": agg["open"],
                "total": agg["total"],
            }
        )
    rows.sort(key=lambda r: (-r["open"], -r["total"], r["chain"]))
    with_open = sum(1 for r in rows if r["open"])
    return Table(
        "chains",
        str(_("重点产业链：有进行中需求 %(a)s 条，无进行中需求 %(b)s 条"))
        % {"a": with_open, "b": len(rows) - with_open},
        [
            Column("chain", str(_("县域重点产业链")), "text"),
            Column("county", str(_("县域")), "text"),
            Column("open", str(_("进行中需求"))),
            Column("total", str(_("需求总数"))),
        ],
        rows,
        chart={"type": "split", "value": "open", "with": with_open, "without": len(rows) - with_open},
    )


def _top_providers(orders, cells=None) -> Table:
    # Counted per provider first and named afterwards: joining the names into the grouping costs more than
    # the grouping itself. The ORM builds the (scoped) count, from the summary cells' responses when the
    # dashboard reads cells; the outer query only adds the names.
    if cells is not None:
        counted = (
            ResponseTally.objects.filter(InArray(F("cell_id"), Subquery(cells.values("pk"))))
            .order_by()
            .values("provider_org_id")
            .annotate(responses=Sum("responses"), accepted=Sum("accepted"))
        )
    else:
        counted = (
            Proposal.objects.filter(order__in=orders.values("pk"))
            .order_by()
            .values("provider_org_id")
            .annotate(
                responses=Count("pk"),
                accepted=Count("pk", filter=Q(state=ProposalState.ACCEPTED)),
            )
        )
    _columns, rows = read_rows(
        counted,
        # Only ORM-built SQL (its values stay parameters), a quoted table name and an int constant go in.
        lambda inner, quote: (
            f"SELECT org.name, counted.responses, counted.accepted FROM ({inner}) counted "  # noqa: S608
            f"JOIN {quote(Organization._meta.db_table)} org ON org.id = counted.provider_org_id "
            f"ORDER BY counted.responses DESC, counted.accepted DESC, org.name LIMIT {TOP_PROVIDERS:d}"
        ),
    )
    table_rows = [
        {
            "provider": name,
            "responses": responses,
            "accepted": accepted,
            "accepted_share": percent(accepted, responses),
        }
        for name, responses, accepted in ((n, as_int(r), as_int(a)) for n, r, a in rows)  # SUM: Decimal
    ]
    return Table(
        "providers",
        str(_("响应最多的资源方（前 %(n)s 名）")) % {"n": TOP_PROVIDERS},
        [
            Column("provider", str(_("资源方")), "text"),
            Column("responses", str(_("响应数"))),
            Column("accepted", str(_("被接受"))),
            Column("accepted_share", str(_("接受率")), "percent"),
        ],
        table_rows,
        chart={"type": "hbar", "category": "provider", "series": ["responses", "accepted"]},
    )


def build_dashboard(
    user, level: Level, filters: Filters = NO_FILTERS, now: datetime | None = None
) -> Dashboard:
    """All sections of one dashboard, every number computed in the database within the user's scope: one
    grouped query for the counted figures (over the summary table when it can answer, `tally_cells`), one for the medians (two hour-bucket queries on SQLite), one
    for the providers, and the reference rows (prefectures, counties, chains) the sections list."""
    now = now or timezone.now()
    orders = level_orders(user, level, filters)
    cells = level_cells(user, level, filters)
    figures = Figures.of(order_cells(orders, now) if cells is None else tally_cells(cells, orders, now))
    summary, grouped = figures.summary, figures.grouped
    median_claim, median_resolve = medians(orders, summary["with_claim_time"], summary["with_resolve_time"])
    totals = {
        "total": summary["total"],
        "open": summary["open"],
        "resolved": summary["resolved"],
        "resolved_share": percent(summary["resolved"], summary["total"]),
        "median_claim_days": median_claim,
        "median_resolve_days": median_resolve,
        "sla_share": percent(summary["sla_met"], summary["sla_due"]),
        "sla_due": summary["sla_due"],
        "sla_met": summary["sla_met"],
        "financed": summary["financed"],
        "agreements": summary["agreements"],
    }
    counties = _counties() if level.kind in (PROVINCE, CITY) else []
    if level.kind == PROVINCE:
        geo = _by_prefecture(figures, counties, filters)
    elif level.kind == CITY:
        geo = _by_county(figures, counties, level)
    else:
        geo = _by_chain(figures, level, filters)
    # Order = page layout: half-width pairs, then the full-width regional sections, then a pair again.
    tables = [
        _funnel(summary),
        _by_kind(grouped),
        _by_state(grouped),
        _outcomes_by_kind(grouped),
        geo,
        *([county_metrics(figures, counties)] if level.kind in (PROVINCE, CITY) else []),
        _chains_open(figures, level, filters),
        _top_providers(orders, cells),
    ]
    return Dashboard(level=level, totals=totals, tables=tables, computed_at=now)


def cached_dashboard(user, level: Level, filters: Filters = NO_FILTERS) -> Dashboard:
    """`build_dashboard`, kept for DASHBOARD_CACHE_SECONDS (default 60; 0 = off) per scope, level, filters
    and language — the page says when its numbers were computed. Exports always compute afresh."""
    seconds = int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 60))
    if seconds <= 0:
        return build_dashboard(user, level, filters)
    parts = (
        scope_key(user),
        level.kind,
        level.prefecture.pk if level.prefecture else "",
        level.county.pk if level.county else "",
        filters,
        translation.get_language(),
    )
    key = "dashboards:v1:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    board = cache.get(key)
    if board is None:
        board = build_dashboard(user, level, filters)
        cache.set(key, board, seconds)
    return board
