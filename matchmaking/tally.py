"""Keeping the dashboards' summary table (`OrderTally`) exact.

Every change to an order's counted figures recounts the cells the order was in before and is in after, in the
same transaction: each cell row is locked (SELECT … FOR UPDATE) and its figures recomputed from the orders with
the plain counts below (and its providers' responses, `ResponseTally`), so two transactions changing orders of one cell
serialise on that row and the second counts after the first committed. The cells of one recount are counted
together (a few queries grouped by the cells' dimensions, `_groups`) and only changed rows are written. The
services recount around a state change (`cells_of` before, `recount` after, under the order's row lock); saves and deletes of orders, outcomes, responses and routes
done any other way are recounted by `matchmaking.tally_signals`.
`rebuild()` recomputes the whole table from the orders and `drift()` lists the cells that differ from it.
"""

from decimal import Decimal
from functools import cache

from django.db import transaction
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


def row_of(order) -> dict:
    """An order instance's values that decide its cells (for `cells_of`)."""
    return {name: getattr(order, name) for name in (*DIMENSIONS, "claimed_by_body_id")}


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
    with transaction.atomic():
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
        for key in keys if figures else ():
            row = locked[key_text(key)]
            changed = [name for name, value in figures_of[key].items() if getattr(row, name) != value]
            for name in changed:
                setattr(row, name, figures_of[key][name])
            if changed:
                row.save(update_fields=changed)
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


def recount_order(
    order_pk: int, before: set[tuple] = frozenset(), responses: bool = True, figures: bool = True
) -> None:
    """Recount the cells an order was in (`before`) and is in now, holding the order's row lock first.

    Cells are shared by many orders; a transaction that locked cells and then wanted an order row held by
    another transaction waiting for those cells deadlocked (a response recounting its order's cells, then
    stamping the order's progress, against a claim of that order). Every transaction now takes the order's
    row before its cells, the order in which the workflow's services lock them. `responses`, `figures`: see
    `recount`."""
    with transaction.atomic():
        list(Order.objects.select_for_update().filter(pk=order_pk).values_list("pk", flat=True))
        recount(set(before) | cells_of(order_pk), responses=responses, figures=figures)


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
