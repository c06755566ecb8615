"""The visibility Q of orders and responses is built once per scope (ScopedQuerySet.visibility_is_pure): the
remembered Q gives the same SQL and rows as a fresh one, however often and however it is used."""

from accounts.scoping import Scope
from matchmaking.models import Order, Proposal
from matchmaking.models.orders import OrderState


def _fresh_sql(model, scope):
    return str(model.objects.filter(model.objects.all().visibility_q(scope)).query)


def test_remembered_visibility_is_the_fresh_one_after_any_use(
    make_order, county_jinjiang, city_quanzhou, body_kjt, bank_cib, inst_dhu, firm_demo, platform_admin
):
    make_order(title="一")
    users = [county_jinjiang, city_quanzhou, body_kjt, bank_cib, inst_dhu, firm_demo, platform_admin]
    for model in (Order, Proposal):
        assert model.objects.all().visibility_is_pure
        for user in users:
            scope = Scope.for_user(user)
            fresh = str(model.objects.visible_to(user).query)
            everything = model.objects.all()
            expected = everything if scope.is_admin else everything.filter(everything.visibility_q(scope))
            expected_rows = sorted(expected.values_list("pk"))
            if not scope.is_admin:
                assert fresh == _fresh_sql(model, scope)
            for _ in range(3):  # filtered, excluded, used as a subquery, counted, each time from the memo
                visible = model.objects.visible_to(user)
                list(visible.filter(pk__gt=0).exclude(pk=-1))
                Order.objects.filter(
                    pk__in=visible.values("pk") if model is Order else visible.values("order_id")
                )
                visible.count()
                assert str(model.objects.visible_to(user).query) == fresh
                assert sorted(model.objects.visible_to(user).values_list("pk")) == expected_rows


def test_the_memo_keeps_scopes_apart(county_jinjiang, body_kjt, bank_cib):
    seen = {str(Order.objects.visible_to(user).query) for user in (county_jinjiang, body_kjt, bank_cib)}
    assert len(seen) == 3
    assert Order.objects.visible_to(bank_cib).filter(state=OrderState.DRAFT).count() == 0
