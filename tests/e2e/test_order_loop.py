"""Browser test: the whole loop through the forms as the personas, with screenshots of every page.

place (county) → publish (administrator) → claim (省科技厅) → respond (东华大学) → accept (county) → resolve
(省科技厅). Uses the system Chromium through Playwright (no browser download); skipped when it is missing
unless REQUIRE_BROWSER=1. Screenshots go to test-output/screenshots/ at 1280 px, the county's form and the
order page also at 375 px (a phone).
"""

import datetime

import pytest

from tests.e2e.conftest import SHOTS, no_horizontal_scroll, open_as


def shot(page, name, width=1280):
    """Save a full-page screenshot at the given width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_full_order_loop_in_the_browser(browser, live_server):
    from matchmaking.models import Order

    # 1. The county places an order through the form (kind-specific fields follow the chosen kind).
    county = open_as(browser, live_server, "county_jinjiang")
    county.goto(f"{live_server.url}/orders/new/")
    county.check("input[name=kind][value=capital]")
    assert county.is_visible("#id_amount_yuan") and not county.is_visible("#id_tech_field")
    county.check("input[name=kind][value=innovation]")
    assert county.is_visible("#id_tech_field") and not county.is_visible("#id_amount_yuan")
    county.select_option("#id_chain", label="晋江市纺织鞋服产业链")
    county.fill("#id_title", "运动面料抗菌整理工艺联合攻关")
    county.fill(
        "#id_description",
        "晋江运动鞋服企业需要耐水洗的抗菌整理工艺，现有工艺洗涤 20 次后功能明显下降，希望联合高校攻关。",
    )
    county.fill("#id_keywords", "抗菌；功能性面料")
    county.fill("#id_tech_field", "纺织化学与染整")
    county.fill("#id_expected_outcome", "耐洗 50 次功能保持率 80% 以上的工艺包")
    county.fill("#id_due_date", (datetime.date.today() + datetime.timedelta(days=120)).isoformat())
    county.fill("#id_contact_name", "陈主任")
    county.fill("#id_contact_phone", "13905951234")
    shot(county, "01-county-order-form")
    shot(county, "01-county-order-form", width=375)
    no_horizontal_scroll(county)
    county.set_viewport_size({"width": 1280, "height": 900})
    county.click("[data-testid=save-submit]")
    county.wait_for_selector("[data-testid=order-title]")
    order = Order.objects.get(title="运动面料抗菌整理工艺联合攻关")
    assert order.state == "submitted"
    detail = f"{live_server.url}/orders/{order.pk}/"
    shot(county, "02-county-order-submitted")

    # 2. The administrator publishes it from the moderation queue.
    admin = open_as(browser, live_server, "admin")
    admin.goto(f"{live_server.url}/orders/moderation/")
    shot(admin, "03-admin-moderation-queue")
    admin.click(f"a[href='/orders/{order.pk}/']")
    admin.click("[data-testid=approve]")
    admin.wait_for_selector("[data-testid=state]")
    assert "已发布" in admin.inner_text("[data-testid=state]")

    # 3. 省科技厅 finds it in its queue and claims it.
    body = open_as(browser, live_server, "body_kjt")
    body.goto(f"{live_server.url}/orders/queue/")
    shot(body, "04-body-queue")
    body.click(f"a[href='/orders/{order.pk}/']")
    body.click("[data-testid=claim]")
    body.wait_for_selector("[data-testid=state]")
    assert "已接单" in body.inner_text("[data-testid=state]")
    shot(body, "05-body-claimed")

    # 4. 东华大学 sees it among open orders (without contact details) and responds.
    provider = open_as(browser, live_server, "inst_dhu")
    provider.goto(f"{live_server.url}/orders/open/")
    shot(provider, "06-provider-open-orders")
    provider.goto(detail)
    assert "13905951234" not in provider.inner_text("[data-testid=contact]")
    provider.click("[data-testid=respond]")
    provider.fill("#id_proposal", "我校纺织学院组建专班，三个月内完成抗菌整理中试并在两家企业示范。")
    shot(provider, "07-provider-respond-form")
    provider.click("[data-testid=action-submit]")
    provider.wait_for_selector("[data-testid=order-title]")

    # 5. The county accepts the response: the order is docking.
    county.goto(detail)
    county.click("[data-testid=accept]")
    county.wait_for_selector("[data-testid=state]")
    assert "对接中" in county.inner_text("[data-testid=state]")

    # 6. 省科技厅 resolves it with the outcome.
    body.goto(detail)
    body.click("[data-testid=resolve]")
    body.select_option("#id_outcome_type", "agreement")
    body.fill("#id_partner", "东华大学")
    body.fill("#id_summary", "签订产学研合作协议，联合攻关团队进驻企业。")
    shot(body, "08-body-resolve-form")
    body.click("[data-testid=action-submit]")
    body.wait_for_selector("[data-testid=state]")
    assert "已解决" in body.inner_text("[data-testid=state]")

    # The provider now sees the contact; the county's page shows the whole timeline.
    provider.goto(detail)
    assert "13905951234" in provider.inner_text("[data-testid=contact]")
    # …and, as the read policy says, the outcome of its own accepted response, but of the timeline only the
    # state changes: no notes (the handler), no people, no responses or decisions.
    assert "签订产学研合作协议" in provider.inner_text("[data-testid=outcome]")
    provider_timeline = provider.inner_text("[data-testid=timeline]")
    assert "已解决" in provider_timeline and "已接单" in provider_timeline
    for hidden in ("承办人", "资源方响应", "接受响应", "吴科", "签订产学研合作协议"):
        assert hidden not in provider_timeline
    shot(provider, "09-provider-order-detail-resolved")
    shot(provider, "09-provider-order-detail-resolved", width=375)
    no_horizontal_scroll(provider)
    county.goto(detail)
    timeline = county.inner_text("[data-testid=timeline]")
    for label in ("提交审核", "审核通过并发布", "接单", "资源方响应", "接受响应", "已解决"):
        assert label in timeline
    shot(county, "09-order-detail-resolved")
    shot(county, "09-order-detail-resolved", width=375)
    no_horizontal_scroll(county)

    city = open_as(browser, live_server, "city_quanzhou")
    city.goto(f"{live_server.url}/orders/city/")
    shot(city, "10-city-orders")
    shot(city, "10-city-orders", width=375)
    no_horizontal_scroll(city)
    order.refresh_from_db()
    assert order.state == "resolved" and order.outcome.partner == "东华大学"
