"""Readable numbers and the monthly report on screen."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.formats import format_amount, format_days

pytestmark = pytest.mark.django_db


def test_amounts_in_yuan_below_ten_thousand_else_wan():
    with translation.override("zh-hans"):
        assert [format_amount(v) for v in (1, 9800, 10000, 125000, 5_000_000, None)] == [
            "1 元", "9,800 元", "1 万元", "12.5 万元", "500 万元", ""
        ]  # fmt: skip
    with translation.override("en"):
        assert format_amount(1) == "1 yuan"


def test_durations_in_hours_under_a_day():
    with translation.override("zh-hans"):
        assert [format_days(v) for v in (0, 0.25, 0.99, 1, 3.5, None)] == [
            "0 小时", "6 小时", "23.8 小时", "1 天", "3.5 天", "—"
        ]  # fmt: skip
    from reports.views import _format

    with translation.override("zh-hans"):
        assert _format(0.25, "days") == "6 小时"
        assert _format(1, "yuan") == "1 元"
        assert _format(5_000_000, "yuan") == "500 万元"


def test_order_page_shows_small_amounts_in_yuan(login, make_order, county_jinjiang):
    from matchmaking.choices import OrderKind

    order = make_order(kind=OrderKind.CAPITAL, amount_yuan=1)
    page = login(county_jinjiang).get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "1 元" in page
    assert "0.00 万元" not in page


def test_monthly_report_on_screen_for_the_current_month(login, platform_admin):
    page = login(platform_admin).get(reverse("dashboards:monthly")).content.decode()
    this_month = f"{timezone.localdate():%Y-%m}"
    assert f'value="{this_month}"' in page
    assert 'id="monthly-report"' in page
    assert page.count("<tr") >= 1 + 9 * 5  # header, 9 cities x (4 kinds + 合计)
    assert "福州市" in page and "合计" in page
    assert f"{timezone.localdate().year}年{timezone.localdate().month}月" in page
