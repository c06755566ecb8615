"""The whole table against a fresh count: `drift()` lists the cells that differ, `rebuild()` recomputes it."""

from decimal import Decimal

from django.db import transaction

from core.sums import as_int
from matchmaking.models import OrderRoute
from matchmaking.models.tally import COUNTS, OrderTally, ResponseTally
from matchmaking.tally.cells import (
    DIMENSIONS,
    RESPONSE_COUNTS,
    _clean,
    cell_key,
    cell_row,
    counted_by,
    figures,
    key_text,
    responses_in,
)


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
            [cell_row(k, **values) for k, values in fresh.items()],
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
