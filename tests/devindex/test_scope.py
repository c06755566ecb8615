"""Who sees what (`visible_to`) and reads what (`policy`): a county edits only its own values, a city reviews
its own counties, bodies read approved values, providers only the published figures, outsiders nothing."""

import pytest

from chains.models import County
from devindex import policy, services
from devindex.choices import ResultSource
from devindex.models import IndexResult, IndicatorReport, IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(small_year, county_luoyuan, county_jinjiang):
    """Approved 2024 reports of three counties; 2026: 罗源县 submitted, 晋江市 a draft."""
    luoyuan = services.save_values(
        County.objects.get(name="罗源县"), 2026, {"new_patents": "9"}, by=county_luoyuan
    )
    services.submit_report(luoyuan, by=county_luoyuan)
    services.save_values(County.objects.get(name="晋江市"), 2026, {"new_patents": "8"}, by=county_jinjiang)
    return IndicatorReport.objects.all()


def seen(user, year=2026):
    return set(
        IndicatorReport.objects.visible_to(user).filter(year=year).values_list("county__name", "state")
    )


def test_report_visibility_per_persona(reports, personas, city_fuzhou):
    assert seen(personas["county_jinjiang"]) == {("晋江市", "draft")}
    assert seen(personas["county_luoyuan"]) == {("罗源县", "submitted")}
    assert seen(city_fuzhou) == {("罗源县", "submitted")}  # 罗源县 is in 福州市
    assert seen(personas["city_quanzhou"]) == set()  # 晋江市's draft is not the city's yet
    assert seen(personas["body_kjt"]) == set()
    assert seen(personas["inst_dhu"]) == set()
    assert seen(personas["admin"]) == {("晋江市", "draft"), ("罗源县", "submitted")}
    # approved reports are every government user's
    for name in ("county_jinjiang", "city_quanzhou", "body_kjt"):
        assert len(seen(personas[name], 2024)) == 3
    assert seen(personas["inst_dhu"], 2024) == set()


def test_values_follow_their_report(reports, personas, city_fuzhou):
    jinjiang = personas["county_jinjiang"]
    drafts = IndicatorValue.objects.visible_to(jinjiang).filter(report__year=2026)
    assert set(drafts.values_list("report__county__name", flat=True)) == {"晋江市"}
    assert not IndicatorValue.objects.visible_to(personas["inst_dhu"]).exists()
    editable = IndicatorValue.objects.editable_by(jinjiang)
    assert set(editable.values_list("report__county__name", flat=True)) == {"晋江市"}
    assert not IndicatorValue.objects.editable_by(city_fuzhou).exists()


def test_results_per_persona(small_year, personas):
    for name in ("county_jinjiang", "city_quanzhou", "body_kjt", "admin"):
        sources = set(IndexResult.objects.visible_to(personas[name]).values_list("source", flat=True))
        assert sources == {ResultSource.COMPUTED, ResultSource.PUBLISHED}, name
    provider = IndexResult.objects.visible_to(personas["inst_dhu"])
    assert set(provider.values_list("source", flat=True)) == {ResultSource.PUBLISHED}
    from django.contrib.auth.models import AnonymousUser

    assert not IndexResult.objects.visible_to(AnonymousUser()).exists()


def test_return_reasons_are_read_by_the_county_its_city_and_administrators(reports, personas, city_fuzhou):
    report = IndicatorReport.objects.get(county__name="罗源县", year=2026)
    services.return_report(report, by=city_fuzhou, reason="请核对")
    report.refresh_from_db()
    readers = {
        name
        for name, user in {**personas, "city_fuzhou": city_fuzhou}.items()
        if policy.may_read_state_note(user, report)
    }
    assert readers == {"county_luoyuan", "city_fuzhou", "admin"}


def test_only_the_county_itself_places_orders_from_its_page(personas):
    luoyuan = County.objects.get(name="罗源县")
    allowed = {name for name, user in personas.items() if policy.may_place_order(user, luoyuan)}
    assert allowed == {"county_luoyuan"}
