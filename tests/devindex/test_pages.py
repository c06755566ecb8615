"""Pages: who reaches each one (404 outside scope) and what they read (content through the policy); the
ranking, map data and export; the county page with radar data, strengths and weaknesses and what to do; the
method page; filling in and reviewing through the pages; the dashboard panels; the tier filter and the
prefilled order form."""

import json
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from chains.models import County, Prefecture
from devindex import services
from devindex.models import IndicatorReport, MethodVersion
from matchmaking.models import Order

pytestmark = pytest.mark.django_db


def page(client, url, data=None, status=200):
    response = client.get(url, data or {})
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode() if status == 200 else ""


def script_data(html: str, element_id: str):
    start = html.index(f'id="{element_id}"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


@pytest.mark.parametrize("persona", ["county_jinjiang", "city_quanzhou", "body_kjt", "admin"])
def test_ranking_for_government_users(small_year, login, personas, persona):
    html = page(login(personas[persona]), reverse("devindex:ranking"), {"year": 2024})
    assert "晋江市" in html and 'data-testid="ranking-table"' in html
    data = script_data(html, "devindex-map")
    jinjiang = next(r for r in data["rows"] if r["name"] == "晋江市")
    assert jinjiang["values"]["total"] == 90.0 and jinjiang["rank"] == 1
    assert jinjiang["values"]["innovation"] == 50.0 and jinjiang["url"].startswith("/index/counties/")
    assert len(data["rows"]) == County.objects.count()


def test_ranking_shows_published_figures_beside_computed_ones(small_year, login, body_kjt, county_luoyuan):
    html = page(login(body_kjt), reverse("devindex:ranking"), {"year": 2025})
    assert "71.65" in html and "白皮书" in html and "各维度前十名未纳入本平台数据" in html
    assert 'data-testid="top-table"' in html
    assert reverse("devindex:reports") not in html  # bodies neither fill in nor review
    assert reverse("devindex:reports") in page(login(county_luoyuan), reverse("devindex:ranking"))


def test_providers_see_published_figures_only_and_anonymous_users_log_in(small_year, login, inst_dhu, client):
    html = page(login(inst_dhu), reverse("devindex:ranking"), {"year": 2024})
    assert "71.65" in html  # the year falls back to the published 2025
    assert "90.00" not in html and "/index/counties/" not in html
    page(login(inst_dhu), reverse("devindex:county", args=[County.objects.get(name="晋江市").pk]), status=404)
    client.logout()
    assert client.get(reverse("devindex:ranking")).status_code == 302


def test_ranking_filters_by_tier_and_prefecture(small_year, login, body_kjt):
    client = login(body_kjt)
    html = page(client, reverse("devindex:ranking"), {"year": 2024, "tier": "industrial_strong"})
    rows = script_data(html, "devindex-map")["rows"]
    assert {r["name"] for r in rows} == {"晋江市", "南安市", "罗源县"}
    fuzhou = Prefecture.objects.get(name="福州市")
    rows = script_data(
        page(client, reverse("devindex:ranking"), {"year": 2024, "prefecture": fuzhou.pk}), "devindex-map"
    )["rows"]
    assert {r["name"] for r in rows} == set(
        County.objects.filter(prefecture=fuzhou).values_list("name", flat=True)
    )


def test_ranking_export(small_year, login, city_quanzhou):
    response = login(city_quanzhou).get(
        reverse("devindex:export"), {"year": 2024, "tier": "industrial_strong"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("排名", "县域", "设区市", "指数得分")
    assert rows[1][:4] == (1, "晋江市", "泉州市", 90.0) and len(rows) == 4


def test_county_page_radar_standings_and_help(small_year, login, county_luoyuan):
    luoyuan = County.objects.get(name="罗源县")
    html = page(login(county_luoyuan), reverse("devindex:county", args=[luoyuan.pk]), {"year": 2024})
    radar = script_data(html, "devindex-radar")
    assert [i["name"] for i in radar["indicators"]] == [
        "产业实力",
        "创新能力",
        "集聚水平",
        "质量效益",
        "智造潜力",
    ]
    series = {s["key"]: s["values"] for s in radar["series"]}
    assert series["county"] == [0.0, 100.0, 0.0, 0.0, 0.0]
    assert series["median"] == [50.0, 50.0, 50.0, 50.0, 50.0]
    assert series["top10"][0] == 50.0  # the mean of the three ranked counties
    # 创新能力 is the strength (rank 1 of 3); the four others fall below the median: weaknesses
    assert 'data-dimension="innovation"' in html and 'data-standing="strong"' in html
    assert html.count('data-standing="weak"') == 4
    assert 'data-help="industry_strength"' in html and 'data-help="innovation"' not in html
    # the county itself gets prefilled orders for its chains
    assert 'data-testid="prefilled-order"' in html and "kind=industry" in html
    assert "20.00" in html and "全省第 3 / 3 名" in html


def test_other_viewers_see_the_help_but_place_no_order(small_year, login, city_fuzhou, county_jinjiang):
    luoyuan = County.objects.get(name="罗源县")
    for user in (city_fuzhou, county_jinjiang):
        html = page(login(user), reverse("devindex:county", args=[luoyuan.pk]), {"year": 2024})
        assert 'data-help="industry_strength"' in html
        assert 'data-testid="prefilled-order"' not in html


def test_a_county_without_weakness_gets_a_relative_one(small_year, login, county_jinjiang):
    jinjiang = County.objects.get(name="晋江市")
    html = page(login(county_jinjiang), reverse("devindex:county", args=[jinjiang.pk]), {"year": 2024})
    assert 'data-standing="relative_weak"' in html and 'data-help="innovation"' in html
    assert "+" not in html.split('data-testid="yoy"')[0][-20:]  # no previous year: no change shown


def test_county_page_year_on_year(index_system, login, body_kjt):
    from .conftest import sheet, small_rows

    rows = small_rows(index_system)
    services.import_values(sheet(rows, 2023))
    services.compute_year(2023)
    rows["南安市"] = dict.fromkeys(index_system, 35)  # 南安市 overtakes everybody in 2024
    services.import_values(sheet(rows, 2024))
    services.compute_year(2024)
    nanan = County.objects.get(name="南安市")
    html = page(login(body_kjt), reverse("devindex:county", args=[nanan.pk]), {"year": 2024})
    assert 'data-testid="yoy"' in html and "排名上升 1 位" in html


def test_indicator_values_on_the_county_page_mark_imputed_ones(index_system, login, body_kjt):
    from .conftest import sheet, small_rows

    rows = small_rows(index_system)
    rows["罗源县"]["new_patents"] = None
    services.import_values(sheet(rows, 2024))
    services.compute_year(2024)
    luoyuan = County.objects.get(name="罗源县")
    html = page(login(body_kjt), reverse("devindex:county", args=[luoyuan.pk]), {"year": 2024})
    assert "未填报·按中位数" in html and "1 项按全省中位数补齐" in html


def test_method_page_explains_the_method_and_lists_values(small_year, login, body_kjt, inst_dhu):
    html = page(login(body_kjt), reverse("devindex:method"), {"year": 2024})
    assert "极差法" in html and "中位数补齐" in html and "1、2、2、4" in html
    assert 'data-testid="values-table"' in html and "罗源县" in html and "修改方法与权重" not in html
    page(login(inst_dhu), reverse("devindex:method"), status=404)


def test_method_edit_page_creates_a_version(
    small_year, login, platform_admin, body_kjt, django_capture_on_commit_callbacks
):
    url = reverse("devindex:method_edit")
    page(login(body_kjt), url, status=404)
    client = login(platform_admin)
    current = MethodVersion.current()
    form = {"normalisation": "efficacy", "min_coverage": 8, "note": "改用功效系数法"}
    for code in current.dimension_weights:
        form[f"dim__{code}"] = 1
    for code, direction in current.directions.items():
        form[f"w__{code}"] = 1
        form[f"dir__{code}"] = direction
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)
    assert response.status_code == 302
    assert MethodVersion.current().normalisation == "efficacy"
    html = page(client, reverse("devindex:ranking"), {"year": 2024})
    assert "第 2 版方法" in html and "96.00" in html  # 晋江市: (4·100 + 80)/5 under 60 + 40·r


def test_fill_in_submit_and_review_through_the_pages(
    index_system, login, county_luoyuan, city_fuzhou, city_quanzhou
):
    client = login(county_luoyuan)
    # the year after the latest with results (the published 2025)
    assert reverse("devindex:report_edit", args=[2026]) in page(client, reverse("devindex:reports"))
    form = {"new_patents": "12", "rd_intensity": "2.4", "submit": "1"}
    response = client.post(reverse("devindex:report_edit", args=[2026]), form)
    report = IndicatorReport.objects.get(county__name="罗源县", year=2026)
    assert response.status_code == 302 and report.state == "submitted"
    bad = client.post(reverse("devindex:report_edit", args=[2027]), {"industry_gdp_share": "140"})
    assert bad.status_code == 200 and "不能大于" in bad.content.decode()
    page(login(city_quanzhou), reverse("devindex:report", args=[report.pk]), status=404)
    city = login(city_fuzhou)
    html = page(city, reverse("devindex:report", args=[report.pk]))
    assert 'data-action="approve"' in html and 'data-action="return"' in html
    city.post(reverse("devindex:report_action", args=[report.pk, "return"]), {"reason": "请核对专利数"})
    report.refresh_from_db()
    assert report.state == "returned"
    html = page(login(county_luoyuan), reverse("devindex:report", args=[report.pk]))
    assert "请核对专利数" in html and 'data-action="submit"' in html
    # a body reads approved reports only; a county cannot review its own
    assert (
        login(county_luoyuan).post(reverse("devindex:report_action", args=[report.pk, "approve"])).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.state == "returned"


def test_dashboard_panels(
    small_year, login, body_kjt, platform_admin, city_quanzhou, county_luoyuan, county_jinjiang, make_order
):
    make_order(by=county_luoyuan)  # a draft: not counted
    from matchmaking import services as order_services

    order_services.submit_order(make_order(by=county_luoyuan), by=county_luoyuan)
    html = page(login(platform_admin), reverse("devindex:panel", args=["province"]))
    # the per-tier table (orders, outcomes and events) is the dashboards' own: tests/reports/test_index_tiers.py
    assert 'data-testid="need-table"' in html and 'data-testid="tier-table"' not in html
    # 创新能力: 南安市 is weak (no order); 晋江市 and 罗源县 (one innovation order) are the rest
    innovation = html.split('data-need-row="innovation"')[1].split("</tr>")[0]
    assert (
        '<td class="text-end">1</td><td class="text-end">0.0</td><td class="text-end">0</td>'
        '<td class="text-end">0.5</td>'
    ) in innovation
    fuzhou = Prefecture.objects.get(name="福州市")
    page(login(city_quanzhou), reverse("devindex:panel", args=["province"]), status=404)
    page(login(city_quanzhou), reverse("devindex:panel", args=["city"]), {"id": fuzhou.pk}, status=404)
    quanzhou = Prefecture.objects.get(name="泉州市")
    html = page(login(city_quanzhou), reverse("devindex:panel", args=["city"]), {"id": quanzhou.pk})
    assert "晋江市" in html and "南安市" in html and "罗源县" not in html
    luoyuan = County.objects.get(name="罗源县")
    html = page(login(county_luoyuan), reverse("devindex:panel", args=["county"]), {"id": luoyuan.pk})
    assert 'data-weak="industry_strength"' in html and "发起需求" in html
    page(login(county_jinjiang), reverse("devindex:panel", args=["county"]), {"id": luoyuan.pk}, status=404)
    assert 'data-devindex-panel="/index/panel/province/"' in page(
        login(body_kjt), reverse("dashboards:province")
    )


def test_order_lists_and_dashboards_filter_by_tier(
    small_year, login, body_kjt, county_luoyuan, platform_admin, make_order
):
    from matchmaking import services as order_services

    order = order_services.submit_order(make_order(by=county_luoyuan), by=county_luoyuan)
    order_services.approve_order(order, by=platform_admin)
    client = login(body_kjt)
    html = page(client, reverse("orders:list"), {"county_group": "industrial_strong"})
    assert 'name="county_group"' in html and "罗源县" in html
    html = page(client, reverse("orders:list"), {"county_group": "distinctive"})
    assert 'data-testid="order-row"' not in html
    html = page(client, reverse("dashboards:province"), {"county_group": "distinctive"})
    assert 'name="county_group"' in html


def test_the_new_order_form_can_be_prefilled(small_year, login, county_luoyuan):
    from chains.models import CountyChain

    chain = CountyChain.objects.filter(county__name="罗源县").first()
    html = page(
        login(county_luoyuan),
        reverse("orders:create"),
        {"kind": "capital", "chain": chain.pk, "title": "技改融资需求"},
    )
    assert 'value="技改融资需求"' in html
    assert f'<option value="{chain.pk}" selected' in html  # options also carry their chain type
    assert Order.objects.count() == 0
