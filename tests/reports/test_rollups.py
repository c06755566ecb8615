"""The dashboards compute their figures in one grouped query and roll them up in Python: every regional,
chain and funnel figure must equal a plain per-member count over the same visible orders."""

import pytest
from django.db.models import Sum

from matchmaking.choices import OrderState, ProposalState
from matchmaking.models import Outcome, Proposal
from reports import access, forms, queries, rollups, tables
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def expected(orders) -> dict:
    """The regional figures of an order set, one plain query each (the slow reference)."""
    total = orders.count()
    resolved = orders.filter(state=OrderState.RESOLVED).count()
    financed = Outcome.objects.filter(order__in=orders, outcome_type__in=queries.FINANCED_TYPES).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    return {
        "total": total,
        "open": orders.filter(state__in=queries.OPEN_STATES).count(),
        "resolved": resolved,
        "resolved_share": tables.percent(resolved, total),
        "sla_share": tables.percent(
            orders.filter(queries.sla_met_q()).count(), orders.filter(queries.sla_due_q(NOW)).count()
        ),
        "financed": financed or 0,
    }


def docked(orders) -> int:
    """Orders that reached docking, counted order by order."""
    accepted = set(Proposal.objects.filter(state=ProposalState.ACCEPTED).values_list("order_id", flat=True))
    return sum(
        1
        for pk, state in orders.values_list("pk", "state")
        if state in (OrderState.DOCKING, OrderState.RESOLVED)
        or (state == OrderState.CLOSED and pk in accepted)
    )


def assert_rows_match(table, orders, field: str):
    keys = ("total", "open", "resolved", "resolved_share", "sla_share", "financed")
    for row in table.rows:
        want = expected(orders.filter(**{field: row["id"]}))
        assert {k: row[k] for k in keys} == want, (table.key, row)


@pytest.mark.parametrize("persona", ["admin", "body_kjt", "body_jrb", "city_quanzhou", "county_jinjiang"])
@pytest.mark.parametrize("filters", [{}, {"kind": "capital"}, {"chain_type_code": "textile-apparel"}])
def test_province_rollups_equal_plain_counts(world, personas, reference, persona, filters):
    # A closed order that had accepted a response counts as docked (the funnel's closed-order probe).
    Proposal.objects.create(
        order=world["orders"][8],
        provider_org=personas["inst_dhu"].organization,
        proposal="我方可提供对接方案与支持。",
        state=ProposalState.ACCEPTED,
    )
    if "chain_type_code" in filters:
        code = filters.pop("chain_type_code")
        filters["chain_type_id"] = reference.ChainType.objects.get(code=code).pk
    user = personas[persona]
    level, flt = access.Level(access.PROVINCE), forms.Filters(**filters)
    orders = queries.level_orders(user, level, flt)
    board = rollups.build_dashboard(user, level, flt, now=NOW)

    totals = expected(orders)
    assert {k: board.totals[k] for k in totals} == totals
    assert board.table("funnel").rows[2]["total"] == docked(orders)
    assert_rows_match(board.table("by_geo"), orders, "county__prefecture_id")
    assert_rows_match(board.table("county_map"), orders, "county_id")
    for row in board.table("chains").rows:
        chain_orders = orders.filter(chain_id=row["id"])
        assert (row["total"], row["open"]) == (
            chain_orders.count(),
            chain_orders.filter(state__in=queries.OPEN_STATES).count(),
        )
    by_state = {r["state"]: r["total"] for r in board.table("by_state").rows}
    for value, label in rollups.STATE_LABELS.items():
        if value != OrderState.DRAFT:
            assert by_state[str(label)] == orders.filter(state=value).count()


def test_closed_order_with_accepted_response_is_docked(world, personas, platform_admin):
    board = rollups.build_dashboard(platform_admin, access.Level(access.PROVINCE), now=NOW)
    assert board.table("funnel").rows[2]["total"] == 3
    Proposal.objects.create(
        order=world["orders"][8],
        provider_org=personas["inst_dhu"].organization,
        proposal="我方可提供对接方案与支持。",
        state=ProposalState.ACCEPTED,
    )
    board = rollups.build_dashboard(platform_admin, access.Level(access.PROVINCE), now=NOW)
    assert board.table("funnel").rows[2]["total"] == 4
    assert board.totals["total"] == 8  # a response adds no order


def test_city_and_county_rollups_equal_plain_counts(world, city_quanzhou, county_jinjiang):
    jinjiang = world["jinjiang"]
    city = access.Level(access.CITY, prefecture=jinjiang.prefecture)
    orders = queries.level_orders(city_quanzhou, city)
    board = rollups.build_dashboard(city_quanzhou, city, now=NOW)
    assert [r["id"] for r in board.table("by_geo").rows] == list(
        jinjiang.prefecture.counties.values_list("pk", flat=True)
    )
    assert_rows_match(board.table("by_geo"), orders, "county_id")
    assert_rows_match(board.table("county_map"), orders, "county_id")

    county = access.Level(access.COUNTY, prefecture=jinjiang.prefecture, county=jinjiang)
    orders = queries.level_orders(county_jinjiang, county)
    board = rollups.build_dashboard(county_jinjiang, county, now=NOW)
    assert_rows_match(board.table("by_geo"), orders, "chain_id")
    assert {k: board.totals[k] for k in ("total", "open", "resolved")} == {
        k: expected(orders)[k] for k in ("total", "open", "resolved")
    }


def test_medians_equal_the_hour_bucket_walk(world, personas):
    """PostgreSQL's ordered-index path (the middle rows of the counted orders) gives the same medians as the
    portable hour-bucket walk."""
    orders = queries.level_orders(personas["admin"], access.Level(access.PROVINCE))
    walked = tuple(
        round(hours / 24, 1)
        for hours in (
            queries.median_from_buckets(orders, "published_at", "claimed_at", queries.CLAIM_TIME_Q),
            queries.median_from_buckets(orders, "published_at", "finished_at", queries.RESOLVE_TIME_Q),
        )
    )
    counts = (
        orders.filter(queries.CLAIM_TIME_Q).count(),
        orders.filter(queries.RESOLVE_TIME_Q).count(),
    )
    assert queries.medians(orders, *counts) == walked
    assert None not in walked
