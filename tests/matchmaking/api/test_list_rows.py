"""The API lists' lean rows: byte for byte what DRF's field machinery gives for each order and each viewer."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIRequestFactory, force_authenticate

from chains.choices import ChainStatus
from chains.models import CountyChain
from matchmaking import services
from matchmaking.api.notifications import NotificationSerializer
from matchmaking.api.serializers import OrderSerializer
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Notification, Order

VIEWERS = ("county_jinjiang", "city_quanzhou", "admin", "body_kjt", "body_jrb", "inst_dhu", "bank_cib")


def _drf_rows(serializer_class, instances, request):
    """The rows as DRF's own per-field serialisation gives them (the reference)."""
    return [serializer_class(instance, context={"request": request}).data for instance in instances]


def _request(user):
    request = APIRequestFactory().get("/")
    force_authenticate(request, user)
    request.user = user
    return request


@pytest.mark.django_db
def test_order_rows_equal_drf_for_every_viewer(api, make_order, drive, personas, body_kjt):
    """Orders in every state and kind, with and without link, handler, claiming body, notes and dates."""
    states = (
        OrderState.DRAFT,
        OrderState.PUBLISHED,
        OrderState.CLAIMED,
        OrderState.DOCKING,
        OrderState.RESOLVED,
    )
    orders = [
        drive(make_order(kind=kind, title=f"{kind}需求"), state)
        for kind in (OrderKind.INNOVATION, OrderKind.CAPITAL)
        for state in states
    ]
    orders += [
        drive(make_order(kind=kind), OrderState.PUBLISHED) for kind in (OrderKind.TALENT, OrderKind.INDUSTRY)
    ]
    services.claim_order(
        drive(make_order(title="有承办人的需求"), OrderState.PUBLISHED), by=body_kjt, handler=body_kjt
    )
    make_order(title="无环节无日期", link=None, due_date=None, keywords="", contact_name="", contact_phone="")
    Order.objects.filter(pk=orders[0].pk).update(state_note="退回原因：请补充材料")
    assert (
        Order.objects.filter(handler__isnull=False).exists()
        and Order.objects.filter(link__isnull=True).exists()
    )
    chain = Order.objects.get(pk=orders[0].pk).chain
    for status in (chain.status, ChainStatus.DECLARED):
        CountyChain.objects.filter(pk=chain.pk).update(status=status)
        for language in ("zh-hans", "en"):
            for username in VIEWERS:
                _assert_same_rows(api, personas[username], language, "api:order-list", Order, OrderSerializer)


def _assert_same_rows(api, user, language, url_name, model, serializer_class):
    """The API list's rows, byte for byte, are DRF's per-field serialisation of the same objects."""
    client = api(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    rows = client.get(reverse(url_name), {"page_size": 200}).json()["results"]
    assert rows, user.username
    by_id = model.objects.in_bulk([row["id"] for row in rows])
    with translation.override(language):
        reference = _drf_rows(serializer_class, [by_id[row["id"]] for row in rows], _request(user))
    assert json.dumps(rows, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False), (
        user.username,
        language,
    )
    return rows


@pytest.mark.django_db
def test_notification_rows_equal_drf(api, make_order, drive, county_jinjiang):
    drive(make_order(), OrderState.RESOLVED)
    services.mark_notifications_read(
        county_jinjiang, ids=[Notification.objects.filter(recipient=county_jinjiang).first().pk]
    )
    for language in ("zh-hans", "en"):
        rows = _assert_same_rows(
            api, county_jinjiang, language, "api:notification-list", Notification, NotificationSerializer
        )
        assert (
            len(rows) > 1 and any(row["is_read"] for row in rows) and not all(row["is_read"] for row in rows)
        )


@pytest.mark.django_db
def test_list_without_filter_parameters_is_the_filtered_path(api, make_order, drive, personas):
    """No filter named: the filterset is skipped; the rows are those of the full path (an empty filter)."""
    drive(make_order(title="已发布需求"), OrderState.PUBLISHED)
    make_order(kind=OrderKind.CAPITAL, title="草稿需求")
    for username in ("county_jinjiang", "admin", "body_kjt", "inst_dhu"):
        client = api(personas[username])
        skipped = client.get(reverse("api:order-list"), {"page_size": 50}).json()
        full = client.get(reverse("api:order-list"), {"page_size": 50, "chain_type": ""}).json()
        assert skipped == full, username
        assert (
            client.get(reverse("api:order-list"), {"state": "published"}).json()["count"] <= skipped["count"]
        )


@pytest.mark.django_db
def test_filter_errors_follow_the_request_language(api, county_jinjiang):
    """The filter form class is built once per language: each request's errors are in its own language."""
    client = api(county_jinjiang)
    messages = {}
    for language in ("zh-hans", "en", "zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("api:order-list"), {"state": "bogus"})
        assert response.status_code == 400
        messages.setdefault(language, set()).add(
            json.dumps(response.json()["fields"]["state"], ensure_ascii=False)
        )
    assert len(messages["zh-hans"]) == 1 and len(messages["en"]) == 1
    assert messages["zh-hans"] != messages["en"]
    assert "valid choice" in next(iter(messages["en"]))


@pytest.mark.django_db
def test_order_list_count_has_no_joins(api, make_order, county_jinjiang):
    """The rows' values join four tables; the page's COUNT stays on the orders alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_order()
    with CaptureQueriesContext(connection) as captured:
        assert api(county_jinjiang).get(reverse("api:order-list")).json()["count"] == 1
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "JOIN" not in counts[0].upper(), counts
