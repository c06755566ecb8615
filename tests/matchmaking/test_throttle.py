"""Order creation is rate-limited per user on the web form and the API alike (one shared counter)."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from matchmaking.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_per_hour(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "order_create": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    yield
    cache.clear()


def _form(reference):
    chain = reference.CountyChain.objects.filter(county__name="晋江市").first()
    return {
        "kind": "capital", "chain": chain.pk, "title": "纺织企业技改设备融资需求",
        "description": "辖区规上纺织企业计划更新智能织造设备，需要中长期技改贷款支持，希望银行给出方案。",
        "due_date": str(datetime.date.today() + datetime.timedelta(days=365)), "contact_name": "陈主任", "contact_phone": "13905950000", "visibility": "open",
        "amount_yuan": 8_000_000, "financing_type": "loan",
    }  # fmt: skip


def test_web_form_is_throttled(two_per_hour, county_jinjiang, login, reference):
    client = login(county_jinjiang)
    data = _form(reference)
    assert client.post(reverse("orders:create"), data).status_code == 302
    assert client.post(reverse("orders:create"), data).status_code == 302
    response = client.post(reverse("orders:create"), data)
    assert response.status_code == 429
    assert "开单过于频繁" in response.content.decode()
    assert Order.objects.count() == 2


def test_web_and_api_share_the_counter(two_per_hour, county_jinjiang, login, reference):
    client = login(county_jinjiang)
    data = _form(reference)
    assert client.post(reverse("orders:create"), data).status_code == 302
    assert client.post(reverse("orders:create"), data).status_code == 302
    api = APIClient()
    api.force_authenticate(county_jinjiang)
    chain = data["chain"]
    response = api.post(
        "/api/v1/orders/",
        {**data, "chain": chain, "keywords": "技改"},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
