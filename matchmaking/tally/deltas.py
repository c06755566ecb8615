"""Exact deltas: an order's own figures moved out of its old cells and into its new ones, a new response added to its provider's rows."""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models.expressions import Col

from core import compiledsql
from core.sums import as_int
from matchmaking.choices import OrderState, OutcomeType, ProposalState
from matchmaking.models import Order
from matchmaking.models.tally import OrderTally, ResponseTally
from matchmaking.tally.cells import (
    FIGURE_NAMES,
    FINANCED_TYPES,
    RESPONSE_COUNTS,
    ROW_FIELDS,
    _add_responses,
    _delete_empty_responses,
    _write_figures,
    cells_of,
    key_text,
    recount,
)


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
    for row in compiledsql.fetch("tally order extras", _extras, order_pk):  # compiled once per connection
        if row["outcome__pk"] is not None:
            outcome = (row["outcome__outcome_type"], row["outcome__amount_yuan"])
        if (org := row["responses__provider_org_id"]) is not None:
            count, accepted = responses.get(org, (0, 0))
            responses[org] = (count + 1, accepted + (row["responses__state"] == ProposalState.ACCEPTED))
    return outcome, responses


def _extras(order_pk):
    """The query of `order_extras`: the order's outcome joined with each of its responses."""
    return (
        Order.objects.filter(pk=order_pk)
        .order_by()
        .values(
            "outcome__pk",
            "outcome__outcome_type",
            "outcome__amount_yuan",
            "responses__provider_org_id",
            "responses__state",
        )
    )


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
        locked = {row.key: row for row in _lock_cells([key_text(k) for k in keys])}
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


# By (database alias, number of keys): the SQL of `_lock_cells` and the columns its rows hold (None: the ORM's).
_LOCK_SQL: dict[tuple[str, int], tuple[str, list[str]] | None] = {}


def _lock_cells(keys: list[str]) -> list[OrderTally]:
    """`OrderTally.objects.select_for_update().filter(key__in=keys).order_by("key")` as a list: on PostgreSQL
    its SQL compiled once per number of keys (the keys its only parameters, plain columns without converters),
    the rows made instances as the ORM makes them (`Model.from_db`); elsewhere, or for another query, by the ORM."""

    def queryset():
        return OrderTally.objects.select_for_update().filter(key__in=keys).order_by("key")

    if connection.vendor != "postgresql" or len(set(keys)) != len(keys):
        return list(queryset())
    compiled = _LOCK_SQL.get((connection.alias, len(keys)), False)
    if compiled is False:
        compiler = queryset().query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        cols = [entry[0] for entry in compiler.select]
        plain = all(isinstance(col, Col) for col in cols) and not compiler.get_converters(cols)
        columns = [col.target.attname for col in cols] if plain else []
        same = plain and list(params) == list(keys) and not compiler.annotation_col_map
        compiled = _LOCK_SQL[(connection.alias, len(keys))] = (sql, columns) if same else None
    if compiled is None:
        return list(queryset())
    sql, columns = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, keys)
        return [OrderTally.from_db(connection.alias, columns, row) for row in cursor.fetchall()]


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
    """The order's ROW_FIELDS, its row locked for this transaction (None when it is gone): what
    `….select_for_update().filter(pk=order_pk).order_by().values(*ROW_FIELDS).first()` runs, compiled once."""

    def build(marker):
        # what .first() runs on the unordered queryset: ordered by the primary key, one row
        return Order.objects.select_for_update().filter(pk=marker).order_by("pk").values(*ROW_FIELDS)[:1]

    found = compiledsql.fetch("tally locked order row", build, order_pk)
    return found[0] if found else None


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
