"""The API contract (`/api/v1/development-index/`), permissions per endpoint and persona, writes through the
services, error shape, and pinned query counts on the lists."""

import pytest
from django.urls import reverse

from chains.models import County
from devindex import services
from devindex.models import IndicatorReport

pytestmark = pytest.mark.django_db
LIST = "/api/v1/development-index/"
DIMENSIONS = {"industry_strength", "innovation", "agglomeration", "quality", "smart_potential"}


@pytest.fixture
def api(client):
    def as_user(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return as_user


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_url_names():
    assert reverse("devindex-api:result-list") == LIST
    assert reverse("devindex-api:indicator-list") == LIST + "indicators/"
    assert reverse("devindex-api:value-list") == LIST + "values/"


def test_result_rows_follow_the_contract(small_year, api, body_kjt):
    client = api(body_kjt)
    computed = rows(client.get(LIST, {"year": 2024, "source": "computed", "page_size": 100}))
    assert len(computed) == County.objects.count()
    first = computed[0]
    assert set(first) >= {"county", "county_name", "year", "source", "total", "rank", "dimensions", "tiers"}
    assert (first["county_name"], first["year"], first["source"], first["total"], first["rank"]) == (
        "晋江市", 2024, "computed", 90.0, 1,
    )  # fmt: skip
    assert set(first["dimensions"]) == DIMENSIONS
    assert first["dimensions"]["innovation"] == {"score": 50.0, "rank": 2}
    assert first["tiers"] == ["industrial_strong"]
    unranked = computed[-1]
    assert unranked["rank"] is None and unranked["total"] is None
    assert unranked["dimensions"]["quality"] == {"score": None, "rank": None}


def test_published_rows_have_null_dimensions(index_system, api, body_kjt):
    published = rows(api(body_kjt).get(LIST, {"year": 2025, "source": "published"}))
    assert [(r["county_name"], r["total"], r["rank"]) for r in published[:3]] == [
        ("晋江市", 71.65, 1), ("集美区", 55.28, 2), ("南安市", 52.93, 3),
    ]  # fmt: skip
    assert len(published) == 10
    assert all(d == {"score": None, "rank": None} for r in published for d in r["dimensions"].values())
    assert published[0]["tiers"] == ["industrial_strong"]
    gulou = rows(api(body_kjt).get(LIST, {"year": 2025, "tier": "distinctive"}))
    assert gulou == []  # no 产业特色县 is among the published top 10


def test_year_defaults_to_the_latest_and_both_sources_without_a_filter(small_year, api, county_jinjiang):
    data = api(county_jinjiang).get(LIST, {"page_size": 200}).json()
    assert {r["year"] for r in data["results"]} == {2025}
    assert {r["source"] for r in data["results"]} == {"published"}  # 2025 has only published figures here
    both = rows(
        api(county_jinjiang).get(LIST, {"year": 2024, "county": County.objects.get(name="晋江市").pk})
    )
    assert [r["source"] for r in both] == ["computed"]


def test_providers_read_published_figures_only(small_year, api, inst_dhu):
    client = api(inst_dhu)
    assert rows(client.get(LIST, {"year": 2024})) == []
    assert len(rows(client.get(LIST, {"year": 2025}))) == 10
    assert rows(client.get(LIST + "values/")) == []
    assert rows(client.get(LIST + "reports/")) == []


@pytest.mark.parametrize("path", ["", "indicators/", "values/", "reports/"])
def test_anonymous_is_refused_in_the_error_shape(client, path):
    response = client.get(LIST + path)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "fields"}


def test_bad_filters_are_400(index_system, api, body_kjt):
    response = api(body_kjt).get(LIST, {"year": "abc"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert api(body_kjt).get(LIST, {"year": 99999999999}).status_code == 400
    assert api(body_kjt).get(LIST, {"source": "rumour"}).status_code == 400


def test_indicators_list_the_system_with_current_weights(index_system, api, county_luoyuan):
    data = rows(api(county_luoyuan).get(LIST + "indicators/", {"page_size": 50}))
    assert len(data) == 16
    first = data[0]
    assert (first["code"], first["dimension"], first["unit"], first["direction"]) == (
        "industrial_revenue", "industry_strength", "亿元", "positive",
    )  # fmt: skip
    assert (first["weight"], first["dimension_weight"], first["method_version"]) == (1.0, 1.0, 1)


def test_a_county_writes_its_own_values(index_system, api, county_luoyuan):
    client = api(county_luoyuan)
    created = client.post(
        LIST + "values/",
        {"year": 2026, "indicator": "new_patents", "value": "120"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["county_name"], body["indicator"], body["value"], body["state"]) == (
        "罗源县",
        "new_patents",
        120.0,
        "draft",
    )
    changed = client.patch(f"{LIST}values/{body['id']}/", {"value": None}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["value"] is None
    other = County.objects.get(name="晋江市").pk
    refused = client.post(
        LIST + "values/",
        {"county": other, "year": 2026, "indicator": "new_patents", "value": 1},
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    invalid = client.post(
        LIST + "values/",
        {"year": 2026, "indicator": "industry_gdp_share", "value": 150},
        content_type="application/json",
    )
    assert invalid.status_code == 400 and "industry_gdp_share" in invalid.json()["fields"]


@pytest.mark.parametrize("persona", ["city_quanzhou", "body_kjt", "inst_dhu"])
def test_others_cannot_write_values(index_system, api, personas, persona):
    response = api(personas[persona]).post(
        LIST + "values/", {"county": County.objects.first().pk, "year": 2026, "indicator": "new_patents", "value": 1},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403


def test_approved_values_are_read_only_for_the_county(small_year, api, county_jinjiang):
    client = api(county_jinjiang)
    value = rows(
        client.get(LIST + "values/", {"year": 2024, "county": County.objects.get(name="晋江市").pk})
    )[0]
    response = client.patch(f"{LIST}values/{value['id']}/", {"value": 1}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    other = rows(
        client.get(LIST + "values/", {"year": 2024, "county": County.objects.get(name="罗源县").pk})
    )[0]
    assert (
        client.patch(
            f"{LIST}values/{other['id']}/", {"value": 1}, content_type="application/json"
        ).status_code
        == 403
    )


def test_administrators_name_the_county(index_system, api, platform_admin):
    client = api(platform_admin)
    missing = client.post(
        LIST + "values/",
        {"year": 2026, "indicator": "new_patents", "value": 1},
        content_type="application/json",
    )
    assert missing.status_code == 400 and "county" in missing.json()["fields"]
    done = client.post(
        LIST + "values/", {"county": County.objects.get(name="罗源县").pk, "year": 2026, "indicator": "new_patents", "value": 1},
        content_type="application/json",
    )  # fmt: skip
    assert done.status_code == 201


def test_report_actions_submit_then_city_review(
    index_system, api, county_luoyuan, city_fuzhou, city_quanzhou
):
    report = services.save_values(
        County.objects.get(name="罗源县"), 2026, {"new_patents": "9"}, by=county_luoyuan
    )
    url = f"{LIST}reports/{report.pk}/"
    assert api(city_fuzhou).get(url).status_code == 404  # a draft is the county's own
    submitted = api(county_luoyuan).post(url + "submit/")
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    assert api(county_luoyuan).post(url + "submit/").status_code == 409
    assert api(county_luoyuan).post(url + "approve/").status_code == 403
    assert api(city_quanzhou).post(url + "approve/").status_code == 404  # another city's county
    no_reason = api(city_fuzhou).post(url + "return/", {}, content_type="application/json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    returned = api(city_fuzhou).post(url + "return/", {"reason": "请补充"}, content_type="application/json")
    assert returned.json()["state"] == "returned" and returned.json()["state_note"] == "请补充"
    assert api(county_luoyuan).get(url).json()["state_note"] == "请补充"
    api(county_luoyuan).post(url + "submit/")
    approved = api(city_fuzhou).post(url + "approve/")
    assert approved.status_code == 200 and approved.json()["values"] == {"new_patents": 9.0}
    assert IndicatorReport.objects.get(pk=report.pk).state == "approved"


@pytest.mark.parametrize(
    ("path", "queries"),
    # 3 of each are the session, user, and the organization with its body (one query); the rest is the list's own
    [("", 8), ("indicators/", 6), ("values/", 5), ("reports/", 6)],
)
def test_list_query_counts_are_pinned(small_year, api, body_kjt, django_assert_num_queries, path, queries):
    """Constant whatever the number of rows (83 results, 48 values, 3 reports here)."""
    client = api(body_kjt)
    client.get(LIST + path, {"year": 2024})  # warm the session
    with django_assert_num_queries(queries):
        assert client.get(LIST + path, {"year": 2024, "page_size": 200}).status_code == 200
