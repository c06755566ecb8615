"""Counts of events, meetings and outcomes per county, chain and organizer (dashboards, monthly report); tasks."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services, stats
from events.models import Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(make_event, make_order, drive, county_jinjiang, inst_dhu, firm_demo, bank_cib):
    """A live event targeting 晋江市 with two held meetings: one about 晋江's order (signed, 2,000,000 yuan by
    the county, 1,500,000 by 东华大学), one between the firm and 东华大学 (follow-up)."""
    order = drive(make_order(), "claimed")
    start = timezone.now() - datetime.timedelta(hours=1)
    event = make_event(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        registration_deadline=start + datetime.timedelta(hours=4),
        meetings_start=start,
        targets={"counties": [county_jinjiang.organization.county]},
    )
    regs = {u.username: services.register(event, by=u) for u in (county_jinjiang, inst_dhu, firm_demo)}
    signed = services.request_meeting(event, by=county_jinjiang, invitee=regs["inst_dhu"], order=order)
    other = services.request_meeting(event, by=firm_demo, invitee=regs["inst_dhu"])
    for m in (signed, other):
        services.accept_meeting(m, by=inst_dhu)
    services.schedule_event(event, by=bank_cib)
    Meeting.objects.filter(event=event).update(state="held")
    services.record_outcome(signed, by=county_jinjiang, result="agreement", amount_yuan=2_000_000)
    services.record_outcome(signed, by=inst_dhu, result="agreement", amount_yuan=1_500_000)
    services.record_outcome(other, by=firm_demo, result="follow_up")
    return {"event": event, "order": order}


def test_counts_per_county_chain_and_organizer(held, platform_admin):
    result = stats.collect(platform_admin)
    assert (result.events, result.meetings, result.agreements, result.amount_yuan) == (1, 2, 1, 2_000_000)
    county = {r.name: r for r in result.by_county}["晋江市"]
    # the firm's meeting with 东华大学 is about no order and has no county government in it: no county
    assert (county.events, county.meetings, county.agreements, county.amount_yuan) == (1, 1, 1, 2_000_000)
    chain = {r.name: r for r in result.by_chain}[held["order"].chain.name]
    assert (chain.meetings, chain.agreements) == (1, 1)  # only the meeting about the order has a chain
    organizer = {r.name: r for r in result.by_organizer}["兴业银行福建省分行"]
    assert (organizer.events, organizer.meetings) == (1, 2)


def test_counts_by_area_and_period(held, platform_admin, county_luoyuan):
    jinjiang = held["order"].county
    assert stats.collect(platform_admin, county_id=jinjiang.pk).meetings == 1
    assert stats.collect(platform_admin, county_id=county_luoyuan.organization.county_id).events == 0
    assert stats.collect(platform_admin, prefecture_id=jinjiang.prefecture_id).events == 1
    later = timezone.now() + datetime.timedelta(days=1)
    assert stats.collect(platform_admin, start=later).events == 0


def test_dashboard_section_and_its_gate(held, login, platform_admin, county_luoyuan, bank_cib):
    jinjiang = held["order"].county
    url = reverse("dashboards:events_section")
    page = login(platform_admin).get(url, {"level": "province"}).content.decode()
    assert "晋江市" in page and "2000000" in page.replace(",", "")
    assert login(county_luoyuan).get(url, {"level": "county", "id": jinjiang.pk}).status_code == 404
    assert login(bank_cib).get(url, {"level": "province"}).status_code == 404
    dashboard = login(platform_admin).get(reverse("dashboards:province")).content.decode()
    assert 'data-testid="events-dashboard"' in dashboard


def test_monthly_report_has_an_events_sheet(held, login, platform_admin):
    from openpyxl import load_workbook

    month = timezone.localdate().strftime("%Y-%m")
    response = login(platform_admin).get(
        reverse("dashboards:monthly"), {"month": month, "download": "1"}
    )  # on screen without it
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["对接活动"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "对接活动：1 场活动，2 场已举行洽谈，1 场签约"
    assert ["晋江市", 1, 1, 1, 2_000_000] in rows


def test_reminder_and_finish_tasks_are_safe_to_rerun(make_event, registered, event):
    from events import tasks

    soon = timezone.now() + datetime.timedelta(minutes=30)
    type(event).objects.filter(pk=event.pk).update(starts_at=soon)
    assert tasks.send_event_reminders() == 6  # three participants, the day and the hour reminder
    assert tasks.send_event_reminders() == 0
    type(event).objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    assert tasks.finish_past_events() == 1
    assert tasks.finish_past_events() == 0
