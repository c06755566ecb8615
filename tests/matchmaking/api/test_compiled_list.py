"""The orders list read from SQL compiled once (`OrderViewSet._compiled_list_key`, `RowValues(compiled_key=)`):
byte for byte the responses of the ORM path, for every persona, filter, page and language, errors included."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse

from matchmaking.api.orders import OrderViewSet
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Notification

VIEWERS = (
    "county_jinjiang",
    "county_luoyuan",
    "city_quanzhou",
    "admin",
    "body_kjt",
    "body_jrb",
    "bank_cib",
    "inst_dhu",
    "firm_demo",
)
QUERIES = (
    {},
    {"page": "2", "page_size": "4"},
    {"page_size": "5", "page": "3"},
    {"page": "1", "page_size": "200"},
    {"state": "published"},
    {"state": ["published", "claimed"], "page_size": "3", "page": "2"},
    {"state": ["claimed", "published"]},
    {"kind": "capital", "state": "published"},
    {"kind": ["innovation", "talent"]},
    {"state": "bogus"},
    {"state": ""},
    {"kind": "capital", "state": "nope"},
    {"page": "99"},
    {"page": "0"},
    {"page_size": "201"},
    {"page_size": "x", "state": "published"},
    {"state": "published", "page": "50"},
)


def _responses(api, personas, url_name="api:order-list", queries=QUERIES):
    """Every viewer's response to every query of the list, in both languages."""
    out = []
    for language in ("zh-hans", "en"):
        for username in VIEWERS:
            client = api(personas[username])
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            for params in queries:
                response = client.get(reverse(url_name), params)
                out.append((language, username, str(params), response.status_code, response.content))
    return out


def _orm_path():
    return mock.patch.object(OrderViewSet, "_compiled_list_key", lambda self: None)


def _orders(make_order, drive, count):
    states = (OrderState.DRAFT, OrderState.SUBMITTED, OrderState.PUBLISHED, OrderState.CLAIMED)
    kinds = (OrderKind.INNOVATION, OrderKind.CAPITAL, OrderKind.TALENT)
    for i in range(count):
        drive(make_order(kind=kinds[i % 3], title=f"第{i}号测试需求"), states[i % 4])


@pytest.mark.django_db
def test_compiled_list_is_byte_identical_to_the_orm(api, make_order, drive, personas):
    _orders(make_order, drive, 14)
    reference = _responses(api, personas)
    assert any(status == 400 for *_x, status, _c in reference)
    assert any(status == 404 for *_x, status, _c in reference)
    for _round in range(2):  # compiling, then replaying
        assert _responses(api, personas) == reference
        with _orm_path():
            assert _responses(api, personas) == reference
    # The data changes: the remembered SQL reads the new rows (counts, last pages).
    _orders(make_order, drive, 5)
    with _orm_path():
        changed = _responses(api, personas)
    assert changed != reference
    assert _responses(api, personas) == changed


@pytest.mark.django_db
def test_compiled_list_is_used_only_for_its_parameters(api, make_order, county_jinjiang):
    make_order()
    client = api(county_jinjiang)
    seen = []
    original = OrderViewSet._compiled_list_key

    def spy(self):
        key = original(self)
        seen.append(key)
        return key

    with mock.patch.object(OrderViewSet, "_compiled_list_key", spy):
        client.get(reverse("api:order-list"), {"state": "draft", "page": "1"})
        client.get(reverse("api:order-list"), {"state": "draft", "search": "x"})
        client.get(reverse("api:order-list"), {"ordering": "id"})
    assert seen[0] is not None and seen[1] is None and seen[2] is None
    plans = connections["default"].__dict__.get("_compiled_queries") or {}
    assert any(key[0][0] == seen[0] for key in plans)
    # The page and page size are not part of the key: the slice is.
    assert ("state", ("draft",)) in seen[0][2] and all(name != "page" for name, _v in seen[0][2])


NOTIFICATION_QUERIES = (
    {},
    {"page": "2", "page_size": "2"},
    {"page_size": "3", "page": "2"},
    {"unread": "true"},
    {"unread": "false", "kind": "published"},
    {"kind": "claimed"},
    {"unread": "maybe"},
    {"kind": "bogus"},
    {"unread": ""},
    {"page": "99"},
    {"page_size": "0"},
)


def _notification_responses(api, personas):
    """`_responses` of the notifications list."""
    return _responses(api, personas, "api:notification-list", NOTIFICATION_QUERIES)


@pytest.mark.django_db
def test_compiled_notifications_are_byte_identical_to_the_orm(
    api, make_order, drive, personas, county_jinjiang
):
    from matchmaking import services
    from matchmaking.api import notifications

    _orders(make_order, drive, 8)
    services.mark_notifications_read(
        county_jinjiang, ids=[Notification.objects.filter(recipient=county_jinjiang).first().pk]
    )

    def orm_path():
        return mock.patch.object(notifications, "COMPILED_LIST_PARAMETERS", frozenset())

    with orm_path():
        reference = _notification_responses(api, personas)
    assert {status for *_x, status, _c in reference} >= {200, 400, 404}
    assert sum(content.count(b'"id"') for *_x, _s, content in reference) > 20
    for _round in range(2):
        assert _notification_responses(api, personas) == reference
    services.mark_notifications_read(county_jinjiang)
    with orm_path():
        changed = _notification_responses(api, personas)
    assert changed != reference
    assert _notification_responses(api, personas) == changed


@pytest.mark.django_db
def test_row_values_compiled_count_and_slices(make_order):
    from core.pagination import RowValues
    from matchmaking.models import Order

    for i in range(3):
        make_order(title=f"第{i}号计数需求")
    names = ("id", "title")
    queryset = Order.objects.order_by("-id")
    for key_part in ("a", "b"):
        rows = RowValues(lambda: Order.objects.order_by("-id"), names, compiled_key=("test rows", key_part))
        assert rows.count() == queryset.count() == 3
        assert rows[1:3] == list(queryset.values(*names)[1:3])
    empty = RowValues(lambda: Order.objects.none(), names, compiled_key=("test rows", "none"))
    assert empty.count() == 0 and empty[0:20] == []
    distinct = RowValues(
        lambda: Order.objects.distinct().order_by("-id"), names, compiled_key=("test rows", "distinct")
    )
    assert distinct.count() == distinct.count() == 3  # the ORM's COUNT, then its SQL run again
    with pytest.raises(ValueError):  # slices are pages: an unordered queryset is refused
        RowValues(lambda: Order.objects.order_by(), names, compiled_key=("test rows", "unordered")).count()
