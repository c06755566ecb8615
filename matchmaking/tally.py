"""Keeping the dashboards' summary table (`OrderTally`) exact.

A state change of an order through the services moves the order's own figures by exact deltas (`shift_order`):
its contribution to a cell (`contribution`, the plain counts below of a group of this order alone, from its
row, outcome and responses) is subtracted from the cells it was in and added to those it is in, under the
order's row lock and then the cells' row locks (SELECT … FOR UPDATE in key order), all changed rows written in
one statement. A new response (and an acceptance) adds to its provider's response rows (`ResponseTally`) the
same way (`shift_response`). Two transactions changing orders of one cell serialise on that row, and the second
adds to what the first committed. A cell row that is missing, or that a delta would take below zero (it had
drifted), is recounted instead.

`recount` recomputes cells from the orders: each cell row is locked and its figures recomputed with the plain
counts below (and its providers' responses), a few queries grouped by the cells' dimensions (`_groups`), and
only changed rows are written. Saves and deletes of orders, outcomes, responses and routes done any other way
are recounted by `matchmaking.tally_signals`.
`rebuild()` recomputes the whole table from the orders and `drift()` lists the cells that differ from it.
"""

from decimal import Decimal
from functools import cache

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q

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
            routed = OrderRoute.objects.filter(order_id=order_pk).values_list("body_id", flat=True)
        cells.update(cell_key(*dims, body=b, routed_only=True) for b in routed if b != claimer)
    return cells


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
            [
                OrderTally(
                    key=key_text(k),
                    county_id=k[0],
                    chain_id=k[1],
                    link_id=k[2],
                    kind=k[3],
                    state=k[4],
                    body_id=k[5],
                    routed_only=k[6],
                )
                for k in keys
            ],
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


def contribution(row: dict, outcome: tuple | None, responses: dict) -> dict:
    """What one order adds to each cell it counts in: the `figures()` of a group of this order alone, from
    its `row` (ROW_FIELDS), its outcome ((type, amount) or None) and its responses ({provider: (responses,
    accepted)})."""
    state = row["state"]
    published, claimed = row["published_at"] is not None, row["claimed_at"] is not None
    claim_time = published and claimed
    accepted = any(count for _responses, count in responses.values())
    financed = outcome is not None and outcome[0] in FINANCED_TYPES
    return {
        "orders": 1,
        "published": int(published),
        "claimed": int(claimed),
        "docked": int(
            state in (OrderState.DOCKING, OrderState.RESOLVED) or (state == OrderState.CLOSED and accepted)
        ),
        "with_claim_time": int(claim_time),
        "with_resolve_time": int(
            state == OrderState.RESOLVED and published and row["finished_at"] is not None
        ),
        "sla_met": int(
            claim_time and row["claim_due_at"] is not None and row["claimed_at"] <= row["claim_due_at"]
        ),
        "unclaimed": int(published and not claimed),
        "outcomes": int(outcome is not None),
        "agreements": int(outcome is not None and outcome[0] == OutcomeType.AGREEMENT),
        "financed": Decimal(as_int(outcome[1]) if financed else 0),
    }


def order_extras(order_pk: int) -> tuple[tuple | None, dict[int, tuple[int, int]]]:
    """The order's outcome ((type, amount) or None) and its responses per provider ((responses, accepted)),
    in one query."""
    outcome, responses = None, {}
    for outcome_pk, outcome_type, amount, org, state in (
        Order.objects.filter(pk=order_pk)
        .order_by()
        .values_list(
            "outcome__pk",
            "outcome__outcome_type",
            "outcome__amount_yuan",
            "responses__provider_org_id",
            "responses__state",
        )
    ):
        if outcome_pk is not None:
            outcome = (outcome_type, amount)
        if org is not None:
            count, accepted = responses.get(org, (0, 0))
            responses[org] = (count + 1, accepted + (state == ProposalState.ACCEPTED))
    return outcome, responses


def shift(figure_deltas: dict[tuple, dict], response_deltas: dict[tuple, dict[int, tuple]]) -> None:
    """Add exact deltas to cells under their row locks: `figure_deltas` {cell: {figure: delta}} and
    `response_deltas` {cell: {provider: (responses, accepted)}}, the change of the cells' plain counts that
    one order's change made (the order's row locked by the caller, its change written).

    A cell row that is missing (a new cell, or deleted by hand) or that a delta would take below zero (it
    had drifted) is recounted from the orders instead (`recount`): the stored figures of the others (rows
    counting no order too: every row is written by a recount or a delta) were exact before, so adding the
    change keeps them exact. The rows are locked in key order (as `recount` does), so two transactions
    changing orders of one cell serialise and none loses an update."""
    figure_deltas = {k: {n: v for n, v in d.items() if v} for k, d in figure_deltas.items()}
    response_deltas = {k: {org: d for org, d in d.items() if d != (0, 0)} for k, d in response_deltas.items()}
    figure_deltas = {k: d for k, d in figure_deltas.items() if d}
    response_deltas = {k: d for k, d in response_deltas.items() if d}
    keys = sorted(set(figure_deltas) | set(response_deltas), key=key_text)
    if not keys:
        return
    with transaction.atomic(savepoint=False):
        locked = {
            row.key: row
            for row in OrderTally.objects.select_for_update()
            .filter(key__in=[key_text(k) for k in keys])
            .order_by("key")
        }
        row_of_key = {k: locked.get(key_text(k)) for k in keys}
        stale = {k for k, row in row_of_key.items() if row is None}
        figures_new = {}
        for key, delta in figure_deltas.items():
            if key in stale:
                continue
            row = row_of_key[key]
            values = {name: getattr(row, name) + value for name, value in delta.items()}
            if min(values.values()) < 0:
                stale.add(key)
            else:
                figures_new[key] = values
        responses_new = {}
        pending = {k: d for k, d in response_deltas.items() if k not in stale}
        added = []  # only additions (a new or accepted response): added to the rows, none read
        if pending and all(min(d) >= 0 for deltas in pending.values() for d in deltas.values()):
            added = [
                (row_of_key[k].pk, org, *d) for k, deltas in pending.items() for org, d in deltas.items()
            ]
            pending = {}
        if pending:
            key_of = {row_of_key[k].pk: k for k in pending}
            stored = {
                (key_of[cell], org): (count, accepted)
                for cell, org, count, accepted in ResponseTally.objects.filter(
                    cell_id__in=list(key_of), provider_org_id__in={o for d in pending.values() for o in d}
                ).values_list("cell_id", "provider_org_id", *RESPONSE_COUNTS)
            }
            for key, deltas in pending.items():
                new = {}
                for org, (count, accepted) in deltas.items():
                    was_count, was_accepted = stored.get((key, org), (0, 0))
                    new[org] = (was_count + count, was_accepted + accepted)
                if any(count < 0 or accepted < 0 for count, accepted in new.values()):
                    stale.add(key)
                else:
                    responses_new[key] = new
        rows = []
        for key, values in figures_new.items():
            if key not in stale:
                row = row_of_key[key]
                for name, value in values.items():
                    setattr(row, name, value)
                rows.append(row)
        _write_figures(rows)
        writes = [
            ResponseTally(cell_id=row_of_key[key].pk, provider_org_id=org, responses=count, accepted=accepted)
            for key, new in responses_new.items()
            if key not in stale
            for org, (count, accepted) in new.items()
        ]
        _add_responses(added)  # their cells are not stale: `stale` is final once `pending` is read
        if writes:
            ResponseTally.objects.bulk_create(
                writes,
                update_conflicts=True,
                unique_fields=["cell", "provider_org"],
                update_fields=list(RESPONSE_COUNTS),
            )
            emptied = sorted({w.cell_id for w in writes if not w.responses})
            if emptied:  # a provider without responses in a cell has no row there (as a recount leaves it)
                _delete_empty_responses(emptied)
        if stale:
            recount(stale)


def shift_order(before: set, after: set, was: dict, now: dict, responses: dict) -> None:
    """Move an order's contribution: `was` (its figures, `contribution`) out of the cells it was in
    (`before`) and `now` into those it is in (`after`), with its responses ({provider: (responses,
    accepted)}, the same before and after)."""
    figure_deltas: dict[tuple, dict] = {}
    response_deltas: dict[tuple, dict] = {}
    for cells, values, sign in ((before, was, -1), (after, now, 1)):
        for key in cells:
            delta = figure_deltas.setdefault(key, dict.fromkeys(FIGURE_NAMES, 0))
            for name, value in values.items():
                delta[name] += sign * value
            moved = response_deltas.setdefault(key, {})
            for org, (count, accepted) in responses.items():
                was_count, was_accepted = moved.get(org, (0, 0))
                moved[org] = (was_count + sign * count, was_accepted + sign * accepted)
    shift(figure_deltas, response_deltas)


def _locked_row(order_pk: int) -> dict | None:
    """The order's ROW_FIELDS, its row locked for this transaction (None when it is gone)."""
    return Order.objects.select_for_update().filter(pk=order_pk).order_by().values(*ROW_FIELDS).first()


def shift_response(order_pk: int, provider: int, responses: int = 1, accepted: int = 0) -> None:
    """Count a provider's new (or newly accepted) response to an order in the order's cells, holding the
    order's row lock first (see `recount_order`). Only for a change that moves no figure: a new response
    that is not accepted, or the acceptance of a response to an order that is not closed (`docked` counts
    the accepted responses of closed orders only)."""
    with transaction.atomic(savepoint=False):
        cells = cells_of(order_pk, _locked_row(order_pk))
        shift({}, {key: {provider: (responses, accepted)} for key in cells})


def recount_order(
    order_pk: int, before: set[tuple] = frozenset(), responses: bool = True, figures: bool = True
) -> None:
    """Recount the cells an order was in (`before`) and is in now, holding the order's row lock first.

    Cells are shared by many orders; a transaction that locked cells and then wanted an order row held by
    another transaction waiting for those cells deadlocked (a response recounting its order's cells, then
    stamping the order's progress, against a claim of that order). Every transaction now takes the order's
    row before its cells, the order in which the workflow's services lock them. `responses`, `figures`: see
    `recount`."""
    with transaction.atomic(savepoint=False):
        recount(set(before) | cells_of(order_pk, _locked_row(order_pk)), responses=responses, figures=figures)


def computed() -> tuple[dict[tuple, dict], dict[tuple, dict]]:
    """Every non-empty cell computed from scratch, and its providers' responses keyed (cell, provider): all
    placed orders, then each body's claimed and routed-only orders (grouped queries)."""
    cells: dict[tuple, dict] = {}
    responses: dict[tuple, dict] = {}
    order_dims = [f"order__{d}" for d in DIMENSIONS]

    def add(orders, body=None, routed_only=False, by_body=False):
        dims = [*DIMENSIONS, "claimed_by_body_id"] if by_body else DIMENSIONS
        for row in orders.order_by().values(*dims).annotate(**figures()):
            key = cell_key(*(row[d] for d in DIMENSIONS), row.get("claimed_by_body_id", body), routed_only)
            cells[key] = _clean(row)
        extra = ["order__claimed_by_body_id"] if by_body else []
        for row in responses_in(orders, *order_dims, *extra):
            key = cell_key(
                *(row[d] for d in order_dims), row.get("order__claimed_by_body_id", body), routed_only
            )
            responses[(key, row["provider_org_id"])] = {name: row[name] for name in RESPONSE_COUNTS}

    add(counted_by())
    add(counted_by().filter(claimed_by_body_id__isnull=False), by_body=True)
    for body in OrderRoute.objects.order_by().values_list("body_id", flat=True).distinct():
        add(counted_by(body, routed_only=True), body=body, routed_only=True)
    return cells, responses


def _stored() -> tuple[dict[tuple, dict], dict[tuple, dict]]:
    cells, by_id = {}, {}
    for row in OrderTally.objects.all():
        key = cell_key(
            row.county_id, row.chain_id, row.link_id, row.kind, row.state, row.body_id, row.routed_only
        )
        values = {name: getattr(row, name) for name in COUNTS}
        values["financed"] = Decimal(as_int(row.financed))
        by_id[row.pk] = key
        if values["orders"]:
            cells[key] = values
    responses = {
        (by_id[r.cell_id], r.provider_org_id): {name: getattr(r, name) for name in RESPONSE_COUNTS}
        for r in ResponseTally.objects.all()
        if r.responses
    }
    return cells, responses


def drift() -> list[tuple[str, dict | None, dict | None]]:
    """The cells (and cell responses) whose stored figures differ from a fresh count: (key, stored, counted)."""
    (fresh, fresh_responses), (stored, stored_responses) = computed(), _stored()
    differ = [
        (key_text(key), stored.get(key), fresh.get(key))
        for key in sorted(set(fresh) | set(stored), key=key_text)
        if stored.get(key) != fresh.get(key)
    ]
    return differ + [
        (f"{key_text(key)}/{org}", stored_responses.get((key, org)), fresh_responses.get((key, org)))
        for key, org in sorted(
            set(fresh_responses) | set(stored_responses), key=lambda k: (key_text(k[0]), k[1])
        )
        if stored_responses.get((key, org)) != fresh_responses.get((key, org))
    ]


def rebuild() -> int:
    """Replace the whole table with a fresh count; return the number of cells. Run it while no order
    changes (a change committed during the rebuild may be missed: `drift()` then lists its cells)."""
    with transaction.atomic():
        OrderTally.objects.all().delete()
        fresh, responses = computed()
        rows = OrderTally.objects.bulk_create(
            [
                OrderTally(
                    key=key_text(k),
                    county_id=k[0],
                    chain_id=k[1],
                    link_id=k[2],
                    kind=k[3],
                    state=k[4],
                    body_id=k[5],
                    routed_only=k[6],
                    **values,
                )
                for k, values in fresh.items()
            ],
            batch_size=2000,
        )
        ids = (
            {row.key: row.pk for row in rows}
            if all(r.pk for r in rows)
            else dict(OrderTally.objects.values_list("key", "pk"))
        )
        ResponseTally.objects.bulk_create(
            [
                ResponseTally(cell_id=ids[key_text(key)], provider_org_id=org, **values)
                for (key, org), values in responses.items()
            ],
            batch_size=2000,
        )
    return len(fresh)
