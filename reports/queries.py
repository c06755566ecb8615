"""The dashboards' queries: which orders a dashboard counts, and every counted figure in one grouped query.

Every number starts from `Order.objects.visible_to(user)` (so nothing outside the user's scope is ever
counted), drops drafts (an order is "placed" once submitted), then narrows to the dashboard's level and
the filters. All aggregation runs in the database (GROUP BY / conditional COUNT and SUM); `reports.rollups`
only reshapes the handful of grouped rows into tables and chart series.
"""

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db import connection, connections
from django.db.models import BooleanField, Count, F, FloatField, Func, IntegerField, Q, Value
from django.db.models.functions import Round

from accounts.scoping import Scope
from core.sums import SafeSum, as_int
from matchmaking.choices import OrderState, OutcomeType
from matchmaking.models import RESPONDABLE, Order, OrderTally
from matchmaking.models.order_indexes import HoursBetween
from matchmaking.tally import CLAIM_TIME_Q, FINANCED_TYPES, RESOLVE_TIME_Q, docked_q
from reports.access import CITY, COUNTY, Level
from reports.forms import NO_FILTERS, Filters

INT64_SAFE = 2**62  # below this, any roll-up of the cells stays inside int64
OPEN_STATES = tuple(RESPONDABLE)  # published, claimed, docking: waiting for or under way


def level_orders(user, level: Level, filters: Filters = NO_FILTERS):
    """The orders a dashboard counts: visible to the user, placed (not drafts), in the level, filtered."""
    orders = Order.objects.visible_to(user).exclude(state=OrderState.DRAFT)
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


class InArray(Func):
    """`column IN (subquery)` written as `column = ANY(ARRAY(subquery))` on PostgreSQL: the subquery runs once
    and its ids probe the column's index, where `IN` hashes them and scans the whole table (the responses
    of a provincial body's few thousand summary cells among all cells': 34-64 ms instead of 78-82 ms)."""

    output_field = BooleanField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        column, subquery = (compiler.compile(e) for e in self.source_expressions)
        return f"{column[0]} = ANY(ARRAY{subquery[0]})", (*column[1], *subquery[1])

    def as_sqlite(self, compiler, connection, **extra):
        column, subquery = (compiler.compile(e) for e in self.source_expressions)
        return f"{column[0]} IN {subquery[0]}", (*column[1], *subquery[1])


def sla_due_q(until: datetime) -> Q:
    """Orders whose claim was due by `until`: published and claimed, or still unclaimed past the deadline
    fixed at publication (`claim_due_at`)."""
    return Q(published_at__isnull=False) & (Q(claimed_at__isnull=False) | Q(claim_due_at__lt=until))


def sla_met_q() -> Q:
    """Orders claimed by their deadline (a claim exactly at the deadline is in time)."""
    return Q(published_at__isnull=False, claimed_at__isnull=False, claimed_at__lte=F("claim_due_at"))


def sla_counts(until: datetime) -> dict:
    """Conditional counts for the service level: claimed in time, and orders whose claim was due."""
    return {"sla_due": Count("pk", filter=sla_due_q(until)), "sla_met": Count("pk", filter=sla_met_q())}


def middle_hours(orders, end: str, when: Q, size: int) -> float | None:
    """PostgreSQL: the median of the whole hours from publication to `end` over the `size` orders matching
    `when` (their count, known from the grouped figures): the middle one or two read in the order of the
    partial index on those hours (`order_claim_hours`, `order_resolve_hours`), never sorting every order —
    the mean of the two middle values when the count is even, exactly what walking the hour buckets gives."""
    if not size:
        return None
    middle = list(
        orders.filter(when)
        .annotate(hours=HoursBetween(end, "published_at"))
        .order_by("hours")
        .values_list("hours", flat=True)[(size - 1) // 2 : size // 2 + 1]
    )
    return sum(middle) / len(middle) if middle else None


def median_from_buckets(orders, start: str, end: str, when: Q) -> float | None:
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


def medians(orders, with_claim_time: int, with_resolve_time: int) -> tuple[float | None, float | None]:
    """Median days from publication to claim and to resolution, to the hour (None without such orders).
    PostgreSQL reads the middle rows of an ordered index (`middle_hours`); elsewhere each comes from its hour
    buckets."""
    claim_hours = resolve_hours = None
    if connection.vendor == "postgresql":
        claim_hours = middle_hours(orders, "claimed_at", CLAIM_TIME_Q, with_claim_time)
        resolve_hours = middle_hours(orders, "finished_at", RESOLVE_TIME_Q, with_resolve_time)
    else:
        if with_claim_time:
            claim_hours = median_from_buckets(orders, "published_at", "claimed_at", CLAIM_TIME_Q)
        if with_resolve_time:
            resolve_hours = median_from_buckets(orders, "published_at", "finished_at", RESOLVE_TIME_Q)
    return tuple(None if h is None else round(h / 24, 1) for h in (claim_hours, resolve_hours))


# What every section sums: the order count, open/resolved (from the state), the funnel stages, the sizes
# the medians need, the service-level counts and the outcome figures.
# The summary table's columns summed for them (total is its "orders"; unclaimed feeds sla_due).
TALLIED = (
    "published",
    "claimed",
    "docked",
    "with_claim_time",
    "with_resolve_time",
    "sla_met",
    "financed",
    "agreements",
    "outcomes",
    "unclaimed",
)
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


def order_cells(orders, now: datetime) -> tuple[list[tuple], np.ndarray]:
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
            docked=Count("pk", filter=docked_q()),
            with_claim_time=Count("pk", filter=CLAIM_TIME_Q),
            with_resolve_time=Count("pk", filter=RESOLVE_TIME_Q),
            financed=SafeSum("outcome__amount_yuan", filter=Q(outcome__outcome_type__in=FINANCED_TYPES)),
            agreements=Count("outcome", filter=Q(outcome__outcome_type=OutcomeType.AGREEMENT)),
            outcomes=Count("outcome"),
            **sla_counts(now),
        )
    )
    return as_cells(*read_rows(grouped))


def as_cells(column: dict[str, int], rows: list[tuple], extras=()) -> tuple[list[tuple], np.ndarray]:
    """(keys, matrix) of grouped rows with county, chain, kind, state and the SUM_KEYS columns they have
    (`extras`: more columns, appended after the SUM_KEYS ones)."""
    keys = [(r[column["county"]], r[column["chain"]], r[column["kind"]], r[column["state"]]) for r in rows]
    columns = {
        j: [as_int(r[column[name]]) for r in rows]  # SUM is NULL, a Decimal (PostgreSQL) or a float (TOTAL)
        for j, name in enumerate(SUM_KEYS)
        if name in column  # open / resolved come from the state below
    }
    # int64 keeps the roll-ups fast; amounts stored before the amount limit (up to 2^63 − 1 元 a row) could
    # overflow it when summed, and then the cells are Python ints (exact, unbounded).
    largest = max((abs(v) for values in columns.values() for v in values), default=0)
    fits = largest * max(len(rows), 1) < INT64_SAFE
    matrix = np.zeros((len(rows), len(SUM_KEYS) + len(extras)), dtype=np.int64 if fits else object)
    for j, values in columns.items():
        matrix[:, j] = values
    for j, name in enumerate(extras, len(SUM_KEYS)):
        matrix[:, j] = [as_int(r[column[name]]) for r in rows]
    total = matrix[:, SUM_KEYS.index("total")]
    states = [key[3] for key in keys]
    matrix[:, SUM_KEYS.index("open")] = total * np.isin(states, OPEN_STATES)
    matrix[:, SUM_KEYS.index("resolved")] = total * (np.asarray(states, dtype=object) == OrderState.RESOLVED)
    return keys, matrix


def level_cells(user, level: Level, filters: Filters = NO_FILTERS):
    """The summary cells (`OrderTally`, kept exact by the order services) a dashboard counts, or None when
    they cannot answer exactly: a period filter (the table has no dates) or a scope without cells."""
    cells = tally_rows(user)
    if cells is None or filters.start or filters.end:
        return None
    if level.kind == CITY:
        cells = cells.filter(county__prefecture_id=level.prefecture.pk)
    elif level.kind == COUNTY:
        cells = cells.filter(county_id=level.county.pk)
    return filters.apply(cells)


def tally_cells(cells, orders, now: datetime) -> tuple[list[tuple], np.ndarray]:
    """`order_cells` answered from the summary cells of `level_cells`. The claim service level depends on the
    clock: the published, unclaimed orders whose claim is not yet due are counted live (a handful, from a
    partial index) in the same query (UNION ALL) and taken from the cells' published, unclaimed ones."""
    dims = ("county", "chain", "kind", "state")
    zero = Value(0, output_field=IntegerField())
    tallied = (
        cells.order_by()
        .values(*dims)
        .annotate(total=SafeSum("orders"), **{name: SafeSum(name) for name in TALLIED}, not_due=zero)
    )
    not_due = (
        orders.filter(published_at__isnull=False, claimed_at__isnull=True, claim_due_at__gte=now)
        .order_by()
        .values(*dims)
        .annotate(total=zero, **dict.fromkeys(TALLIED, zero), not_due=Count("pk"))
    )
    column, rows = read_rows(tallied.union(not_due, all=True))
    merged: dict[tuple, list] = {}
    for row in rows:
        key = row[:4]
        values = [as_int(v) for v in row[4:]]
        if key in merged:
            merged[key] = [a + b for a, b in zip(merged[key], values, strict=True)]
        else:
            merged[key] = values
    keys, matrix = as_cells(
        column, [(*key, *values) for key, values in merged.items()], ("unclaimed", "not_due")
    )
    unclaimed, not_yet_due = matrix[:, len(SUM_KEYS)], matrix[:, len(SUM_KEYS) + 1]
    matrix[:, SUM_KEYS.index("sla_due")] = (
        matrix[:, SUM_KEYS.index("with_claim_time")] + unclaimed - not_yet_due
    )
    return keys, matrix[:, : len(SUM_KEYS)]


def tally_rows(user):
    """The summary cells counting each order the user sees once, or None for a scope without cells."""
    scope = Scope.for_user(user)
    if not (scope.is_admin or scope.is_body or scope.is_city or scope.is_county):
        return None
    return OrderTally.objects.counting_for(user).filter(orders__gt=0)  # emptied cells stay, at zero


def read_rows(queryset, wrap=None) -> tuple[dict[str, int], list[tuple]]:
    """(column index by name, rows) of an ORM-built query read straight from the cursor: no model instances
    and no per-value converters. `wrap(sql, quote_name)` may put the query inside an outer SELECT."""
    sql, params = queryset.query.sql_with_params()
    connection_ = connections[queryset.db]
    if wrap is not None:
        sql = wrap(sql, connection_.ops.quote_name)
    with connection_.cursor() as cursor:
        cursor.execute(sql, params)
        return {c[0]: i for i, c in enumerate(cursor.description)}, cursor.fetchall()


def sum_by(keys: list, matrix: np.ndarray) -> tuple[list, np.ndarray]:
    """Sum the matrix rows per key: (distinct keys in first-seen order, one row of sums each)."""
    ids: dict = {}
    gid = np.fromiter((ids.setdefault(key, len(ids)) for key in keys), dtype=np.intp, count=len(keys))
    sums = np.zeros((len(ids), len(SUM_KEYS)), dtype=matrix.dtype)
    np.add.at(sums, gid, matrix)
    return list(ids), sums


def as_dicts(keys: list, sums: np.ndarray) -> dict:
    """{key: {SUM_KEYS name: int}} from `sum_by`'s result."""
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
        places, place_sums = sum_by([key[:2] for key in keys], matrix)
        kind_state = as_dicts(*sum_by([key[2:] for key in keys], matrix))
        return cls(
            places=places,
            place_sums=place_sums,
            summary=dict(zip(SUM_KEYS, matrix.sum(axis=0).tolist(), strict=True)),
            grouped=[
                {"kind": kind, "state": state, "n": sums["total"], **sums}
                for (kind, state), sums in kind_state.items()
            ],
            per_county=as_dicts(*sum_by([county for county, _chain in places], place_sums)),
            per_chain=as_dicts(*sum_by([chain for _county, chain in places], place_sums)),
        )

    def per_prefecture(self, prefecture_of: dict[int, int]) -> dict:
        """Per prefecture, from the (county, chain) sums and each county's prefecture."""
        return as_dicts(*sum_by([prefecture_of[county] for county, _chain in self.places], self.place_sums))
