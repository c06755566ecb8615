"""Browser test of the chain registry: a county with no key chain (思明区) declares one, its city (厦门市)
approves, the county places an order on it while it awaits confirmation (待认定) and again after 省工信厅
confirms it. Screenshots at 1280 and 375 px under test-output/screenshots/ (registry-*.png)."""

import datetime

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import SHOTS, no_horizontal_scroll, open_as


def shot(page, name, *, phone=False):
    """Full-page screenshots at 1280 px (and 375 px when asked), back at 1280 afterwards."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    widths = (1280, 375) if phone else (1280,)
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"registry-{name}-{width}.png"), full_page=True)
        if width == 375:
            no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def _official(username, org_name, kind, **org_fields):
    from accounts.models import Organization, User

    org, _created = Organization.objects.get_or_create(name=org_name, defaults={"kind": kind, **org_fields})
    user = User.objects.create_user(
        username, email=f"{username}@example.com", password=PASSWORD, organization=org, role="manager"
    )
    user.last_name, user.first_name = "陈", "明"
    user.save()
    return user


def _place_order(page, live_server, chain_label, title):
    page.goto(f"{live_server.url}/orders/new/")
    page.check("input[name=kind][value=innovation]")
    page.select_option("#id_chain", label=chain_label)
    page.fill("#id_title", title)
    page.fill(
        "#id_description",
        "思明区软件企业需要工业软件与人工智能算法方面的联合攻关，希望与高校院所共建联合实验室。",
    )
    page.fill("#id_tech_field", "人工智能与工业软件")
    page.fill("#id_expected_outcome", "形成可推广的行业大模型应用方案")
    page.fill("#id_due_date", (datetime.date.today() + datetime.timedelta(days=120)).isoformat())
    page.fill("#id_contact_name", "陈主任")
    page.fill("#id_contact_phone", "13905921234")
    page.fill("#id_other_beneficiaries", "厦门某软件企业 91350200MA3A000208")
    page.click("[data-testid=save-submit]")
    page.wait_for_selector("[data-testid=order-title]")


@pytest.mark.django_db(transaction=True)
def test_a_county_declares_the_city_approves_and_orders_flow_before_and_after_confirmation(
    browser, live_server
):
    from accounts.choices import OrgKind
    from chains.models import County, CountyChain, Prefecture
    from matchmaking.models import Order

    siming = County.objects.get(name="思明区")
    assert not CountyChain.objects.filter(county=siming).exists()
    _official("county_siming", "思明区人民政府", OrgKind.COUNTY, county=siming)
    _official("city_xiamen", "厦门市人民政府", OrgKind.CITY, prefecture=Prefecture.objects.get(name="厦门市"))
    errors: list[str] = []

    # 1. 思明区 has no chain: the order form offers nothing; it declares one from the registry page.
    county = open_as(browser, live_server, "county_siming", errors=errors)
    county.goto(f"{live_server.url}/chains/registry/")
    shot(county, "01-county-registry-empty")
    county.click("[data-testid=declare-link]")
    county.fill("#id_name", "思明区软件和信息服务产业链")
    county.select_option("#id_chain_type", label="人工智能")
    county.select_option("#id_links", label="人工智能 · 算法与软件")
    county.fill("#id_chain_leader", "张明")
    county.fill("#id_chain_leader_office", "思明区副区长")
    county.fill("#id_task_force_contact", "区工信局 0592-0000000")
    county.fill("#id_evidence", "软件和信息技术服务业营业收入居全市首位")
    shot(county, "02-county-declare-form", phone=True)
    county.click("[data-testid=declare-submit]")
    county.wait_for_selector("[data-testid=chain-status]")
    chain = CountyChain.objects.get(county=siming)
    assert chain.status == "declared"
    assert county.inner_text("[data-testid=chain-status]") == "待认定"
    assert "张明" in county.inner_text("[data-testid=chain-leader]")
    shot(county, "03-chain-declared", phone=True)

    # 2. 厦门市 sees it awaiting review and approves it.
    city = open_as(browser, live_server, "city_xiamen", errors=errors)
    city.goto(f"{live_server.url}/chains/registry/?status=declared")
    assert "思明区软件和信息服务产业链" in city.inner_text("[data-testid=registry-table]")
    shot(city, "04-city-registry-awaiting", phone=True)
    city.goto(f"{live_server.url}/chains/{chain.pk}/")
    city.click("button[data-action=review]")
    city.wait_for_selector(".alert-success")
    chain.refresh_from_db()
    assert chain.status == "reviewed"
    shot(city, "05-city-reviewed")

    # 3. The county places an order on it while it awaits confirmation (待认定).
    _place_order(
        county, live_server, "思明区软件和信息服务产业链（待认定）", "工业软件与AI算法联合攻关（认定前）"
    )
    before = Order.objects.get(title="工业软件与AI算法联合攻关（认定前）")
    assert before.state == "submitted" and before.chain == chain
    assert county.inner_text("[data-testid=chain-pending]") == "待认定"
    assert "厦门某软件企业" in county.inner_text("[data-testid=beneficiaries]")
    shot(county, "06-order-on-pending-chain", phone=True)

    # 4. 省工信厅 confirms it; the county's next order is on a confirmed chain.
    province = open_as(browser, live_server, "body_gxt", errors=errors)
    province.goto(f"{live_server.url}/chains/registry/?status=reviewed")
    shot(province, "07-province-registry-awaiting")
    province.goto(f"{live_server.url}/chains/{chain.pk}/")
    province.click("button[data-action=confirm]")
    province.wait_for_selector(".alert-success")
    chain.refresh_from_db()
    assert chain.status == "confirmed"
    _place_order(county, live_server, "思明区软件和信息服务产业链", "工业软件与AI算法联合攻关（认定后）")
    after = Order.objects.get(title="工业软件与AI算法联合攻关（认定后）")
    assert after.chain == chain and not county.query_selector("[data-testid=chain-pending]")

    # 5. The chain page is the chain's home: status, 链长, history, its orders.
    county.goto(f"{live_server.url}/chains/{chain.pk}/")
    assert county.inner_text("[data-testid=chain-status]") == "已认定"
    history = county.inner_text("[data-testid=chain-history]")
    assert "县域申报" in history and "设区市审核通过" in history and "省级认定" in history
    shot(county, "08-chain-confirmed-home", phone=True)
    assert not errors, errors
