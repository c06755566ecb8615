"""Dashboards: aggregated, scope-aware queries over orders for the province, a prefecture city and a county.

Every number starts from `Order.objects.visible_to(user)` (so nothing outside the user's scope is ever
counted), drops drafts (an order is "placed" once submitted), then narrows to the dashboard's level and
the filters. All aggregation runs in the database (GROUP BY / conditional COUNT and SUM); Python only
reshapes the handful of grouped rows into tables and chart series. Each section is a `Table`, which the
page renders both as a chart and as a table, and which the XLSX export writes as a sheet.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Round
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.scoping import Scope
from chains import groups
from chains.models import ChainLink, ChainType, County, CountyChain, Enterprise, Prefecture
from matchmaking.choices import OrderKind, OrderState, OutcomeType, ResourceType, ResponseState
from matchmaking.models import RESPONDABLE, Match, Order, Response

S = OrderState
OPEN_STATES = tuple(RESPONDABLE)  # published, claimed, docking: waiting for or under way
FINANCED_TYPES = (OutcomeType.CREDIT, OutcomeType.EQUITY)
TOP_PROVIDERS = 10

PROVINCE, CITY, COUNTY = "province", "city", "county"


# --- who may see which dashboard ------------------------------------------------------------------


def may_see_province(user) -> bool:
    """Provincial bodies and platform administrators."""
    scope = Scope.for_user(user)
    return scope.is_admin or scope.is_body


def may_see_prefecture(user, prefecture_id: int) -> bool:
    """Bodies and administrators: any prefecture; a city: its own."""
    scope = Scope.for_user(user)
    return scope.is_admin or scope.is_body or (scope.is_city and scope.prefecture_id == prefecture_id)


def may_see_county(user, county: County) -> bool:
    """Bodies and administrators: any county; a city: its counties; a county: itself."""
    scope = Scope.for_user(user)
    if scope.is_admin or scope.is_body:
        return True
    if scope.is_city:
        return scope.prefecture_id == county.prefecture_id
    return scope.is_county and scope.county_id == county.pk


def home_dashboard(user) -> tuple[str, int | None] | None:
    """The dashboard a user lands on: (level, id) or None when the user has none."""
    scope = Scope.for_user(user)
    if scope.is_admin or scope.is_body:
        return PROVINCE, None
    if scope.is_city:
        return CITY, scope.prefecture_id
    if scope.is_county:
        return COUNTY, scope.county_id
    return None


# --- filters --------------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    """Period, prefecture, chain type and kind; every field optional."""

    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    prefecture = forms.ModelChoiceField(
        label=_("设区市"), queryset=Prefecture.objects.all(), required=False, empty_label=_("全部设区市")
    )
    chain_type = forms.ModelChoiceField(
        label=_("产业链类型"),
        queryset=ChainType.objects.all(),
        required=False,
        empty_label=_("全部产业链类型"),
        to_field_name="code",
    )
    kind = forms.ChoiceField(
        label=_("需求类型"), required=False, choices=[("", _("全部需求类型")), *OrderKind.choices]
    )
    county_group = forms.ChoiceField(label=_("县域层级"), required=False)

    def __init__(self, *args, level: str = PROVINCE, **kwargs):
        super().__init__(*args, **kwargs)
        # Named county groups other apps register (e.g. the development index's tiers), see chains.groups.
        self.fields["county_group"].choices = [("", _("全部县域")), *groups.choices()]
        if level == COUNTY or not groups.choices():
            del self.fields["county_group"]
        if level != PROVINCE:
            del self.fields["prefecture"]
        for item in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(item, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            item.widget.attrs.setdefault("class", css)

    def clean(self):
        """The period must not end before it starts."""
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("截止日期不能早于起始日期。"))
        return data


@dataclass(frozen=True)
class Filters:
    """The cleaned filter values (all optional)."""

    start: date | None = None
    end: date | None = None
    prefecture_id: int | None = None
    chain_type_id: int | None = None
    kind: str = ""
    county_group: str = ""

    @classmethod
    def from_form(cls, form: DashboardFilterForm) -> "Filters":
        """Values of a bound form; invalid input means no filter (the form shows the errors)."""
        if not form.is_bound or not form.is_valid():
            return cls()
        data = form.cleaned_data
        prefecture = data.get("prefecture")
        chain_type = data.get("chain_type")
        return cls(
            start=data.get("start"),
            end=data.get("end"),
            prefecture_id=prefecture.pk if prefecture else None,
            chain_type_id=chain_type.pk if chain_type else None,
            kind=data.get("kind") or "",
            county_group=data.get("county_group") or "",
        )

    def apply(self, orders):
        """Narrow an order queryset: created in the period, in the prefecture, of the chain type and kind."""
        tz = timezone.get_current_timezone()
        if self.start:
            orders = orders.filter(created_at__gte=datetime.combine(self.start, time.min, tzinfo=tz))
        if self.end:
            orders = orders.filter(
                created_at__lt=datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
            )
        if self.prefecture_id:
            orders = orders.filter(county__prefecture_id=self.prefecture_id)
        if self.chain_type_id:
            orders = orders.filter(chain__chain_type_id=self.chain_type_id)
        if self.kind:
            orders = orders.filter(kind=self.kind)
        if self.county_group:
            orders = orders.filter(county_id__in=groups.county_ids(self.county_group) or ())
        return orders


# --- the order set of a dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """Which dashboard: the province, one prefecture city, or one county."""

    kind: str
    prefecture: Prefecture | None = None
    county: County | None = None

    @property
    def title(self) -> str:
        """Heading of the dashboard."""
        if self.kind == COUNTY:
            return f"{self.county.name} · {_('县域对接看板')}"
        if self.kind == CITY:
            return f"{self.prefecture.name} · {_('设区市对接看板')}"
        return str(_("全省四链对接看板"))


def level_orders(user, level: Level, filters: Filters = Filters()):
    """The orders a dashboard counts: visible to the user, placed (not drafts), in the level, filtered."""
    orders = Order.objects.visible_to(user).exclude(state=S.DRAFT)
    if level.kind == CITY:
        orders = orders.filter(county__prefecture_id=level.prefecture.pk)
    elif level.kind == COUNTY:
        orders = orders.filter(county_id=level.county.pk)
    return filters.apply(orders)


class DaysBetween(Func):
    """(end - start) in days as a float, with each database's native date arithmetic (no Python UDFs)."""

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"(julianday({end_sql}) - julianday({start_sql}))", (*end_params, *start_params)

    def as_sql(self, compiler, connection, **extra):
        end, start = self.source_expressions
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return f"(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 86400.0)", (*end_params, *start_params)


def sla_due_q(until: datetime) -> Q:
    """Orders whose claim was due by `until`: published and claimed, or still unclaimed past the deadline
    fixed at publication (`claim_due_at`)."""
    return Q(published_at__isnull=False) & (Q(claimed_at__isnull=False) | Q(claim_due_at__lt=until))


def sla_met_q() -> Q:
    """Orders claimed by their deadline (a claim exactly at the deadline is in time)."""
    return Q(published_at__isnull=False, claimed_at__isnull=False, claimed_at__lte=F("claim_due_at"))


def _sla_counts(until: datetime) -> dict:
    """Conditional counts for the service level: claimed in time, and orders whose claim was due."""
    return {"sla_due": Count("pk", filter=sla_due_q(until)), "sla_met": Count("pk", filter=sla_met_q())}


def _docked():
    """An order reached docking when it is docking / resolved now, or was closed after accepting a response."""
    accepted = Response.objects.filter(order_id=OuterRef("pk"), state=ResponseState.ACCEPTED)
    # Only closed orders can have docked without being docking/resolved now: probe responses for those.
    return Q(state__in=(S.DOCKING, S.RESOLVED)) | (Q(state=S.CLOSED) & Q(Exists(accepted)))


def percent(part: int | None, whole: int | None) -> float | None:
    """part / whole as a percentage with one decimal, None when there is nothing to divide."""
    if not whole:
        return None
    return round(100.0 * (part or 0) / whole, 1)


CLAIM_TIME_Q = Q(published_at__isnull=False, claimed_at__isnull=False)
RESOLVE_TIME_Q = Q(state=S.RESOLVED, published_at__isnull=False, finished_at__isnull=False)


class MedianHours(Aggregate):
    """PostgreSQL: median of an interval in whole hours (rounded half up), with percentile_cont — the mean of
    the two middle values when the count is even, exactly what walking the hour buckets gives."""

    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY floor(date_part('epoch', %(expressions)s) / 3600.0 + 0.5))"
    output_field = FloatField()
    arity = 1


def _median_from_buckets(orders, start: str, end: str, when: Q) -> float | None:
    """Median of (end - start) in hours: durations grouped by the hour in SQL and the median found by walking
    the (few hundred) hour buckets — never the order rows. Portable (the embedded SQLite default)."""
    buckets = (
        orders.filter(when)
        .annotate(hour=Round(DaysBetween(end, start) * 24))
        .order_by()
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by("hour")
    )
    total = 0
    rows = list(buckets.values_list("hour", "n"))
    size = sum(n for _hour, n in rows)
    if not size:
        return None
    wanted = {(size - 1) // 2, size // 2}
    picked = []
    for hour, n in rows:
        for position in sorted(wanted):
            if total <= position < total + n:
                picked.append(hour)
        total += n
    return sum(picked) / len(picked)


def _medians(orders, with_claim_time: int, with_resolve_time: int) -> tuple[float | None, float | None]:
    """Median days from publication to claim and to resolution, to the hour (None without such orders).
    PostgreSQL computes both in one scan; elsewhere each comes from its hour buckets."""
    claim_hours = resolve_hours = None
    if connection.vendor == "postgresql":
        if with_claim_time or with_resolve_time:
            found = orders.order_by().aggregate(
                claim=MedianHours(F("claimed_at") - F("published_at"), filter=CLAIM_TIME_Q),
                resolve=MedianHours(F("finished_at") - F("published_at"), filter=RESOLVE_TIME_Q),
            )
            claim_hours, resolve_hours = found["claim"], found["resolve"]
    else:
        if with_claim_time:
            claim_hours = _median_from_buckets(orders, "published_at", "claimed_at", CLAIM_TIME_Q)
        if with_resolve_time:
            resolve_hours = _median_from_buckets(orders, "published_at", "finished_at", RESOLVE_TIME_Q)
    return tuple(None if h is None else round(h / 24, 1) for h in (claim_hours, resolve_hours))


# --- output shapes --------------------------------------------------------------------------------


@dataclass
class Column:
    """A table column: key into the row dicts, Chinese header, and kind for formatting."""

    key: str
    label: str
    kind: str = "int"  # int | text | percent | days | yuan


@dataclass
class Table:
    """One dashboard section: a titled table and the chart drawn from it (see static/js/dashboards.js)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: dict = field(default_factory=dict)
    note: str = ""

    def chart_payload(self) -> dict:
        """What the page's JavaScript needs to draw this section's chart."""
        return {"key": self.key, "title": self.title, **self.chart}


@dataclass
class Dashboard:
    """Everything one dashboard page shows."""

    level: Level
    totals: dict
    tables: list[Table]
    computed_at: datetime | None = None

    def table(self, key: str) -> Table:
        """The section with this key."""
        return next(t for t in self.tables if t.key == key)

    def charts(self) -> dict:
        """Chart payloads by key, for `json_script`."""
        return {t.key: t.chart_payload() for t in self.tables if t.chart}


KIND_LABELS = dict(OrderKind.choices)
STATE_LABELS = dict(OrderState.choices)


def _label(value) -> str:
    return str(value) if value is not None else ""


# --- sections -------------------------------------------------------------------------------------


# What every section sums: the order count, open/resolved (from the state), the funnel stages, the sizes
# the medians need, the service-level counts and the outcome figures.
SUM_KEYS = (
    "total",
    "open",
    "resolved",
    "published",
    "claimed",
    "docked",
    "with_claim_time",
    "with_resolve_time",
    "sla_due",
    "sla_met",
    "financed",
    "agreements",
    "outcomes",
)


def _cells(orders, now: datetime) -> tuple[list[tuple], np.ndarray]:
    """One query for all counted figures: per (county, chain, kind, state), the order count with the funnel,
    service-level, median-size and outcome figures as conditional COUNT / SUM columns. It returns at most
    the combinations that occur (a few thousand grouped rows, never order rows) as their keys and a matrix
    with one column per SUM_KEYS, which `Figures.of` sums into every section. An outcome belongs to one
    order (one-to-one), so its LEFT JOIN cannot fan out.

    The ORM builds the query (scope and filters included); its rows are read from the cursor, because
    Django's per-value converters cost more than the query's own grouping at this size."""
    grouped = (
        orders.order_by()
        .values("county", "chain", "kind", "state")
        .annotate(
            total=Count("pk"),
            published=Count("pk", filter=Q(published_at__isnull=False)),
            claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
            docked=Count("pk", filter=_docked()),
            with_claim_time=Count("pk", filter=CLAIM_TIME_Q),
            with_resolve_time=Count("pk", filter=RESOLVE_TIME_Q),
            financed=Sum("outcome__amount_yuan", filter=Q(outcome__outcome_type__in=FINANCED_TYPES)),
            agreements=Count("outcome", filter=Q(outcome__outcome_type=OutcomeType.AGREEMENT)),
            outcomes=Count("outcome"),
            **_sla_counts(now),
        )
    )
    column, rows = _read(grouped)
    keys = [(r[column["county"]], r[column["chain"]], r[column["kind"]], r[column["state"]]) for r in rows]
    matrix = np.zeros((len(rows), len(SUM_KEYS)), dtype=np.int64)
    for j, name in enumerate(SUM_KEYS):
        if name in column:  # open / resolved come from the state below
            i = column[name]
            matrix[:, j] = [r[i] or 0 for r in rows]  # SUM is NULL (and a Decimal on PostgreSQL)
    total = matrix[:, SUM_KEYS.index("total")]
    states = [key[3] for key in keys]
    matrix[:, SUM_KEYS.index("open")] = total * np.isin(states, OPEN_STATES)
    matrix[:, SUM_KEYS.index("resolved")] = total * (np.asarray(states, dtype=object) == S.RESOLVED)
    return keys, matrix


def _read(queryset, wrap=None) -> tuple[dict[str, int], list[tuple]]:
    """(column index by name, rows) of an ORM-built query read straight from the cursor: no model instances
    and no per-value converters. `wrap(sql, quote_name)` may put the query inside an outer SELECT."""
    sql, params = queryset.query.sql_with_params()
    connection_ = connections[queryset.db]
    if wrap is not None:
        sql = wrap(sql, connection_.ops.quote_name)
    with connection_.cursor() as cursor:
        cursor.execute(sql, params)
        return {c[0]: i for i, c in enumerate(cursor.description)}, cursor.fetchall()


def _sum_by(keys: list, matrix: np.ndarray) -> tuple[list, np.ndarray]:
    """Sum the matrix rows per key: (distinct keys in first-seen order, one row of sums each)."""
    ids: dict = {}
    gid = np.fromiter((ids.setdefault(key, len(ids)) for key in keys), dtype=np.intp, count=len(keys))
    sums = np.zeros((len(ids), len(SUM_KEYS)), dtype=np.int64)
    np.add.at(sums, gid, matrix)
    return list(ids), sums


def _as_dicts(keys: list, sums: np.ndarray) -> dict:
    """{key: {SUM_KEYS name: int}} from `_sum_by`'s result."""
    return {key: dict(zip(SUM_KEYS, row, strict=True)) for key, row in zip(keys, sums.tolist(), strict=True)}


@dataclass
class Figures:
    """The cells rolled up once for all sections: overall, per (kind, state), per county and per chain."""

    places: list[tuple]  # (county, chain) pairs: chains are county-level, so ~60 of them
    place_sums: np.ndarray  # their SUM_KEYS sums, from which the regional groupings are summed
    summary: dict
    grouped: list[dict]
    per_county: dict
    per_chain: dict

    @classmethod
    def of(cls, cells: tuple[list[tuple], np.ndarray]) -> "Figures":
        """Roll the cells up into the groups the sections show."""
        keys, matrix = cells
        places, place_sums = _sum_by([key[:2] for key in keys], matrix)
        kind_state = _as_dicts(*_sum_by([key[2:] for key in keys], matrix))
        return cls(
            places=places,
            place_sums=place_sums,
            summary=dict(zip(SUM_KEYS, matrix.sum(axis=0).tolist(), strict=True)),
            grouped=[
                {"kind": kind, "state": state, "n": sums["total"], **sums}
                for (kind, state), sums in kind_state.items()
            ],
            per_county=_as_dicts(*_sum_by([county for county, _chain in places], place_sums)),
            per_chain=_as_dicts(*_sum_by([chain for _county, chain in places], place_sums)),
        )

    def per_prefecture(self, prefecture_of: dict[int, int]) -> dict:
        """Per prefecture, from the (county, chain) sums and each county's prefecture."""
        return _as_dicts(*_sum_by([prefecture_of[county] for county, _chain in self.places], self.place_sums))


def _by_kind(grouped: list[dict]) -> Table:
    kinds = {
        k: {"kind": _label(label), "total": 0, "open": 0, "resolved": 0, "financed": 0, "agreements": 0}
        for k, label in KIND_LABELS.items()
    }
    for row in grouped:
        target = kinds[row["kind"]]
        target["total"] += row["n"]
        target["open"] += row["n"] if row["state"] in OPEN_STATES else 0
        target["resolved"] += row["n"] if row["state"] == S.RESOLVED else 0
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
    counts = dict.fromkeys(S.values, 0)
    for row in grouped:
        counts[row["state"]] += row["n"]
    rows = [{"state": _label(STATE_LABELS[s]), "total": counts[s]} for s in S.values if s != S.DRAFT]
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
    chains = CountyChain.objects.active().select_related("county", "chain_type")
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


def _top_providers(orders) -> Table:
    # Counted per provider first and named afterwards: joining the names into the grouping costs more than
    # the grouping itself. The ORM builds the (scoped) count; the outer query only adds the names.
    counted = (
        Response.objects.filter(order__in=orders.values("pk"))
        .order_by()
        .values("provider_org_id")
        .annotate(
            responses=Count("pk"),
            accepted=Count("pk", filter=Q(state=ResponseState.ACCEPTED)),
        )
    )
    _columns, rows = _read(
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
        for name, responses, accepted in rows
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
    user, level: Level, filters: Filters = Filters(), now: datetime | None = None
) -> Dashboard:
    """All sections of one dashboard, every number computed in the database within the user's scope: one
    grouped query for the counted figures, one for the medians (two hour-bucket queries on SQLite), one
    for the providers, and the reference rows (prefectures, counties, chains) the sections list."""
    now = now or timezone.now()
    orders = level_orders(user, level, filters)
    figures = Figures.of(_cells(orders, now))
    summary, grouped = figures.summary, figures.grouped
    median_claim, median_resolve = _medians(orders, summary["with_claim_time"], summary["with_resolve_time"])
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
        _top_providers(orders),
    ]
    return Dashboard(level=level, totals=totals, tables=tables, computed_at=now)


def scope_key(user) -> str:
    """What a user's visible orders depend on: users with the same key see exactly the same orders."""
    scope = Scope.for_user(user)
    if scope.is_admin:
        return "admin"
    if not scope.active:
        return "none"
    if scope.is_county:
        return f"county:{scope.county_id}"
    if scope.is_city:
        return f"city:{scope.prefecture_id}"
    if scope.is_body:
        return f"body:{scope.body_id}:{','.join(sorted(scope.handles))}"
    return f"org:{scope.org_kind}:{scope.org_id}"


def cached_dashboard(user, level: Level, filters: Filters = Filters()) -> Dashboard:
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


# --- chain map ------------------------------------------------------------------------------------


@dataclass
class ChainMap:
    """产业链图谱 of one chain type: links upstream → downstream, firms per link and county, open orders,
    and the cross-county supplier links proposed by matching."""

    chain_type: ChainType
    county: County | None
    links: list[ChainLink]
    counties: list[County]
    firms: Table
    orders: Table
    flows: Table

    def charts(self) -> dict:
        """Chart payloads by key, for `json_script`."""
        return {t.key: t.chart_payload() for t in (self.firms, self.orders, self.flows)}


def build_chain_map(user, chain_type: ChainType, county: County | None = None) -> ChainMap:
    """The chain map; catalog counts are public, order and match counts come from the user's visible orders."""
    links = list(ChainLink.objects.filter(chain_type=chain_type).order_by("position"))
    firm_counts = list(
        Enterprise.objects.filter(chain_type=chain_type, county__isnull=False)
        .order_by()
        .values("link_id", "county_id")
        .annotate(n=Count("pk"))
    )
    orders = Order.objects.visible_to(user).exclude(state=S.DRAFT).filter(chain__chain_type=chain_type)
    if county is not None:
        orders = orders.filter(county=county)
    order_counts = list(
        orders.order_by()
        .values("link_id", "county_id")
        .annotate(open=Count("pk", filter=Q(state__in=OPEN_STATES)), total=Count("pk"))
    )
    # order_by(): without it the subqueries would carry Enterprise's default ordering (three joins and a
    # sort per matched row) to pick the only row a primary key can match.
    firm = Enterprise.objects.filter(pk=OuterRef("resource_id")).order_by()
    firm_county, firm_link = firm.values("county_id")[:1], firm.values("link_id")[:1]
    flow_rows = list(
        Match.objects.filter(
            resource_type=ResourceType.ENTERPRISE,
            order__in=orders.filter(kind=OrderKind.INDUSTRY).values("pk"),
        )
        .annotate(firm_county=Subquery(firm_county), firm_link=Subquery(firm_link))
        .exclude(firm_county__isnull=True)
        .exclude(firm_county=F("order__county_id"))
        .order_by()
        .values("order__county_id", "firm_county", "firm_link")
        .annotate(n=Count("pk"), orders=Count("order", distinct=True))
    )
    county_ids = (
        {r["county_id"] for r in firm_counts}
        | {r["county_id"] for r in order_counts}
        | {r["order__county_id"] for r in flow_rows}
        | {r["firm_county"] for r in flow_rows}
        | set(CountyChain.objects.filter(chain_type=chain_type).values_list("county_id", flat=True))
    )
    if county is not None:
        county_ids.add(county.pk)
    counties = list(County.objects.filter(pk__in=county_ids).select_related("prefecture"))
    names = {c.pk: c.name for c in counties}
    link_names = {link.pk: link.name for link in links}

    firm_grid = {(r["link_id"], r["county_id"]): r["n"] for r in firm_counts}
    # Columns: counties with at least one firm on the chain, and the county whose map this is.
    with_firms = {r["county_id"] for r in firm_counts} | ({county.pk} if county else set())
    firm_counties = [c for c in counties if c.pk in with_firms]
    firm_rows = []
    for link in links:
        row = {"link": link.name, "stage": str(link.get_stage_display())}
        for c in firm_counties:
            row[f"c{c.pk}"] = firm_grid.get((link.pk, c.pk), 0)
        row["total"] = sum(row[f"c{c.pk}"] for c in firm_counties)
        firm_rows.append(row)
    firms = Table(
        "firms",
        str(_("各环节链上企业（按县域）")),
        [
            Column("link", str(_("环节")), "text"),
            Column("stage", str(_("位置")), "text"),
            *[Column(f"c{c.pk}", c.name) for c in firm_counties],
            Column("total", str(_("合计"))),
        ],
        firm_rows,
        chart={
            "type": "heatmap",
            "x": [c.name for c in firm_counties],
            "xkeys": [f"c{c.pk}" for c in firm_counties],
            "y": [link.name for link in links],
            "highlight": county.name if county else "",
        },
    )

    per_link: dict = {}
    for r in order_counts:
        entry = per_link.setdefault(r["link_id"], {"open": 0, "total": 0, "counties": set()})
        entry["open"] += r["open"]
        entry["total"] += r["total"]
        if r["open"]:
            entry["counties"].add(names.get(r["county_id"], ""))
    order_rows = []
    for key, name in [*((link.pk, link.name) for link in links), (None, str(_("未指定环节")))]:
        entry = per_link.get(key, {"open": 0, "total": 0, "counties": set()})
        if key is None and not entry["total"]:
            continue
        order_rows.append(
            {
                "link": name,
                "open": entry["open"],
                "total": entry["total"],
                "counties": "、".join(sorted(n for n in entry["counties"] if n)),
            }
        )
    orders_table = Table(
        "link_orders",
        str(_("各环节需求（进行中的需求在哪里）")),
        [
            Column("link", str(_("环节")), "text"),
            Column("open", str(_("进行中需求"))),
            Column("total", str(_("需求总数"))),
            Column("counties", str(_("有进行中需求的县域")), "text"),
        ],
        order_rows,
        chart={"type": "bar", "category": "link", "series": ["open", "total"]},
    )

    flows: dict = {}
    for r in flow_rows:
        key = (r["order__county_id"], r["firm_county"])
        entry = flows.setdefault(key, {"n": 0, "orders": 0, "links": set()})
        entry["n"] += r["n"]
        entry["orders"] += r["orders"]
        if r["firm_link"] in link_names:
            entry["links"].add(link_names[r["firm_link"]])
    flow_list = [
        {
            "source": names.get(src, ""),
            "target": names.get(dst, ""),
            "matches": v["n"],
            "orders": v["orders"],
            "links": "、".join(sorted(v["links"])),
        }
        for (src, dst), v in flows.items()
    ]
    flow_list.sort(key=lambda r: (-r["matches"], r["source"], r["target"]))
    flows_table = Table(
        "flows",
        str(_("跨县域配套推荐（需求县域 → 配套企业所在县域）")),
        [
            Column("source", str(_("需求县域")), "text"),
            Column("target", str(_("配套企业所在县域")), "text"),
            Column("matches", str(_("推荐企业次数"))),
            Column("orders", str(_("涉及需求数"))),
            Column("links", str(_("涉及环节")), "text"),
        ],
        flow_list,
        chart={"type": "sankey", "source": "source", "target": "target", "value": "matches"},
        note=str(_("来自产业配套类需求的自动匹配结果：需求县域与被推荐企业所在县域不同的组合。")),
    )
    return ChainMap(chain_type, county, links, counties, firms, orders_table, flows_table)
