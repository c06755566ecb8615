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

Modules: `cells` (keys, plain counts, recount), `deltas` (the exact deltas of the services), `check` (drift,
rebuild); their public names are imported here, so callers write `tally.<name>`.
"""

from matchmaking.tally.cells import (
    CLAIM_TIME_Q,
    DIMENSIONS,
    FINANCED_TYPES,
    RESOLVE_TIME_Q,
    ROW_FIELDS,
    _clean,
    cell_key,
    cells_of,
    docked_q,
    figures,
    key_text,
    recount,
    routed_bodies,
    row_of,
)
from matchmaking.tally.check import _stored, computed, drift, rebuild
from matchmaking.tally.deltas import (
    contribution,
    order_extras,
    recount_order,
    shift,
    shift_order,
    shift_response,
)

__all__ = [
    "CLAIM_TIME_Q",
    "DIMENSIONS",
    "FINANCED_TYPES",
    "RESOLVE_TIME_Q",
    "ROW_FIELDS",
    "_clean",
    "_stored",
    "cell_key",
    "cells_of",
    "computed",
    "contribution",
    "docked_q",
    "drift",
    "figures",
    "key_text",
    "order_extras",
    "rebuild",
    "recount",
    "recount_order",
    "routed_bodies",
    "row_of",
    "shift",
    "shift_order",
    "shift_response",
]
