"""The order page with its queries compiled once (core.compiledsql) is byte for byte the page the ORM builds,
for every persona and order state, and out-of-scope orders stay 404."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from core import compiledsql
from matchmaking import services
from matchmaking.choices import OrderState

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _page(client, order):
    response = client.get(reverse("orders:detail", args=[order.pk]))
    return response.status_code, TOKEN.sub(b"csrf", response.content)


@pytest.mark.django_db
def test_order_page_is_the_orms_page_for_every_persona_and_state(
    make_order,
    drive,
    monkeypatch,
    county_jinjiang,
    county_luoyuan,
    city_quanzhou,
    body_kjt,
    body_jrb,
    bank_cib,
    inst_dhu,
    firm_demo,
    platform_admin,
):
    orders = [drive(make_order(), state) for state in OrderState.values if state in _REACHABLE]
    published = drive(make_order(), OrderState.PUBLISHED)
    services.respond(published, by=firm_demo, proposal="我单位可组建团队联合攻关。")
    services.comment_order(published, by=county_jinjiang, note="协调一次")
    orders.append(published)
    users = (
        county_jinjiang,
        county_luoyuan,
        city_quanzhou,
        body_kjt,
        body_jrb,
        bank_cib,
        inst_dhu,
        firm_demo,
        platform_admin,
    )
    clients = {}
    for user in users:
        clients[user.pk] = Client()
        clients[user.pk].force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    # twice: compiling, then from the compiled query
    compiled = [[_page(clients[u.pk], o) for u in users for o in orders] for _round in range(2)]
    monkeypatch.setattr(compiledsql, "fetch", lambda key, build, value, using="default": list(build(value)))
    orm = [_page(clients[u.pk], o) for u in users for o in orders]
    assert compiled[0] == orm
    assert compiled[1] == orm
    statuses = {status for status, _html in orm}
    assert statuses == {200, 404}


_REACHABLE = {
    OrderState.DRAFT,
    OrderState.SUBMITTED,
    OrderState.PUBLISHED,
    OrderState.CLAIMED,
    OrderState.DOCKING,
    OrderState.RESOLVED,
}


@pytest.mark.django_db
def test_compiled_visibility_check_is_visible_to(
    make_order, drive, county_jinjiang, county_luoyuan, platform_admin
):
    """`get_visible_or_404` with a key finds what `visible_to(user).get()` finds, and 404 otherwise: other
    counties, drafts for the city, users without an approved scope."""
    from django.http import Http404

    from accounts.models import User
    from accounts.scoping import get_visible_or_404
    from matchmaking.models import Order

    orders = [make_order(), drive(make_order(), OrderState.PUBLISHED)]
    pending = User.objects.create_user(
        username="jj_pending_compiled", password="x", organization=county_jinjiang.organization
    )
    pending.approval_state = "pending"
    pending.save()
    queryset = Order.objects.select_related("county__prefecture", "claimed_by_body", "outcome")
    for user in (county_jinjiang, county_luoyuan, platform_admin, pending):
        for order in orders:
            try:
                expected = queryset.visible_to(user).get(pk=order.pk)
            except Order.DoesNotExist:
                expected = None
            for _round in range(2):
                try:
                    found = get_visible_or_404(queryset, user, key="test", pk=order.pk)
                except Http404:
                    found = None
                assert found == expected
                if found is not None:
                    assert found.county.prefecture == expected.county.prefecture
    with pytest.raises(Http404):
        get_visible_or_404(queryset, platform_admin, key="test", pk=10**9)
