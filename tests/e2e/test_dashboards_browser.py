"""Browser test: each dashboard and the chain map render their charts (and the Fujian county map) in the
system Chromium, without console or CSP errors and without sideways scrolling at 375 px.

Screenshots: test-output/screenshots/dashboards-*.png (1280 px and 375 px). Skipped when /usr/bin/chromium
is missing unless REQUIRE_BROWSER=1. Never downloads a browser.
"""

import pytest

from tests.e2e.conftest import SHOTS, no_horizontal_scroll, open_as


@pytest.fixture
def demo_world(django_db_blocker):
    """A few hundred sample orders on top of the baseline (the suite restores the baseline afterwards)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("generate_demo_orders", 800, "--seed", "11")


def charts_drawn(page):
    """Wait until every chart element holds an ECharts canvas or an explicit 'no data' note."""
    page.wait_for_selector("html[data-charts-ready='1']")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-chart]')].every(
            el => el.querySelector('canvas') || el.classList.contains('dash-chart-empty'))"""
    )
    page.wait_for_timeout(700)  # let the entry animation finish before the screenshot
    drawn = page.eval_on_selector_all(
        "[data-chart]", "els => els.filter(el => el.querySelector('canvas')).length"
    )
    return drawn


def shoot(page, name, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(400)
    if width <= 400:
        no_horizontal_scroll(page)
    path = SHOTS / f"dashboards-{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.django_db(transaction=True)
def test_dashboards_and_chain_map_in_the_browser(browser, live_server, demo_world):
    from chains.models import County, Prefecture

    errors: list[str] = []
    quanzhou = Prefecture.objects.get(name="泉州市")
    jinjiang = County.objects.get(name="晋江市")
    pages = [
        ("admin", "province", "/dashboards/province/", 8),
        ("city_quanzhou", "city", f"/dashboards/cities/{quanzhou.pk}/", 8),
        ("county_jinjiang", "county", f"/dashboards/counties/{jinjiang.pk}/", 6),
        ("admin", "chain-map", "/dashboards/chains/textile-apparel/", 3),
        (
            "county_jinjiang",
            "chain-map-county",
            f"/dashboards/chains/textile-apparel/?county={jinjiang.pk}",
            2,
        ),
    ]
    sessions = {}
    for username, name, url, min_charts in pages:
        page = sessions.get(username) or open_as(browser, live_server, username, errors=errors)
        sessions[username] = page
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}{url}")
        assert charts_drawn(page) >= min_charts, f"{name}: too few charts drawn"
        if name in ("province", "city"):
            # the county map: its canvas is there and the metric switch redraws it
            assert page.query_selector("[data-chart=county_map] canvas")
            page.select_option("[data-map-metric=county_map]", "resolved_share")
            page.wait_for_timeout(300)
            page.select_option("[data-map-metric=county_map]", "open")
        shoot(page, name, 1280)
        shoot(page, name, 375)
        # the table view of the first section
        page.set_viewport_size({"width": 1280, "height": 900})
        page.click(".dash-section [data-bs-target^='#table-']")
        assert page.is_visible(".dash-section .tab-pane.active table")
    csp = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
    assert not csp, csp
    assert not errors, errors
