"""Read-only catalog API, token login, error shape, schema and self-hosted docs."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from chains.models import County, Enterprise

CATALOG_ENDPOINTS = [
    ("api:prefecture-list", 9),
    ("api:county-list", 83),
    ("api:chain-type-list", 34),
    ("api:chain-list", 60),
    ("api:institution-list", 79),
    ("api:enterprise-list", 217),
    ("api:fund-list", 30),
    ("api:financial-product-list", 39),
    ("api:talent-resource-list", 26),
    ("api:provincial-body-list", 17),
]


@pytest.fixture
def api(county_jinjiang):
    client = APIClient()
    client.force_authenticate(county_jinjiang)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "count"), CATALOG_ENDPOINTS)
def test_catalog_lists_need_login(name, count):
    response = APIClient().get(reverse(name))
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "fields"}
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "count"), CATALOG_ENDPOINTS)
def test_catalog_lists(api, name, count, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = api.get(reverse(name), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] == count


@pytest.mark.django_db
def test_catalog_filters_and_search(api):
    url = reverse("api:enterprise-list")
    body = api.get(url, {"chain_type": "lithium-battery", "page_size": 200}).json()
    assert body["count"] == Enterprise.objects.filter(chain_type__code="lithium-battery").count() > 0
    jiaocheng = County.objects.get(name="蕉城区")
    body = api.get(url, {"county": jiaocheng.pk, "search": "宁德时代"}).json()
    assert [r["name"] for r in body["results"]] == ["宁德时代"]
    assert body["results"][0]["link_name"] == "电芯与电池包"
    samples = api.get(url, {"source": "sample", "page_size": 1}).json()
    assert samples["count"] == 88 and samples["results"][0]["is_sample"] is True

    fuding = County.objects.get(name="福鼎市")
    names = {
        r["name"]
        for r in api.get(
            reverse("api:financial-product-list"), {"county": fuding.pk, "page_size": 200}
        ).json()["results"]
    }
    assert "专精特新贷" in names and "质量贷" not in names

    capital = api.get(reverse("api:provincial-body-list"), {"handles": "capital", "page_size": 200}).json()[
        "results"
    ]
    assert "省委金融办" in {b["short_name"] for b in capital}
    assert all("capital" in b["handles"] for b in capital)

    links = api.get(reverse("api:chain-type-list"), {"search": "lithium"}).json()["results"][0]["links"]
    assert links[0]["name"] == "锂矿与基础原料" and "碳酸锂" in links[0]["keywords"]


@pytest.mark.django_db
def test_bad_filter_value_is_400_in_the_error_shape(api):
    response = api.get(reverse("api:enterprise-list"), {"county": "abc"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "county" in body["fields"]


@pytest.mark.django_db
def test_unknown_object_is_404_in_the_error_shape(api):
    response = api.get(reverse("api:institution-detail", args=[999999]))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found", "fields": {}}


@pytest.mark.django_db
def test_token_login(county_jinjiang):
    client = APIClient()
    response = client.post(
        reverse("api:token"),
        {"username": "county_jinjiang", "password": "Demo-Password-2026!"},
        format="json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:prefecture-list")).status_code == 200


@pytest.mark.django_db
def test_token_login_wrong_password_then_lockout(county_luoyuan, settings):
    client = APIClient()
    url = reverse("api:token")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            url, {"username": "county_luoyuan", "password": "wrong-password-123"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_credentials"
    response = client.post(
        url, {"username": "county_luoyuan", "password": "wrong-password-123"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "locked_out"
    response = client.post(
        url, {"username": "county_luoyuan", "password": "Demo-Password-2026!"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "locked_out"


@pytest.mark.django_db
def test_token_login_missing_fields():
    response = APIClient().post(reverse("api:token"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


@pytest.mark.django_db
def test_schema_and_self_hosted_docs(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/institutions/" in schema.json()["paths"]
    docs = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()
