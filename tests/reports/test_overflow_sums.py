"""Issue 12 part 3: no stored amount breaks a dashboard, an export or a report. Rows written before the amount
limit (9,223,372,036,854,775,807 元 and 9e18 元, written past validation) used to overflow SQLite's SUM and the
dashboards' int64 roll-ups (HTTP 500); now every page answers 200 and normal figures stay exact."""

import pytest
from django.urls import reverse

from core.sums import as_int
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.models import Order, Outcome
from reports import monthly
from tests.matchmaking.conftest import drive, make_order  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

BIG = (9_223_372_036_854_775_807, 9 * 10**18)


@pytest.fixture
def huge(make_order, drive):  # noqa: F811 (the imported fixtures)
    """Two resolved capital orders financed with the largest amounts a bigint column holds."""
    orders = []
    for amount in BIG:
        order = drive(make_order(OrderKind.CAPITAL), OrderState.RESOLVED)
        Order.objects.filter(pk=order.pk).update(amount_yuan=amount)
        Outcome.objects.filter(order=order).update(outcome_type=OutcomeType.CREDIT, amount_yuan=amount)
        orders.append(order)
    return orders


def _pages(world_county, prefecture):
    return [
        reverse("dashboards:province"),
        reverse("dashboards:export_province"),
        reverse("dashboards:city", args=[prefecture]),
        reverse("dashboards:export_city", args=[prefecture]),
        reverse("dashboards:county", args=[world_county]),
        reverse("dashboards:export_county", args=[world_county]),
        reverse("dashboards:chain_map", args=["textile-apparel"]),
        reverse("dashboards:export_chain_map", args=["textile-apparel"]),
        reverse("dashboards:monthly"),
        reverse("dashboards:monthly") + "?download=1",
        reverse("dashboards:export_orders"),
        reverse("dashboards:index_tiers_section"),
        reverse("dashboards:events_section"),
        reverse("devindex:ranking"),
        reverse("devindex:county", args=[world_county]),
        reverse("orders:county"),
        reverse("api:order-list") + "?ordering=-amount_yuan",
    ]


@pytest.mark.parametrize("persona", ["admin", "body_jrb", "city_quanzhou", "county_jinjiang"])
def test_every_dashboard_export_and_report_answers_200(huge, personas, login, persona, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    county = huge[0].county
    client = login(personas[persona])
    province_only = {reverse("dashboards:province"), reverse("dashboards:export_province")}
    city_pages = {reverse("dashboards:city", args=[county.prefecture_id])}
    city_pages.add(reverse("dashboards:export_city", args=[county.prefecture_id]))
    must_see = {
        "admin": [reverse("dashboards:province"), reverse("dashboards:export_province")],
        "body_jrb": [reverse("dashboards:province")],
        "city_quanzhou": [reverse("dashboards:city", args=[county.prefecture_id])],
        "county_jinjiang": [reverse("dashboards:county", args=[county.pk])],
    }[persona] + [reverse("dashboards:monthly"), reverse("dashboards:monthly") + "?download=1"]
    for url in _pages(county.pk, county.prefecture_id):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if (persona == "county_jinjiang" and (url in province_only or url in city_pages)) or (
            persona == "city_quanzhou" and url in province_only
        ):
            assert response.status_code == 404, url
        if url in must_see:
            assert response.status_code == 200, url
    page = client.get(must_see[0]).content.decode()
    assert "万元" in page


def test_the_big_totals_are_summed_not_overflowed(huge, platform_admin):
    from django.utils import timezone

    from reports.access import PROVINCE, Level
    from reports.queries import Figures, level_orders, order_cells

    rows = monthly.monthly_rows(platform_admin, huge[0].finished_at.date())
    assert max(row["financed"] for row in rows) >= sum(BIG) - 10**4  # TOTAL's float: within rounding
    figures = Figures.of(order_cells(level_orders(platform_admin, Level(PROVINCE)), timezone.now()))
    assert abs(figures.summary["financed"] - sum(BIG)) < 10**4


def test_normal_amounts_stay_exact(make_order, drive, platform_admin):  # noqa: F811
    amounts = (123_456_789, 98_765_432_101)
    for amount in amounts:
        order = drive(make_order(OrderKind.CAPITAL), OrderState.RESOLVED)
        Outcome.objects.filter(order=order).update(outcome_type=OutcomeType.CREDIT, amount_yuan=amount)
    rows = monthly.monthly_rows(platform_admin, Order.objects.first().finished_at.date())
    totals = [row["financed"] for row in rows if row["financed"]]
    assert sum(amounts) in totals
    assert all(isinstance(value, int) for value in totals)


def test_as_int_reads_every_database_answer():
    from decimal import Decimal

    assert as_int(None) == 0
    assert as_int(7) == 7
    assert as_int(1.8223372036854776e19) == 18223372036854775808
    assert as_int(Decimal("18223372036854775807")) == 18223372036854775807
