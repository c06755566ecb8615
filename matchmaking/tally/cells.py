"""The summary table's cells: their keys, the plain counts of a cell and the exact recount of cells from the orders."""

from decimal import Decimal
from functools import cache

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q

from core import compiledsql
from core.sums import SafeSum, as_int
from matchmaking.choices import OrderState, OutcomeType, ProposalState
from matchmaking.models import AFTER_PUBLICATION, Order, OrderRoute, Proposal
from matchmaking.models.tally import COUNTS, OrderTally, ResponseTally

FINANCED_TYPES = (OutcomeType.CREDIT, OutcomeType.EQUITY)
CLAIM_TIME_Q = Q(published_at__isnull=False, claimed_at__isnull=False)
RESOLVE_TIME_Q = Q(state=OrderState.RESOLVED, published_at__isnull=False, finished_at__isnull=False)
DIMENSIONS = ("county_id", "chain_id", "link_id", "kind", "state")


def docked_q() -> Q:
    """An order reached docking when it is docking / resolved now, or was closed after accepting a response."""
    accepted = Proposal.objects.filter(order_id=OuterRef("pk"), state=ProposalState.ACCEPTED)
    # Only closed orders can have docked without being docking/resolved now: probe responses for those.
    return Q(state__in=(OrderState.DOCKING, OrderState.RESOLVED)) | (
        Q(state=OrderState.CLOSED) & Q(Exists(accepted))
    )


def figures() -> dict:
    """The plain counts of one group of orders: the columns of `OrderTally`."""
    return {
        "orders": Count("pk"),
        "published": Count("pk", filter=Q(published_at__isnull=False)),
        "claimed": Count("pk", filter=Q(claimed_at__isnull=False)),
        "docked": Count("pk", filter=docked_q()),
        "with_claim_time": Count("pk", filter=CLAIM_TIME_Q),
        "with_resolve_time": Count("pk", filter=RESOLVE_TIME_Q),
        "sla_met": Count("pk", filter=CLAIM_TIME_Q & Q(claimed_at__lte=F("claim_due_at"))),
        "unclaimed": Count("pk", filter=Q(published_at__isnull=False, claimed_at__isnull=True)),
        "outcomes": Count("outcome"),
        "agreements": Count("outcome", filter=Q(outcome__outcome_type=OutcomeType.AGREEMENT)),
        "financed": SafeSum("outcome__amount_yuan", filter=Q(outcome__outcome_type__in=FINANCED_TYPES)),
    }


def cell_key(county, chain, link, kind, state, body=None, routed_only=False) -> tuple:
    """A cell's identity (the row's dimensions)."""
    return (county, chain, link, kind, state, body, routed_only)


def cell_row(key: tuple, **figures) -> OrderTally:
    """A new (unsaved) summary row for a cell key, with the given figures (the model's defaults otherwise)."""
    county, chain, link, kind, state, body, routed_only = key
    return OrderTally(
        key=key_text(key),
        county_id=county,
        chain_id=chain,
        link_id=link,
        kind=kind,
        state=state,
        body_id=body,
        routed_only=routed_only,
        **figures,
    )


def key_text(key: tuple) -> str:
    """The unique text of a cell key (empty parts for no link / no body)."""
    county, chain, link, kind, state, body, routed_only = key
    return f"{county}:{chain}:{link or ''}:{kind}:{state}:{body or ''}:{int(routed_only)}"


def cells_of(order_pk: int, row: dict | None = None, routed=None) -> set[tuple]:
    """The cells an order counts in now (none for a draft or a deleted order). `row` (its DIMENSIONS and
    `claimed_by_body_id`) and `routed` (its routed bodies' ids) when the caller has them current (the order's
    row locked), else read."""
    if row is None:
        row = Order.objects.filter(pk=order_pk).values(*DIMENSIONS, "claimed_by_body_id").order_by().first()
    if row is None or row["state"] == OrderState.DRAFT:
        return set()
    dims = tuple(row[d] for d in DIMENSIONS)
    cells = {cell_key(*dims)}
    claimer = row["claimed_by_body_id"]
    if claimer:
        cells.add(cell_key(*dims, body=claimer))
    if row["state"] in AFTER_PUBLICATION:
        if routed is None:
            routed = routed_bodies(order_pk)
        cells.update(cell_key(*dims, body=b, routed_only=True) for b in routed if b != claimer)
    return cells


def routed_bodies(order_pk: int) -> list[int]:
    """The ids of the bodies the order is routed to (newest route first), from a query compiled once."""
    rows = compiledsql.fetch(
        "tally routed bodies", lambda pk: OrderRoute.objects.filter(order_id=pk).values("body_id"), order_pk
    )
    return [r["body_id"] for r in rows]


# The order's fields its cells (`cells_of`) and its own figures (`contribution`) depend on.
ROW_FIELDS = (*DIMENSIONS, "claimed_by_body_id", "published_at", "claimed_at", "claim_due_at", "finished_at")


def row_of(order) -> dict:
    """An order instance's values that decide its cells and figures (for `cells_of`, `contribution`)."""
    return {name: getattr(order, name) for name in ROW_FIELDS}


def counted_by(body: int | None = None, routed_only: bool = False):
    """The placed orders of the all-orders cells (no body), of a body's claimed cells, or of its routed-only
    cells (routed to it after publication, not claimed by it)."""
    orders = Order.objects.exclude(state=OrderState.DRAFT)
    if body is None:
        return orders
    if not routed_only:
        return orders.filter(claimed_by_body_id=body)
    routed = OrderRoute.objects.filter(body_id=body).values("order_id")
    return orders.filter(pk__in=routed, state__in=AFTER_PUBLICATION).exclude(claimed_by_body_id=body)


def orders_in(key: tuple):
    """The orders a cell counts (the plain query the cell's figures are recomputed from)."""
    county, chain, link, kind, state, body, routed_only = key
    return counted_by(body, routed_only).filter(
        county_id=county, chain_id=chain, link_id=link, kind=kind, state=state
    )


def _clean(found: dict) -> dict:
    values = {name: as_int(found.get(name)) for name in COUNTS}
    values["financed"] = Decimal(as_int(found.get("financed")))
    return values


RESPONSE_COUNTS = ("responses", "accepted")


def responses_in(orders, *dims):
    """Responses to the given orders per provider (and `dims` of their order): responses and accepted ones."""
    return (
        Proposal.objects.filter(order__in=orders.values("pk"))
        .order_by()
        .values(*dims, "provider_org_id")
        .annotate(responses=Count("pk"), accepted=Count("pk", filter=Q(state=ProposalState.ACCEPTED)))
    )


def _dims_q(keys, prefix: str = "") -> Q:
    """Orders in any of the keys' dimensions (county, chain, link, kind, state); `prefix` for a related order."""
    q = Q(pk__in=[])
    for dims in sorted({k[:5] for k in keys}, key=str):
        q |= Q(**{f"{prefix}{name}": value for name, value in zip(DIMENSIONS, dims, strict=True)})
    return q


def _routed_q(prefix: str = "") -> Q:
    """Orders (`prefix`: a related order) routed to a body through the joined route that it has not claimed,
    published: a routed-only cell's orders (the claimer compared by < and >, no negation, so one join)."""
    route = F(f"{prefix}routes__body_id")
    return Q(**{f"{prefix}state__in": AFTER_PUBLICATION}) & (
        Q(**{f"{prefix}claimed_by_body_id__isnull": True})
        | Q(**{f"{prefix}claimed_by_body_id__lt": route})
        | Q(**{f"{prefix}claimed_by_body_id__gt": route})
    )


def _responses_by(qs, column: str):
    """Responses per provider grouped by their order's dimensions and `column` (of the order)."""
    return (
        qs.order_by()
        .values(*(f"order__{d}" for d in DIMENSIONS), f"order__{column}", "provider_org_id")
        .annotate(responses=Count("pk"), accepted=Count("pk", filter=Q(state=ProposalState.ACCEPTED)))
    )


@cache
def _counted_queries() -> tuple:
    """The grouped figures and responses of the all-orders and claimed cells, built once (their aggregates
    are resolved once per process) and filtered to the cells of each recount."""
    figures_qs = counted_by().order_by().values(*DIMENSIONS, "claimed_by_body_id").annotate(**figures())
    responses_qs = _responses_by(
        Proposal.objects.exclude(order__state=OrderState.DRAFT), "claimed_by_body_id"
    )
    return figures_qs, responses_qs


def _groups(keys) -> list[tuple]:
    """The grouped queries that count the keys' cells, (figures, responses, grouping column, routed_only):
    the all-orders and claimed cells (by claiming body: an all-orders cell sums its claimers' groups) and the
    routed-only cells (by routed body)."""
    groups = []
    counted = [k for k in keys if not k[6]]
    if counted:
        figures_qs, responses_qs = _counted_queries()
        groups.append(
            (
                figures_qs.filter(_dims_q(counted)),
                responses_qs.filter(_dims_q(counted, "order__")),
                "claimed_by_body_id",
                False,
            )
        )
    routed = [k for k in keys if k[6]]
    if routed:
        bodies = {k[5] for k in routed}
        # one filter() call each, so the route join is shared by the condition and the grouping column
        orders = Order.objects.filter(_dims_q(routed) & _routed_q(), routes__body_id__in=bodies)
        responses = Proposal.objects.filter(
            _dims_q(routed, "order__") & _routed_q("order__"), order__routes__body_id__in=bodies
        )
        figures_qs = orders.order_by().values(*DIMENSIONS, "routes__body_id").annotate(**figures())
        groups.append((figures_qs, _responses_by(responses, "routes__body_id"), "routes__body_id", True))
    return groups


def _targets(dims, body, routed_only: bool) -> set[tuple]:
    """The cells a group's row counts in: its routed-only cell, or its all-orders cell and its claimer's."""
    if routed_only:
        return {cell_key(*dims, body, True)}
    return {cell_key(*dims), cell_key(*dims, body)}


def _fresh(
    keys, with_figures: bool, with_responses: bool
) -> tuple[dict[tuple, dict], dict[tuple, dict[int, tuple]]]:
    """The keys' figures (when asked) counted from the orders (a few grouped queries, not one per cell) and,
    when asked, their providers' responses: {key: figures}, {key: {provider: (responses, accepted)}}. Every
    figure is a count or a sum, so a cell adds up the groups that partition it."""
    wanted = set(keys)
    figures_of = {key: _clean({}) for key in keys}
    responses_of: dict[tuple, dict[int, tuple]] = {key: {} for key in keys}
    order_dims = [f"order__{d}" for d in DIMENSIONS]
    for figures_qs, responses_qs, extra, routed_only in _groups(keys):
        for row in figures_qs if with_figures else ():
            values = _clean(row)
            for key in _targets([row[d] for d in DIMENSIONS], row[extra], routed_only) & wanted:
                found = figures_of[key]
                for name, value in values.items():
                    found[name] += value
        for row in responses_qs if with_responses else ():
            dims = [row[d] for d in order_dims]
            for key in _targets(dims, row[f"order__{extra}"], routed_only) & wanted:
                count, accepted = responses_of[key].get(row["provider_org_id"], (0, 0))
                responses_of[key][row["provider_org_id"]] = (
                    count + row["responses"],
                    accepted + row["accepted"],
                )
    return figures_of, responses_of


def recount(cells, responses: bool = True, figures: bool = True) -> None:
    """Recompute the given cells from the orders, each under its row lock (rows created when missing).

    The figures are counted with a few grouped queries and only the rows (and cells' response rows) whose
    figures changed are written. `responses=False` leaves the cells' response rows as they are: only for a
    change that moves an order without responses between cells (the responses of every cell stay the same);
    `figures=False` leaves the figures: only for a new response that is not accepted (they count no response
    but accepted ones)."""
    keys = sorted(set(cells), key=key_text)  # one lock order for every transaction: no deadlock
    if not keys:
        return
    with transaction.atomic(savepoint=False):  # inside the caller's transaction: no savepoint statements
        OrderTally.objects.bulk_create(
            [cell_row(k) for k in keys],
            ignore_conflicts=True,
        )
        locked = {
            row.key: row
            for row in OrderTally.objects.select_for_update()
            .filter(key__in=[key_text(k) for k in keys])
            .order_by("key")
        }
        if not figures and any(row.orders == 0 for row in locked.values()):
            figures = True  # a cell of the order counting none (e.g. created just now): count it
        figures_of, responses_of = _fresh(keys, figures, responses)
        changed_rows = []
        for key in keys if figures else ():
            row = locked[key_text(key)]
            changed = [name for name, value in figures_of[key].items() if getattr(row, name) != value]
            for name in changed:
                setattr(row, name, figures_of[key][name])
            if changed:
                changed_rows.append(row)
        _write_figures(changed_rows)
        if not responses:
            return
        cell_of = {locked[key_text(key)].pk: key for key in keys}
        stored: dict[tuple, dict[int, tuple]] = {key: {} for key in keys}
        for cell_id, org, count, accepted in ResponseTally.objects.filter(cell_id__in=cell_of).values_list(
            "cell_id", "provider_org_id", *RESPONSE_COUNTS
        ):
            stored[cell_of[cell_id]][org] = (count, accepted)
        stale = [key for key in keys if stored[key] != responses_of[key]]
        if not stale:
            return
        ResponseTally.objects.filter(cell_id__in=[locked[key_text(k)].pk for k in stale]).delete()
        ResponseTally.objects.bulk_create(
            ResponseTally(cell=locked[key_text(key)], provider_org_id=org, responses=count, accepted=accepted)
            for key in stale
            for org, (count, accepted) in responses_of[key].items()
        )


FIGURE_NAMES = (*COUNTS, "financed")


def _write_figures(rows) -> None:
    """Store the figures of the given cell rows (locked by the caller) in one statement: an UPDATE … FROM
    (VALUES …) on PostgreSQL, Django's bulk update (one CASE per column) elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        OrderTally.objects.bulk_update(rows, FIGURE_NAMES)
        return
    quote = connection.ops.quote_name
    table = quote(OrderTally._meta.db_table)
    one = "(%s::bigint, " + ", ".join(["%s::integer"] * len(COUNTS)) + ", %s::numeric)"
    columns = ", ".join(quote(name) for name in ("id", *FIGURE_NAMES))
    sets = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in FIGURE_NAMES)
    sql = (
        f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([one] * len(rows))}) AS v ({columns}) "  # noqa: S608
        f"WHERE {table}.{quote('id')} = v.{quote('id')}"
    )
    params = [value for row in rows for value in (row.pk, *(getattr(row, name) for name in FIGURE_NAMES))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _add_responses(rows: list[tuple]) -> None:
    """Add (cell id, provider, responses, accepted) to the cells' response rows (created when missing), in
    one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike); the cells' rows are locked."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(ResponseTally._meta.db_table)
    columns = ("cell_id", "provider_org_id", *RESPONSE_COUNTS)
    sets = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in RESPONSE_COUNTS)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(rows))} "
        f"ON CONFLICT ({quote('cell_id')}, {quote('provider_org_id')}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _delete_empty_responses(cell_ids: list[int]) -> None:
    """Delete the cells' response rows that count no response (one plain DELETE: the rows have no
    dependents, so Django's deletion collector has nothing to do but costs CPU)."""
    quote = connection.ops.quote_name
    table = quote(ResponseTally._meta.db_table)
    sql = (
        f"DELETE FROM {table} WHERE {quote('cell_id')} IN ({', '.join(['%s'] * len(cell_ids))}) "  # noqa: S608
        f"AND {quote('responses')} = 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, cell_ids)
