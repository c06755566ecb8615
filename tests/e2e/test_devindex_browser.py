"""Browser test of the development index: the ranking with its county map, the map recoloured by a dimension,
a county page with its radar chart and what to do about its weak dimensions (open challenges among them), and
the index panel and the per-tier table on the province dashboard — in the system Chromium, without console, HTTP or CSP errors and without sideways
scrolling at 375 px.

Screenshots: test-output/screenshots/devindex-*.png (1280 px and 375 px).
"""

import pytest

from tests.e2e.conftest import SHOTS, no_horizontal_scroll, open_as


@pytest.fixture
def demo_world(django_db_blocker):
    """The index demo (sample values of all 83 counties, 2024 and 2025), sample orders, the demo events and
    challenges."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("generate_demo_orders", 300, "--seed", "16")
        call_command("seed_demo_devindex")
        call_command("seed_demo_orders")
        call_command("seed_demo_events")
        call_command("seed_demo_challenges")


def shoot(page, name, width, selector=None):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(500)  # ECharts redraws on resize
    if width <= 400:
        no_horizontal_scroll(page)
    path = SHOTS / f"devindex-{name}-{width}.png"
    if selector:
        page.locator(selector).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=True)
    return path


def chart_ready(page, element_id):
    page.wait_for_selector(f"#{element_id}[data-ready='1'] canvas")
    page.wait_for_timeout(600)  # the entry animation


@pytest.mark.django_db(transaction=True)
def test_ranking_map_and_county_radar_in_the_browser(browser, live_server, demo_world):
    from chains.models import County

    errors: list[str] = []
    page = open_as(browser, live_server, "body_kjt", errors=errors)
    page.goto(f"{live_server.url}/index/?year=2025")
    chart_ready(page, "devindex-map-chart")
    rows = page.locator("[data-testid=ranking-table] tbody tr")
    assert rows.count() == 83
    assert "71.65" in page.inner_text("[data-testid=ranking-table]")  # the published figure beside
    assert page.is_visible("[data-testid=sample-note]")
    for width in (1280, 375):
        shoot(page, "ranking", width)
        shoot(page, "map", width, "#devindex-map-chart")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.select_option("#id_metric", "innovation")
    page.wait_for_timeout(500)
    shoot(page, "map-innovation", 1280, "#devindex-map-chart")

    luoyuan = County.objects.get(name="罗源县")
    county = open_as(browser, live_server, "county_luoyuan", errors=errors)
    county.goto(f"{live_server.url}/index/counties/{luoyuan.pk}/?year=2025")
    chart_ready(county, "devindex-radar-chart")
    assert county.locator("[data-testid=dimension-table] tbody tr").count() == 5
    assert county.locator("[data-testid=helps] [data-help]").count() >= 1
    assert county.locator("[data-testid=prefilled-order]").count() >= 1
    for width in (1280, 375):
        shoot(county, "county", width)
        shoot(county, "radar", width, "#devindex-radar-chart")
    # the prefilled order opens the new-order form with the kind and chain chosen
    county.set_viewport_size({"width": 1280, "height": 900})
    county.locator("[data-testid=prefilled-order]").first.click()
    county.wait_for_load_state()
    assert "/orders/new/" in county.url
    assert county.input_value("input[name=title]").startswith("罗源县")

    admin = open_as(browser, live_server, "admin", errors=errors)
    admin.goto(f"{live_server.url}/dashboards/province/")
    admin.wait_for_selector("[data-devindex-panel][data-loaded='1'] [data-testid=need-table]")
    admin.wait_for_selector("[data-testid=index-tiers] [data-testid=tier-table]")
    for width in (1280, 375):
        shoot(admin, "province-panel", width, "[data-testid=devindex-panel]")
        shoot(admin, "province-tiers", width, "[data-testid=index-tiers]")

    jinjiang = County.objects.get(name="晋江市")
    own = open_as(browser, live_server, "county_jinjiang", errors=errors)
    own.goto(f"{live_server.url}/index/counties/{jinjiang.pk}/?year=2025")
    # the demo's 晋江市 is weak in 创新能力 and the demo challenge is open for its textile chain
    offer = own.locator("[data-help=innovation] [data-offer=challenges] a").first
    assert offer.inner_text() == "揭榜挂帅：纺织鞋服揭榜中的榜 1 项"
    for width in (1280, 375):
        shoot(own, "county-challenges", width, "[data-help=innovation]")
    own.set_viewport_size({"width": 1280, "height": 900})
    offer.click()
    own.wait_for_load_state()
    assert "/challenges/" in own.url and "state=open" in own.url
    assert "示例" in own.inner_text("main")
    assert not errors, errors
