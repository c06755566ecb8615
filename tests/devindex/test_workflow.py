"""The yearly report workflow: every transition legal and illegal, who may fire it, values editable only
in the right states, events logged, and approved values entering the computation."""

from decimal import Decimal

import pytest

from chains.models import County
from devindex import services, workflow
from devindex.choices import EventAction, ReportState, ResultSource
from devindex.models import IndexEvent, IndexResult, IndicatorReport
from devindex.workflow import DevIndexError

pytestmark = pytest.mark.django_db


@pytest.fixture
def luoyuan_report(index_system, county_luoyuan):
    """罗源县 fills in half of its 2026 values (a draft)."""
    county = County.objects.get(name="罗源县")
    values = dict.fromkeys(index_system[:8], "12")
    values["new_patents"] = "300"
    return services.save_values(county, 2026, values, by=county_luoyuan)


def at(report, state):
    IndicatorReport.objects.filter(pk=report.pk).update(state=state)
    report.refresh_from_db()
    return report


ACTORS = [
    "county_luoyuan",
    "county_jinjiang",
    "city_fuzhou",
    "city_quanzhou",
    "body_kjt",
    "inst_dhu",
    "admin",
]
# action → (legal source states, personas allowed for 罗源县 (福州市))
TABLE = {
    "submit": ({ReportState.DRAFT, ReportState.RETURNED}, {"county_luoyuan"}),
    "approve": ({ReportState.SUBMITTED}, {"city_fuzhou", "admin"}),
    "return": ({ReportState.SUBMITTED}, {"city_fuzhou", "admin"}),
    "reopen": ({ReportState.APPROVED}, {"admin"}),
}


@pytest.mark.parametrize("action", list(TABLE))
@pytest.mark.parametrize("state", list(ReportState.values))
def test_transition_table(luoyuan_report, personas, city_fuzhou, action, state):
    sources, allowed = TABLE[action]
    report = at(luoyuan_report, state)
    users = {**personas, "city_fuzhou": city_fuzhou}
    for name in ACTORS:
        fire = {
            "submit": lambda u: services.submit_report(report, by=u),
            "approve": lambda u: services.approve_report(report, by=u),
            "return": lambda u: services.return_report(report, by=u, reason="数值有误"),
            "reopen": lambda u: services.reopen_report(report, by=u, reason="更正"),
        }[action]
        if state in sources and name in allowed:
            done = fire(users[name])
            assert done.state == workflow.TRANSITIONS[action].target
            at(report, state)  # back for the next actor
        else:
            with pytest.raises(DevIndexError) as caught:
                fire(users[name])
            expected = "illegal_transition" if state not in sources else "forbidden"
            assert caught.value.code == expected, (name, state, action)


def test_reasons_are_required(luoyuan_report, city_fuzhou, platform_admin):
    report = at(luoyuan_report, ReportState.SUBMITTED)
    with pytest.raises(DevIndexError) as caught:
        services.return_report(report, by=city_fuzhou, reason="  ")
    assert "reason" in caught.value.errors
    report = at(luoyuan_report, ReportState.APPROVED)
    with pytest.raises(DevIndexError):
        services.reopen_report(report, by=platform_admin, reason="")


def test_a_report_without_values_cannot_be_submitted(index_system, county_luoyuan):
    county = County.objects.get(name="罗源县")
    report = services.save_values(county, 2026, {"new_patents": None}, by=county_luoyuan)
    with pytest.raises(DevIndexError):
        services.submit_report(report, by=county_luoyuan)


def test_the_loop_fill_submit_return_fix_approve(
    luoyuan_report, county_luoyuan, city_fuzhou, django_capture_on_commit_callbacks
):
    report = services.submit_report(luoyuan_report, by=county_luoyuan)
    assert report.state == ReportState.SUBMITTED and report.submitted_at
    with pytest.raises(DevIndexError) as caught:  # no edits while the city reviews
        services.save_values(report.county, 2026, {"new_patents": "301"}, by=county_luoyuan)
    assert caught.value.code == "illegal_transition"
    report = services.return_report(report, by=city_fuzhou, reason="专利数与统计公报不符")
    assert report.state == ReportState.RETURNED and report.state_note == "专利数与统计公报不符"
    services.save_values(report.county, 2026, {"new_patents": "280"}, by=county_luoyuan)
    report = services.submit_report(report, by=county_luoyuan)
    assert report.state_note == ""
    with django_capture_on_commit_callbacks(execute=True):
        report = services.approve_report(report, by=city_fuzhou)
    assert report.state == ReportState.APPROVED
    # approved values enter the computation at once (only 罗源县 reported 2026, 8 of 16: ranked alone)
    result = IndexResult.objects.get(year=2026, source=ResultSource.COMPUTED, county__name="罗源县")
    assert result.rank == 1 and result.coverage == 8
    actions = list(IndexEvent.objects.filter(report=report).values_list("action", "actor__username"))
    assert actions == [
        (EventAction.CREATED, "county_luoyuan"),
        (EventAction.EDITED, "county_luoyuan"),
        (EventAction.SUBMITTED, "county_luoyuan"),
        (EventAction.RETURNED, "city_fuzhou"),
        (EventAction.EDITED, "county_luoyuan"),
        (EventAction.SUBMITTED, "county_luoyuan"),
        (EventAction.APPROVED, "city_fuzhou"),
    ]
    assert report.values.get(indicator__code="new_patents").value == Decimal("280.0000")
    with pytest.raises(ValueError):
        IndexEvent.objects.first().save()  # append-only


def test_a_county_fills_in_only_its_own_values(index_system, county_jinjiang, city_quanzhou, body_kjt):
    luoyuan = County.objects.get(name="罗源县")
    for user in (county_jinjiang, city_quanzhou, body_kjt):
        with pytest.raises(DevIndexError) as caught:
            services.save_values(luoyuan, 2026, {"new_patents": "1"}, by=user)
        assert caught.value.code == "forbidden"
    assert not IndicatorReport.objects.filter(county=luoyuan).exists()


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        ("industry_gdp_share", "120"),
        ("new_patents", "1.5"),
        ("high_tech_firms", "-3"),
        ("profit_margin", "abc"),
        ("nonexistent", "1"),
        ("industrial_revenue", "NaN"),
    ],
)
def test_values_are_validated(index_system, county_luoyuan, code, raw):
    with pytest.raises(DevIndexError) as caught:
        services.save_values(County.objects.get(name="罗源县"), 2026, {code: raw}, by=county_luoyuan)
    assert code in caught.value.errors


def test_negative_values_where_they_make_sense(index_system, county_luoyuan):
    report = services.save_values(
        County.objects.get(name="罗源县"),
        2026,
        {"net_new_firms": "-4", "value_added_growth": "-2.5"},
        by=county_luoyuan,
    )
    assert report.values.get(indicator__code="net_new_firms").value == Decimal("-4")


def test_administrators_correct_approved_values_and_the_year_is_recomputed(
    small_year, platform_admin, django_capture_on_commit_callbacks
):
    nanan = County.objects.get(name="南安市")
    with django_capture_on_commit_callbacks(execute=True):
        services.save_values(nanan, 2024, dict.fromkeys(["industrial_revenue"], "35"), by=platform_admin)
    result = IndexResult.objects.get(year=2024, source=ResultSource.COMPUTED, county=nanan)
    # 南安市 now tops 规上工业营业收入 (35 vs 30 vs 10): its industry dimension rises above 50
    assert result.total > Decimal("40.00")
