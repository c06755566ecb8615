"""Dashboard pages: who sees which (outside scope → 404), what they render, and pinned query counts."""

import json
import re

import pytest
from django.urls import reverse

from accounts.scoping import Scope
from chains.options import filter_options
from reports import access, chain_map, rollups

pytestmark = pytest.mark.django_db


def charts(response):
    html = response.content.decode()
    match = re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboards:province"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "province", "quanzhou", "fuzhou", "jinjiang", "luoyuan"),
    [
        ("admin", 200, 200, 200, 200, 200),
        ("body_kjt", 200, 200, 200, 200, 200),
        ("city_quanzhou", 404, 200, 404, 200, 404),
        ("county_jinjiang", 404, 404, 404, 200, 404),
        ("county_luoyuan", 404, 404, 404, 404, 200),
        ("bank_cib", 404, 404, 404, 404, 404),
        ("inst_dhu", 404, 404, 404, 404, 404),
    ],
)
def test_who_sees_which_dashboard(
    world, personas, login, reference, persona, province, quanzhou, fuzhou, jinjiang, luoyuan
):
    client = login(personas[persona])
    qz = reference.Prefecture.objects.get(name="泉州市")
    fz = reference.Prefecture.objects.get(name="福州市")
    assert client.get(reverse("dashboards:province")).status_code == province
    assert client.get(reverse("dashboards:city", args=[qz.pk])).status_code == quanzhou
    assert client.get(reverse("dashboards:city", args=[fz.pk])).status_code == fuzhou
    assert client.get(reverse("dashboards:county", args=[world["jinjiang"].pk])).status_code == jinjiang
    assert client.get(reverse("dashboards:county", args=[world["luoyuan"].pk])).status_code == luoyuan
    # the exports follow the same rule
    assert client.get(reverse("dashboards:export_province")).status_code == province
    assert (
        client.get(reverse("dashboards:export_county", args=[world["jinjiang"].pk])).status_code == jinjiang
    )


def test_province_page_renders_charts_and_tables(world, login, platform_admin):
    response = login(platform_admin).get(reverse("dashboards:province"))
    assert response.status_code == 200
    html = response.content.decode()
    data = charts(response)
    assert set(data) >= {
        "funnel",
        "by_kind",
        "by_state",
        "by_geo",
        "county_map",
        "outcomes",
        "chains",
        "providers",
    }
    assert [r["total"] for r in data["funnel"]["rows"]] == [7, 5, 3, 2]
    assert html.count('class="table table-sm') == len(data)  # every chart has its table view
    assert "<script>" not in html.replace("<script src=", "")  # no inline script (CSP)
    assert reverse("dashboards:city", args=[world["jinjiang"].prefecture_id]) in html  # drill-down link
    assert "57.1%" in html  # at today's date order 5's claim is overdue too: 4 met of 7 due


def test_filters_apply_and_bad_period_is_reported(world, login, platform_admin):
    client = login(platform_admin)
    data = charts(client.get(reverse("dashboards:province"), {"kind": "capital"}))
    assert sum(r["total"] for r in data["by_kind"]["rows"]) == 2
    response = client.get(reverse("dashboards:province"), {"start": "2025-06-10", "end": "2025-06-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_city_and_county_pages(world, login, city_quanzhou, county_jinjiang):
    client = login(city_quanzhou)
    response = client.get(reverse("dashboards:city", args=[world["jinjiang"].prefecture_id]))
    counties = {r["county"]: r["total"] for r in charts(response)["by_geo"]["rows"]}
    assert counties["晋江市"] == 5 and counties["石狮市"] == 1
    response = client.get(reverse("dashboards:county", args=[world["jinjiang"].pk]))
    assert response.status_code == 200
    client = login(county_jinjiang)
    response = client.get(reverse("dashboards:county", args=[world["jinjiang"].pk]))
    chains = {r["chain"]: r["total"] for r in charts(response)["by_geo"]["rows"]}
    assert chains == {"晋江市纺织鞋服产业链": 3, "晋江市食品产业链": 2, "晋江市集成电路产业链": 0}
    assert reverse("dashboards:chain_map", args=["textile-apparel"]) in response.content.decode()


def test_index_lists_what_each_user_may_open(world, login, county_jinjiang, bank_cib):
    html = login(county_jinjiang).get(reverse("dashboards:index")).content.decode()
    assert reverse("dashboards:county", args=[world["jinjiang"].pk]) in html
    html = login(bank_cib).get(reverse("dashboards:index")).content.decode()
    assert reverse("dashboards:province") not in html
    assert reverse("dashboards:chain_map", args=["textile-apparel"]) in html


# The entry page's link loops as the template wrote them before (model instances, a `{% url %}` per link).
FORMER_PREFECTURES = (
    '{% for p in prefectures %}<a class="badge text-bg-light border text-decoration-none me-1" '
    "href=\"{% url 'dashboards:city' p.pk %}\">{{ p.name }}</a>{% endfor %}"
)
FORMER_OWN_CHAINS = (
    '{% for c in own_chains %}<a class="badge text-bg-light border text-decoration-none me-1" '
    "href=\"{% url 'dashboards:chain_map' c.chain_type.code %}?county={{ c.county_id }}\">{{ c.name }}</a>"
    "{% endfor %}"
)
FORMER_CHAIN_TYPES = (
    '{% for ct in chain_types %}<a class="badge text-bg-light border text-decoration-none me-1 mb-1" '
    "href=\"{% url 'dashboards:chain_map' ct.code %}\">{{ ct.name }}</a>{% endfor %}"
)


def test_index_links_are_the_former_loops(world, login, county_jinjiang, platform_admin):
    """reports.entry's rows (compiled queries, URLs reversed once) give the links the template's loops gave."""
    from django.template import Context, Template

    from chains.models import ChainType, CountyChain, Prefecture

    def former(source, **context):
        return Template(source).render(Context(context))

    chain_types = former(FORMER_CHAIN_TYPES, chain_types=ChainType.objects.order_by("position", "code"))
    own = CountyChain.objects.filter(county_id=world["jinjiang"].pk).select_related("chain_type")
    own_chains = former(FORMER_OWN_CHAINS, own_chains=own)
    prefectures = former(FORMER_PREFECTURES, prefectures=Prefecture.objects.all())
    assert own_chains.count("?county=") == 3 and prefectures.count("<a ") == Prefecture.objects.count()
    for _replayed in range(2):
        html = login(county_jinjiang).get(reverse("dashboards:index")).content.decode()
        assert chain_types in html and own_chains in html and prefectures not in html
        html = login(platform_admin).get(reverse("dashboards:index")).content.decode()
        assert chain_types in html and prefectures in html and "?county=" not in html


def test_chain_map_page(world, login, platform_admin):
    client = login(platform_admin)
    response = client.get(
        reverse("dashboards:chain_map", args=["textile-apparel"]), {"county": world["jinjiang"].pk}
    )
    assert response.status_code == 200
    data = charts(response)
    assert {r["source"] for r in data["flows"]["rows"]} == {"晋江市"}
    assert "晋江市纺织鞋服产业链" in response.content.decode()
    assert client.get(reverse("dashboards:chain_map", args=["no-such-type"])).status_code == 404
    assert (
        client.get(reverse("dashboards:chain_map", args=["textile-apparel"]), {"county": 999999}).status_code
        == 404
    )


# Queries of the aggregates themselves (exact), and of the whole page: those plus the site's chrome
# (session, user, organization, navigation), which other templates own — hence a ceiling there.
CHROME = 10
# The chain registry's tiles and firm table (reports.registry): chains by county and status, the area's
# counties, the firms its orders served.
REGISTRY = 3


@pytest.mark.parametrize(
    ("level", "persona", "queries"),
    [
        ("province", "admin", 7),
        ("province", "body_kjt", 7),
        ("city", "city_quanzhou", 6),
        ("county", "county_jinjiang", 6),
    ],
)
def test_query_counts_are_pinned(
    world, personas, django_assert_num_queries, login, django_assert_max_num_queries, level, persona, queries
):
    """A constant number of queries whatever the data (aggregated in SQL, no per-row queries)."""

    user = personas[persona]
    jinjiang = world["jinjiang"]
    levels = {
        "province": (access.Level(access.PROVINCE), []),
        "city": (access.Level(access.CITY, prefecture=jinjiang.prefecture), [jinjiang.prefecture_id]),
        "county": (
            access.Level(access.COUNTY, prefecture=jinjiang.prefecture, county=jinjiang),
            [jinjiang.pk],
        ),
    }
    board_level, args = levels[level]
    from accounts.models import User

    fresh = User.objects.select_related("organization__provincial_body", "organization__county").get(
        pk=user.pk
    )
    Scope.for_user(fresh)
    # Each median is one query: the middle rows of an ordered index on PostgreSQL, hour buckets elsewhere.
    with django_assert_num_queries(queries):
        rollups.build_dashboard(fresh, board_level)
    client = login(user)
    filter_options()  # the filter form's region options come cached (chains.options), as on a running site
    with django_assert_max_num_queries(queries + CHROME + REGISTRY):
        assert client.get(reverse(f"dashboards:{level}", args=args)).status_code == 200


def test_chain_map_query_count(
    world, login, platform_admin, django_assert_num_queries, django_assert_max_num_queries
):
    from chains.models import ChainType

    textile = ChainType.objects.get(code="textile-apparel")
    with django_assert_num_queries(6):
        chain_map.build_chain_map(platform_admin, textile, world["jinjiang"])
    client = login(platform_admin)
    with django_assert_max_num_queries(6 + 2 + CHROME):
        client.get(
            reverse("dashboards:chain_map", args=["textile-apparel"]), {"county": world["jinjiang"].pk}
        )


def test_dashboard_cache_is_per_scope(
    world, login, settings, county_jinjiang, county_luoyuan, city_quanzhou, django_assert_max_num_queries
):
    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    level = access.Level(access.COUNTY, prefecture=world["jinjiang"].prefecture, county=world["jinjiang"])
    first = rollups.cached_dashboard(county_jinjiang, level)
    with django_assert_max_num_queries(0):
        assert rollups.cached_dashboard(county_jinjiang, level).totals == first.totals
    # another scope never gets the county's cached numbers
    assert rollups.cached_dashboard(county_luoyuan, level).totals["total"] == 0
    assert rollups.cached_dashboard(city_quanzhou, level).totals["total"] == 5
    assert access.scope_key(county_jinjiang) != access.scope_key(county_luoyuan)
    cache.clear()
