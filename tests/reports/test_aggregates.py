"""The dashboard aggregates against the hand-computed world in conftest.py."""

import datetime

import pytest

from reports import access, forms, rollups
from reports.chain_map import build_chain_map
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def province(user, **filters):
    return rollups.build_dashboard(user, access.Level(access.PROVINCE), forms.Filters(**filters), now=NOW)


def rows_by(table, key):
    return {row[key]: row for row in table.rows}


def test_province_totals_for_an_administrator(world, platform_admin):
    board = province(platform_admin)
    t = board.totals
    assert (t["total"], t["open"], t["resolved"]) == (8, 4, 2)  # the draft (7) is never counted
    assert t["resolved_share"] == 25.0
    # claim durations 1, 6, 0.25, 3, 1 days → median 1; resolve 10 and 11 days → 10.5
    assert t["median_claim_days"] == 1.0
    assert t["median_resolve_days"] == 10.5
    # due: 1,2,3,6,8 claimed + 4 overdue; met: 1, 3, 6 (at the deadline), 8 → 4 of 6
    assert (t["sla_met"], t["sla_due"], t["sla_share"]) == (4, 6, 66.7)
    assert t["financed"] == 5_000_000
    assert t["agreements"] == 1


def test_funnel(world, platform_admin):
    funnel = province(platform_admin).table("funnel")
    assert [r["total"] for r in funnel.rows] == [7, 5, 3, 2]
    assert [r["share"] for r in funnel.rows] == [100.0, 71.4, 42.9, 28.6]


def test_by_kind_and_state(world, platform_admin):
    board = province(platform_admin)
    kinds = rows_by(board.table("by_kind"), "kind")
    assert (kinds["创新需求"]["total"], kinds["创新需求"]["open"], kinds["创新需求"]["resolved"]) == (4, 1, 1)
    assert kinds["资金需求"]["financed"] == 5_000_000
    assert kinds["创新需求"]["agreements"] == 1
    assert kinds["产业配套需求"]["total"] == 1
    states = {r["state"]: r["total"] for r in board.table("by_state").rows}
    assert "草稿" not in states
    assert states["已发布"] == 2 and states["已解决"] == 2 and states["待审核"] == 1 and states["已撤回"] == 0


def test_by_prefecture_lists_all_nine(world, platform_admin):
    geo = province(platform_admin).table("by_geo")
    assert len(geo.rows) == 9
    rows = rows_by(geo, "prefecture")
    assert (rows["泉州市"]["total"], rows["泉州市"]["open"], rows["泉州市"]["resolved"]) == (6, 3, 2)
    assert rows["泉州市"]["sla_share"] == 50.0  # due: 1, 2, 3 claimed + 4 overdue (5 not yet); met: 1, 3
    assert (rows["福州市"]["total"], rows["福州市"]["open"]) == (2, 1)
    assert rows["厦门市"]["total"] == 0 and rows["厦门市"]["resolved_share"] is None


def test_county_map_has_83_counties(world, platform_admin):
    table = province(platform_admin).table("county_map")
    assert len(table.rows) == 83
    rows = rows_by(table, "county")
    assert rows["晋江市"]["open"] == 2 and rows["石狮市"]["open"] == 1 and rows["罗源县"]["open"] == 1


def test_chains_with_and_without_open_orders(world, platform_admin):
    table = province(platform_admin).table("chains")
    with_open = [r["chain"] for r in table.rows if r["open"]]
    assert sorted(with_open) == sorted(
        ["晋江市纺织鞋服产业链", "石狮市休闲服装产业链", "罗源县绿色冶金产业链"]
    )
    assert len(table.rows) == 60  # the white paper's 59 and 海沧区新材料与新能源产业链 (section 四(一)7)
    assert table.chart["with"] == 3 and table.chart["without"] == 57


def test_top_providers(world, platform_admin):
    rows = province(platform_admin).table("providers").rows
    assert [(r["provider"], r["responses"], r["accepted"]) for r in rows] == [
        ("东华大学", 3, 2),
        ("兴业银行福建省分行", 1, 1),
    ]


def test_filters_narrow_every_number(world, platform_admin, reference):
    fuzhou = reference.Prefecture.objects.get(name="福州市")
    assert province(platform_admin, prefecture_id=fuzhou.pk).totals["total"] == 2
    textile = reference.ChainType.objects.get(code="textile-apparel")
    assert province(platform_admin, chain_type_id=textile.pk).totals["total"] == 4
    assert province(platform_admin, kind="capital").totals["total"] == 2
    # created one day before publication: 06-09 .. 06-12 holds orders 4 (created 06-09) and 5 (06-12)
    board = province(platform_admin, start=datetime.date(2025, 6, 9), end=datetime.date(2025, 6, 12))
    assert board.totals["total"] == 2


def test_city_sees_its_counties_side_by_side(world, city_quanzhou, reference):
    quanzhou = reference.Prefecture.objects.get(name="泉州市")
    board = rollups.build_dashboard(city_quanzhou, access.Level(access.CITY, prefecture=quanzhou), now=NOW)
    assert board.totals["total"] == 6
    rows = rows_by(board.table("by_geo"), "county")
    assert set(rows) == set(quanzhou.counties.values_list("name", flat=True))
    assert (rows["晋江市"]["total"], rows["石狮市"]["total"]) == (5, 1)


def test_county_sees_only_itself(world, county_jinjiang, county_luoyuan):
    level = access.Level(access.COUNTY, county=world["jinjiang"])
    board = rollups.build_dashboard(county_jinjiang, level, now=NOW)
    assert board.totals["total"] == 5  # 1, 2, 3, 4, 9 — not its draft
    chains = rows_by(board.table("by_geo"), "chain")
    assert chains["晋江市纺织鞋服产业链"]["total"] == 3
    # Luoyuan asking for Jinjiang's numbers (the view answers 404 first) still counts nothing of Jinjiang's.
    assert rollups.build_dashboard(county_luoyuan, level, now=NOW).totals["total"] == 0
    # and Luoyuan's own province-wide view would hold only Luoyuan's orders
    assert province(county_luoyuan).totals["total"] == 2


def test_body_counts_only_what_it_may_see(world, body_kjt):
    board = province(body_kjt)
    assert board.totals["total"] == 4  # routed to it: 1, 3, 5; claimed by it: 1, 3, 8
    assert board.totals["financed"] == 0


def test_access_rules(
    world, platform_admin, body_kjt, city_quanzhou, county_jinjiang, county_luoyuan, bank_cib
):
    jinjiang, luoyuan = world["jinjiang"], world["luoyuan"]
    assert access.may_see_province(platform_admin) and access.may_see_province(body_kjt)
    assert not access.may_see_province(city_quanzhou) and not access.may_see_province(county_jinjiang)
    assert access.may_see_prefecture(city_quanzhou, jinjiang.prefecture_id)
    assert not access.may_see_prefecture(city_quanzhou, luoyuan.prefecture_id)
    assert access.may_see_county(city_quanzhou, jinjiang) and not access.may_see_county(
        city_quanzhou, luoyuan
    )
    assert access.may_see_county(county_jinjiang, jinjiang) and not access.may_see_county(
        county_luoyuan, jinjiang
    )
    assert not access.may_see_county(bank_cib, jinjiang)
    assert access.home_dashboard(bank_cib) is None
    assert access.home_dashboard(county_jinjiang) == (access.COUNTY, jinjiang.pk)


def test_chain_map(world, platform_admin, reference):
    textile = reference.ChainType.objects.get(code="textile-apparel")
    chain_map = build_chain_map(platform_admin, textile)
    assert chain_map.links[0].name == "化纤原料"
    firms = rows_by(chain_map.firms, "link")
    jj = f"c{world['jinjiang'].pk}"
    assert firms["服装与鞋"][jj] == 4  # 安踏, 特步, 361度, 浔兴拉链
    orders = rows_by(chain_map.orders, "link")
    assert sum(r["open"] for r in chain_map.orders.rows) == 3  # 3, 4 (晋江) and 5 (石狮)
    assert "晋江市" in "".join(r["counties"] for r in orders.values())
    flows = {(r["source"], r["target"]): r for r in chain_map.flows.rows}
    assert set(flows) == {("晋江市", "长乐区"), ("晋江市", "石狮市")}  # 晋江's own firm is not cross-county
    assert flows[("晋江市", "长乐区")]["matches"] == 2
    assert flows[("晋江市", "长乐区")]["links"] == "化纤原料、染整"


def test_chain_map_scoped(world, county_luoyuan, reference):
    textile = reference.ChainType.objects.get(code="textile-apparel")
    chain_map = build_chain_map(county_luoyuan, textile)
    assert sum(r["total"] for r in chain_map.orders.rows) == 0
    assert chain_map.flows.rows == []
    assert sum(r["total"] for r in chain_map.firms.rows) > 0  # the catalog is public
