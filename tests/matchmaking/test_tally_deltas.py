"""The summary cells follow a state change by exact deltas (`matchmaking.tally.shift`): the order's own
figures (`contribution`) move between its cells under the cells' row locks, with no grouped recount; a
missing or drifted cell is recounted instead. Also the claim's reads: the claimer naming themself as
handler and the county and city recipients read once."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matchmaking import notifications, services, tally
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.forms import ClaimForm
from matchmaking.models import Order, OrderTally, Outcome

pytestmark = pytest.mark.django_db


def _counted(order_pk: int) -> dict:
    """The plain figures of a group holding this order alone (what `recount` counts)."""
    row = Order.objects.filter(pk=order_pk).order_by().values("pk").annotate(**tally.figures()).get()
    return tally._clean(row)


def _contribution(order_pk: int) -> dict:
    row = Order.objects.filter(pk=order_pk).values(*tally.ROW_FIELDS).get()
    outcome, responses = tally.order_extras(order_pk)
    return tally.contribution(row, outcome, responses)


@pytest.mark.parametrize(
    "state",
    [OrderState.SUBMITTED, OrderState.PUBLISHED, OrderState.CLAIMED, OrderState.DOCKING, OrderState.RESOLVED],
)
def test_an_orders_contribution_equals_its_plain_count(make_order, drive, state):
    order = drive(make_order(), state)
    assert _contribution(order.pk) == _counted(order.pk)


def test_contributions_of_closed_financed_and_late_orders_equal_their_plain_counts(
    make_order, drive, body_kjt, inst_dhu, county_jinjiang
):
    closed = drive(make_order(), OrderState.DOCKING)
    services.close_order(closed, by=body_kjt, reason="无合适资源")  # closed after an acceptance: docked
    financed = drive(make_order(kind=OrderKind.CAPITAL), OrderState.DOCKING)
    Outcome.objects.create(
        order=financed,
        outcome_type=OutcomeType.CREDIT,
        amount_yuan=2_500_000,
        summary="授信",
        partner="兴业",
        date=timezone.localdate(),
    )
    late = drive(make_order(), OrderState.PUBLISHED)
    Order.objects.filter(pk=late.pk).update(claim_due_at=late.published_at)  # a claim after it: SLA missed
    services.claim_order(Order.objects.get(pk=late.pk), by=body_kjt)
    for order in (closed, financed, late):
        assert _contribution(order.pk) == _counted(order.pk)
    assert _counted(closed.pk)["docked"] == 1
    assert _counted(financed.pk)["financed"] == 2_500_000
    assert _counted(late.pk)["sla_met"] == 0
    assert tally.drift() == []


def test_a_claim_moves_the_order_by_deltas_without_a_grouped_count(make_order, drive, body_kjt, inst_dhu):
    drive(make_order(), OrderState.CLAIMED)  # the claimed cells exist
    order = drive(make_order(), OrderState.PUBLISHED)
    services.respond(order, by=inst_dhu, proposal="我校纺织学院可组建团队联合攻关。")
    with CaptureQueriesContext(connection) as queries:
        services.claim_order(Order.objects.get(pk=order.pk), by=body_kjt)
    assert not [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert tally.drift() == []


def test_a_drifted_cell_is_recounted_not_shifted(make_order, drive, body_kjt):
    order = drive(make_order(), OrderState.PUBLISHED)
    before = tally.cells_of(order.pk)
    OrderTally.objects.filter(key__in=[tally.key_text(k) for k in before]).update(orders=0, published=0)
    assert tally.drift()
    services.claim_order(order, by=body_kjt)  # a delta would take those cells below zero
    assert tally.drift() == []


def test_missing_cells_are_recounted(make_order, drive, body_kjt, inst_dhu):
    order = drive(make_order(), OrderState.PUBLISHED)
    services.respond(order, by=inst_dhu, proposal="我校纺织学院可组建团队联合攻关。")
    OrderTally.objects.all().delete()
    services.claim_order(order, by=body_kjt)
    cells = tally.cells_of(order.pk)
    stored, stored_responses = tally._stored()
    fresh, fresh_responses = tally.computed()
    assert {k: v for k, v in stored.items() if k in cells} == {k: v for k, v in fresh.items() if k in cells}
    assert {k: v for k, v in stored_responses.items() if k[0] in cells} == {
        k: v for k, v in fresh_responses.items() if k[0] in cells
    }


def test_a_second_acceptance_of_a_docking_order_is_counted(
    make_order, drive, firm_demo, bank_cib, county_jinjiang
):
    order = drive(make_order(), OrderState.DOCKING)
    for provider in (firm_demo, bank_cib):
        response = services.respond(order, by=provider, proposal="可提供对接方案与支持。")
        assert tally.drift() == []
        services.accept_proposal(response, by=county_jinjiang)
        assert tally.drift() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_claims_of_two_orders_of_one_cell_at_once_lose_no_update(make_order, drive, body_kjt):
    from django.db import connections

    orders = [drive(make_order(), OrderState.PUBLISHED) for _ in range(3)]
    assert len({frozenset(tally.cells_of(o.pk)) for o in orders}) == 1  # the same cells
    barrier = threading.Barrier(len(orders))
    errors = []

    def claim(pk):
        try:
            barrier.wait()
            services.claim_order(Order.objects.get(pk=pk), by=body_kjt)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(o.pk,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert tally.drift() == []


def test_the_claimer_naming_themself_is_not_read_again(body_kjt, django_assert_num_queries):
    form = ClaimForm({"handler": str(body_kjt.pk)}, user=body_kjt)
    with django_assert_num_queries(0):
        assert form.is_valid()
    assert form.cleaned_data["handler"] is body_kjt


def test_another_handler_is_read_and_checked(body_kjt, body_jrb):
    colleague = type(body_kjt).objects.create_user(
        username="kjt_colleague", password="x-Pass-12345", organization=body_kjt.organization
    )
    form = ClaimForm({"handler": str(colleague.pk)}, user=body_kjt)
    assert form.is_valid()
    assert form.cleaned_data["handler"] == colleague
    assert not ClaimForm({"handler": str(body_jrb.pk)}, user=body_kjt).is_valid()  # another body's member
    body_kjt.is_active = False
    body_kjt.save(update_fields=["is_active"])
    assert not ClaimForm({"handler": str(body_kjt.pk)}, user=body_kjt).is_valid()


def test_the_claims_recipients_are_the_county_then_the_city_users(make_order, django_assert_num_queries):
    order = Order.objects.select_related("county").get(pk=make_order().pk)
    expected = [u.pk for u in notifications.county_users(order)] + [
        u.pk for u in notifications.city_users(order)
    ]
    assert expected
    with django_assert_num_queries(1):
        assert [u.pk for u in notifications.county_and_city_users(order)] == expected
