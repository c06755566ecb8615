"""The order lists without filters compile their COUNT and page queries once per connection and scope
(core.compiledsql via RowValues' key): the same HTML as the ORM's queries, also after the data changed."""

import re

import pytest
from django.db import connection

from core import compiledsql
from matchmaking import rows
from matchmaking.choices import OrderState
from matchmaking.models import Order
from matchmaking.views import common

CSRF = re.compile(r'(csrfmiddlewaretoken" value=")[^"]+|(csrf-token" content=")[^"]+')

PAGES = {
    "county_jinjiang": ["/orders/county/", "/orders/"],
    "body_kjt": ["/orders/queue/", "/orders/taken/", "/orders/"],
    "bank_cib": ["/orders/open/", "/orders/"],
    "city_quanzhou": ["/orders/city/"],
}


def _html(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return CSRF.sub(lambda m: (m.group(1) or m.group(2)) + "X", response.content.decode())


def _orm_html(client, path, monkeypatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(common, "list_orders", lambda queryset, key=None: rows.list_orders(queryset))
        return _html(client, path)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_compiled_lists_are_the_orm_lists(language, personas, make_order, client, monkeypatch):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for _n in range(23):  # more than a page
        make_order()
    for who, paths in PAGES.items():
        client.force_login(personas[who], backend="django.contrib.auth.backends.ModelBackend")
        for path in paths:
            for query in ["", "?page=2", "?page=1", "?page=9"]:
                assert _html(client, path + query) == _orm_html(client, path + query, monkeypatch)
                assert _html(client, path + query) == _orm_html(client, path + query, monkeypatch)  # replayed
    client.force_login(personas["county_jinjiang"], backend="django.contrib.auth.backends.ModelBackend")
    before = _html(client, "/orders/county/")
    make_order(title="新加的需求")  # the replayed SQL reads the rows as they are now
    after = _html(client, "/orders/county/")
    assert after != before and "新加的需求" in after
    assert after == _orm_html(client, "/orders/county/", monkeypatch)


@pytest.mark.django_db
def test_compiled_count_replays_the_orm_count(make_order):
    assert compiledsql.count("test count", lambda: Order.objects.filter(kind="innovation")) == (
        Order.objects.filter(kind="innovation").count()
    )
    make_order()
    assert compiledsql.count("test count", lambda: Order.objects.filter(kind="innovation")) == (
        Order.objects.filter(kind="innovation").count()
    )
    assert isinstance(connection._compiled_queries[("test count", "count")], tuple)  # replayed SQL
    assert compiledsql.count("test none", lambda: Order.objects.none()) == 0  # no query: left to the ORM
    assert compiledsql.count("test none", lambda: Order.objects.none()) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_compiled_inbox_is_the_orm_inbox(language, personas, client, monkeypatch):
    from django.conf import settings

    from matchmaking.models import Notification
    from matchmaking.views import inbox

    def orm(path):
        with monkeypatch.context() as patch:
            patch.setattr(inbox, "inbox_notes", lambda queryset, key=None: rows.inbox_notes(queryset))
            return _html(client, path)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for who in ["county_jinjiang", "bank_cib"]:
        user = personas[who]
        for n in range(23):
            Notification.objects.create(recipient=user, kind="order_published", title=f"{who} 消息 {n} <b>")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for query in ["", "?page=2", "?page=9", ""]:
            assert _html(client, "/orders/inbox/" + query) == orm("/orders/inbox/" + query)
        Notification.objects.create(recipient=user, kind="order_published", title="新消息")
        after = _html(client, "/orders/inbox/")
        assert "新消息" in after and after == orm("/orders/inbox/")


@pytest.mark.django_db
def test_compiled_responses_are_the_orm_responses(personas, make_order, drive, client, monkeypatch):
    """我的响应 compiles its COUNT and page queries once per scope: the same HTML as the ORM's, also for the
    other organization of the same kind and after a new response."""
    from matchmaking import services
    from matchmaking.views import lists

    def orm(path):
        with monkeypatch.context() as patch:
            patch.setattr(lists, "response_values", lambda made, key=None: rows.response_values(made()))
            return _html(client, path)

    for _n in range(22):  # more than a page of the institution's responses
        drive(make_order(), OrderState.PUBLISHED)
    for order in Order.objects.filter(state=OrderState.PUBLISHED)[:21]:
        services.respond(order, by=personas["inst_dhu"], proposal="我校纺织学院可组建团队联合攻关。")
    for who in ("inst_dhu", "bank_cib"):
        client.force_login(personas[who], backend="django.contrib.auth.backends.ModelBackend")
        for query in ["", "?page=2", "?page=1", "?page=9"]:
            assert _html(client, "/orders/responses/" + query) == orm("/orders/responses/" + query)
            assert _html(client, "/orders/responses/" + query) == orm(
                "/orders/responses/" + query
            )  # replayed
    client.force_login(personas["inst_dhu"], backend="django.contrib.auth.backends.ModelBackend")
    before = _html(client, "/orders/responses/")
    last = Order.objects.filter(state=OrderState.PUBLISHED).exclude(responses__isnull=False).first()
    services.respond(last, by=personas["inst_dhu"], proposal="新的响应：可提供中试线。")
    after = _html(client, "/orders/responses/")
    assert after != before and last.title in after
    assert after == orm("/orders/responses/")
