"""The chain registry on the dashboards: 重点产业链 n 条（已认定 m 条）, counties without a confirmed chain, and
firms served and financed per county and chain."""

import pytest
from django.urls import reverse

from chains import services as chain_services
from chains.stats import chain_tally
from matchmaking import beneficiaries, services
from matchmaking.models import Order
from reports.access import COUNTY, Level
from reports.registry import registry_board
from tests.matchmaking.conftest import drive, order_data  # noqa: F401 (the drive fixture)


@pytest.mark.django_db
def test_the_county_tile_counts_chains_in_force_and_confirmed(county_luoyuan, login):
    county = county_luoyuan.organization.county
    before = chain_tally(county_id=county.pk)
    n = before["confirmed"]
    assert n >= 1 and before["in_force"] == n and before["uncovered_counties"] == 0
    chain_services.declare_chain(
        by=county_luoyuan, data={"name": "罗源县海洋渔业产业链", "chain_type": "aquaculture"}
    )
    after = chain_tally(county_id=county.pk)
    assert (after["in_force"], after["confirmed"], after["pending"]) == (n + 1, n, 1)
    page = login(county_luoyuan).get(reverse("dashboards:county", args=[county.pk])).content.decode()
    assert f"{n + 1} 条（已认定 {n} 条）" in page


@pytest.mark.django_db
def test_the_province_counts_counties_without_a_confirmed_chain(platform_admin):
    tally = chain_tally()
    # 83 counties; the reference data's 60 confirmed chains cover some of them
    from chains.models import County, CountyChain

    covered = CountyChain.objects.filter(status="confirmed").values("county").distinct().count()
    assert tally["uncovered_counties"] == County.objects.count() - covered
    assert tally["orderable_counties"] == covered


@pytest.mark.django_db
def test_firms_served_and_financed(county_jinjiang, drive, body_kjt, platform_admin):  # noqa: F811
    order = services.create_order(
        by=county_jinjiang,
        data=order_data(county_jinjiang),
        beneficiaries=[
            {"name": "甲企业", "uscc": "91350582MA2Y00010W"},
            {"name": "乙企业", "uscc": "91350200MA3A000208"},
        ],
    )
    drive(order, "resolved")
    order = Order.objects.get(pk=order.pk)
    first = order.beneficiaries.order_by("pk").first()
    beneficiaries.record_firm_outcomes(
        order, by=body_kjt, splits=[{"beneficiary": first.pk, "amount_financed_yuan": 2_000_000}]
    )
    county = county_jinjiang.organization.county
    board = registry_board(county_jinjiang, Level(COUNTY, prefecture=county.prefecture, county=county))
    assert (board["firms"]["served"], board["firms"]["financed"]) == (2, 1)
    assert board["firm_rows"] == [
        {"id": order.chain_id, "name": order.chain.name, "served": 2, "financed": 1}
    ]
