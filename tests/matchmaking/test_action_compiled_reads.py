"""The workflow actions' reads compiled once per connection (`core.compiledsql`) give what the ORM gives: the
locked order of a transition, the visibility check of a response or comment, the action views' order and
the recipients of the events' notifications, for several orders and viewers in a row (the second and later
reads replay the compiled SQL)."""

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.scoping import Scope, get_visible_or_404
from chains.models import ProvincialBody
from matchmaking import action_reads, notifications, services, tally
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Notification, Order, OrderRoute, OrderTally
from matchmaking.views.common import _order
from matchmaking.workflow import WorkflowError

pytestmark = pytest.mark.django_db

# as bench_actions and the load test post it
RESPONSE = {
    "proposal": "我单位可提供相关技术团队与设备支持，建议先开展现场对接。",
    "amount_yuan": "3000000",
    "rate_percent": "3.45",
    "term_months": "36",
    "experts": "纺织材料团队 3 人",
    "terms": "",
}


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _orders(make_order, drive):
    """Orders of several kinds and states (so several counties' and bodies' recipients)."""
    return [
        make_order(),
        drive(make_order(kind=OrderKind.CAPITAL), OrderState.SUBMITTED),
        drive(make_order(), OrderState.PUBLISHED),
        drive(make_order(kind=OrderKind.CAPITAL), OrderState.CLAIMED),
        drive(make_order(), OrderState.CLAIMED),
    ]


def test_the_locked_order_is_the_orms(make_order, drive):
    for order in _orders(make_order, drive) * 2:
        with transaction.atomic():
            got = services._locked(order.pk)
            expected = Order.objects.select_related("county__prefecture", "chain").get(pk=order.pk)
        assert _fields(got) == _fields(expected)
        assert _fields(got.county) == _fields(expected.county)
        assert _fields(got.county.prefecture) == _fields(expected.county.prefecture)
        assert _fields(got.chain) == _fields(expected.chain)
    with transaction.atomic(), pytest.raises(Order.DoesNotExist):
        services._locked(10**9)


def test_the_visibility_check_is_the_orms(make_order, drive, county_jinjiang, bank_cib, inst_dhu, body_kjt):
    orders = _orders(make_order, drive)
    for user in (bank_cib, inst_dhu, county_jinjiang, body_kjt, bank_cib):
        for order in orders:
            expected = Order.objects.visible_to(user).filter(pk=order.pk).exists()
            assert action_reads.visible(user, order.pk) == expected
    assert not action_reads.visible(bank_cib, 10**9)


def test_the_action_views_order_is_the_orms(rf, make_order, drive, county_jinjiang, bank_cib, body_kjt):
    orders = _orders(make_order, drive)
    for user in (county_jinjiang, bank_cib, body_kjt, county_jinjiang):
        request = rf.post("/")
        request.user = user
        for order in orders:
            qs = Order.objects.select_related("county__prefecture", "chain__chain_type", "link")
            try:
                expected = get_visible_or_404(qs, user, pk=order.pk)
            except Http404 as exc:  # the same 404 both ways
                with pytest.raises(type(exc)):
                    _order(request, order.pk)
                continue
            got = _order(request, order.pk)
            assert _fields(got) == _fields(expected)
            assert _fields(got.county.prefecture) == _fields(expected.county.prefecture)
            assert _fields(got.chain.chain_type) == _fields(expected.chain.chain_type)


def test_the_event_recipients_are_the_orms(make_order, drive):
    for order in _orders(make_order, drive) * 2:
        order = Order.objects.select_related("county__prefecture").get(pk=order.pk)
        pks = lambda users: [u.pk for u in users]  # noqa: E731
        assert pks(notifications._listed("admins", lambda _none: notifications.admins(), ())) == pks(
            notifications.admins()
        )
        assert pks(notifications._listed("county", notifications._county_users, order.county_id)) == pks(
            notifications.county_users(order)
        )
        expected = pks(notifications.county_users(order)) + pks(notifications.city_users(order))
        assert pks(notifications.county_and_city_users(order)) == expected
        bodies = list(OrderRoute.objects.filter(order=order).values_list("body_id", flat=True))
        # the ROUTED notices' recipients, read as the summary cells read them
        assert tally.routed_bodies(order.pk) == bodies
        assert pks(notifications._listed("bodies", notifications.body_users, tuple(bodies))) == pks(
            notifications.body_users(bodies)
        )
        if order.claimed_by_body_id:
            assert pks(
                notifications._listed("bodies", notifications.body_users, (order.claimed_by_body_id,))
            ) == pks(notifications.taking_body_users(order))


def test_the_actions_post_as_before(make_order, county_jinjiang, platform_admin, bank_cib, body_jrb):
    """The views of the load test's actions (moderate, respond, claim) redirect to the order as before."""
    order = services.submit_order(make_order(kind=OrderKind.CAPITAL), by=county_jinjiang)
    for user, path, data in (
        (platform_admin, f"/orders/{order.pk}/moderate/", {"decision": "approve"}),
        (
            bank_cib,
            f"/orders/{order.pk}/respond/",
            RESPONSE,
        ),
        (body_jrb, f"/orders/{order.pk}/claim/", {"handler": body_jrb.pk}),
    ):
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.post(path, data)
        assert response.status_code == 302
        assert response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.state == OrderState.CLAIMED
    assert order.responses.count() == 1


def test_the_bodies_handling_a_kind_are_the_orms():
    for kind in [*OrderKind.values, *OrderKind.values]:
        expected = list(ProvincialBody.objects.handling(kind))
        assert [_fields(b) for b in action_reads.handling(kind)] == [_fields(b) for b in expected]


def test_an_order_found_visible_needs_no_second_visibility_query(
    make_order, drive, bank_cib, inst_dhu, django_assert_num_queries
):
    """`get_visible_or_404` notes the scope on the object; the service's check of the same viewer reads nothing
    more, another viewer's check still asks the database."""
    order = drive(make_order(), OrderState.PUBLISHED)
    found = get_visible_or_404(Order.objects.all(), bank_cib, key="test order", pk=order.pk)
    assert found.visible_scope == Scope.for_user(bank_cib)
    with django_assert_num_queries(0):
        assert action_reads.visible_order(bank_cib, found)
    plain = Order.objects.get(pk=order.pk)
    with CaptureQueriesContext(connection) as asked:
        assert action_reads.visible_order(bank_cib, plain)
        assert action_reads.visible_order(inst_dhu, found) == action_reads.visible(inst_dhu, order.pk)
    assert len(asked) >= 2  # not found in these viewers' scopes: asked
    assert get_visible_or_404(Order.objects.all(), bank_cib, pk=order.pk).visible_scope == found.visible_scope


def test_has_responded_asks_once_per_instance_and_learns_of_the_response(make_order, drive, bank_cib):
    order = drive(make_order(), OrderState.PUBLISHED)
    org = bank_cib.organization_id
    assert not action_reads.has_responded(order, org)
    services.respond(order, by=bank_cib, proposal=RESPONSE["proposal"])
    assert action_reads.has_responded(order, org)
    assert action_reads.has_responded(Order.objects.get(pk=order.pk), org)
    with pytest.raises(WorkflowError) as exc:
        services.respond(order, by=bank_cib, proposal=RESPONSE["proposal"])
    assert exc.value.code == "duplicate"


def test_the_publication_routes_and_tells_the_routed_bodies_once(
    make_order, county_jinjiang, platform_admin, body_jrb
):
    """The routes are read once after they are written: the routed cells and the ROUTED event's recipients
    count every routed body."""
    order = services.submit_order(make_order(kind=OrderKind.CAPITAL), by=county_jinjiang)
    services.approve_order(order, by=platform_admin)
    bodies = set(OrderRoute.objects.filter(order=order).values_list("body_id", flat=True))
    assert bodies == {b.pk for b in ProvincialBody.objects.handling(OrderKind.CAPITAL)}
    told = set(Notification.objects.filter(order=order, kind="routed").values_list("recipient_id", flat=True))
    assert told == {u.pk for u in notifications.body_users(bodies)}
    assert tally.drift() == []  # the routed bodies' cells count the publication
    services.claim_order(order, by=body_jrb)  # the routes read once before the claim's check
    assert tally.drift() == []


def test_the_tallys_compiled_reads_are_the_orms(make_order, drive, bank_cib, inst_dhu):
    """An order's outcome and responses, its locked row and its routed bodies, as the ORM reads them."""
    orders = _orders(make_order, drive)
    services.respond(orders[3], by=bank_cib, proposal=RESPONSE["proposal"])
    services.respond(orders[4], by=inst_dhu, proposal=RESPONSE["proposal"])
    for order in [*orders, *orders]:
        rows = Order.objects.filter(pk=order.pk).order_by()
        outcome, responses = tally.order_extras(order.pk)
        providers = sorted(rows.exclude(responses=None).values_list("responses__provider_org_id", flat=True))
        assert outcome is None and sorted(responses) == providers
        assert all(counts == (1, 0) for counts in responses.values())
        with transaction.atomic():
            assert tally.deltas._locked_row(order.pk) == rows.values(*tally.ROW_FIELDS).first()
        routes = OrderRoute.objects.filter(order_id=order.pk).values_list("body_id", flat=True)
        assert tally.routed_bodies(order.pk) == list(routes)
    with transaction.atomic():
        assert tally.deltas._locked_row(10**9) is None


def test_the_locked_cells_are_the_orms(make_order, drive, body_kjt):
    """The summary cells a delta locks (compiled once per number of keys on PostgreSQL), as the ORM reads them:
    for keys found, missing and a repeated number of keys."""
    _orders(make_order, drive)
    stored = sorted(OrderTally.objects.values_list("key", flat=True))
    assert len(stored) >= 4

    def fields(row):
        return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields} | {
            "db": row._state.db,
            "adding": row._state.adding,
        }

    for keys in (stored[:1], stored[:3], stored[1:4], [*stored[:2], "no such key"], stored[-1:], ["none"]):
        keys = sorted(keys)
        with transaction.atomic():
            got = [fields(r) for r in tally.deltas._lock_cells(keys)]
            expected = [
                fields(r) for r in OrderTally.objects.select_for_update().filter(key__in=keys).order_by("key")
            ]
        assert got == expected
