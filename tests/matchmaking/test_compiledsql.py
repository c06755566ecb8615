"""core.compiledsql: a queryset compiled once per connection gives what the ORM gives, for any value."""

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from core import compiledsql
from matchmaking.choices import OrderState
from matchmaking.models import Order, OrderEvent


def _fields(obj, names):
    return {name: getattr(obj, name) for name in names}


@pytest.fixture
def compiles(monkeypatch):
    """The number of compilations `fetch` made."""
    calls = []
    original = compiledsql._compile

    def counting(build, value, using):
        calls.append(1)
        return original(build, value, using)

    monkeypatch.setattr(compiledsql, "_compile", counting)
    return calls


@pytest.mark.django_db
def test_model_rows_with_select_related_are_the_orms(make_order, drive, compiles):
    orders = [make_order(), drive(make_order(), OrderState.CLAIMED), make_order()]

    def build(pk):
        return (
            Order.objects.select_related("county__prefecture", "chain__chain_type", "link", "claimed_by_body")
            .select_related("handler", "outcome")
            .filter(pk=pk)
            .annotate(label=Concat(F("title"), Value("!")))
        )

    names = [f.attname for f in Order._meta.concrete_fields]
    for order in [*orders, *orders]:
        (got,) = compiledsql.fetch(("test", "orders"), build, order.pk)
        (want,) = list(build(order.pk))
        assert _fields(got, names) == _fields(want, names)
        assert got.label == want.label
        assert got.county.prefecture.name == want.county.prefecture.name
        assert got.chain.chain_type == want.chain.chain_type
        assert (got.claimed_by_body, got.handler) == (want.claimed_by_body, want.handler)
        assert getattr(got, "outcome", None) == getattr(want, "outcome", None)
        assert got._state.db == want._state.db and not got._state.adding
    assert compiledsql.fetch(("test", "orders"), build, 10**9) == []
    assert len(compiles) == 1


@pytest.mark.django_db
def test_values_rows_and_converters_are_the_orms(make_order, drive, compiles):
    order = drive(make_order(), OrderState.PUBLISHED)

    def build(pk):
        return (
            OrderEvent.objects.filter(order_id=pk)
            .order_by("created_at", "pk")
            .values("pk", "kind", "created_at")
        )

    assert compiledsql.fetch(("test", "events"), build, order.pk) == list(build(order.pk))
    assert compiledsql.fetch(("test", "events"), build, order.pk) == list(build(order.pk))
    assert len(compiles) == 1


@pytest.mark.django_db
def test_empty_and_unreplayable_querysets(make_order, compiles):
    order = make_order()
    assert compiledsql.fetch(("test", "none"), lambda pk: Order.objects.filter(pk=pk).none(), order.pk) == []
    # a related manager's queryset sets the known parent on its rows: run by the ORM each time
    related = compiledsql.fetch(("test", "related"), lambda pk: order.events.filter(order_id=pk), order.pk)
    assert related == list(order.events.all())
    # the value not bound as a parameter (here: not used at all): run by the ORM
    assert compiledsql.fetch(("test", "unbound"), lambda pk: Order.objects.filter(pk=order.pk), 1) == [order]
    assert compiledsql.fetch(("test", "unbound"), lambda pk: Order.objects.filter(pk=order.pk), 1) == [order]
    assert len(compiles) == 3  # each tried once


@pytest.mark.django_db
def test_a_tuple_of_values_is_bound_in_order(make_order, compiles):
    orders = [make_order() for _ in range(4)]

    def build(pks):
        return Order.objects.filter(pk__in=pks).order_by("pk").values("pk", "title")

    for pks in [(orders[0].pk, orders[2].pk), (orders[3].pk, orders[1].pk), (orders[1].pk, 10**9)]:
        assert compiledsql.fetch(("test", "in"), build, pks) == list(build(pks))
    assert len(compiles) == 1  # one length
    pks = (orders[0].pk, orders[1].pk, orders[3].pk)
    assert compiledsql.fetch(("test", "in"), build, pks) == list(build(pks))
    assert len(compiles) == 2
