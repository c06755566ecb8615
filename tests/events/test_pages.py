"""Event pages: each for the right role (content), 404 for everyone else; the list's query count; downloads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.choices import MeetingState
from events.models import Meeting, Registration

pytestmark = pytest.mark.django_db


def test_list_shows_public_and_own_events(login, make_event, bank_cib, inst_dhu, django_assert_num_queries):
    published = make_event(title="公开的产融对接会")
    draft = make_event(publish=False, title="尚未提交的草稿活动")
    page = login(inst_dhu).get(reverse("events:list")).content.decode()
    assert published.title in page and draft.title not in page
    page = login(bank_cib).get(reverse("events:list") + "?tab=mine").content.decode()
    assert published.title in page and draft.title in page
    for _ in range(5):
        make_event()
    client = login(inst_dhu)
    client.get(reverse("events:list"))
    with django_assert_num_queries(6):  # session, user, scope, count, page, nav badge: not one per event
        client.get(reverse("events:list"))


def test_create_through_the_form(login, bank_cib, inst_dhu):
    start = (timezone.localtime() + datetime.timedelta(days=5)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "title": "福州产融对接会",
        "kind": "finance",
        "place": "福州市",
        "starts_at": start.strftime(fmt),
        "ends_at": (start + datetime.timedelta(hours=3)).strftime(fmt),
        "registration_deadline": (start - datetime.timedelta(days=1)).strftime(fmt),
        "capacity": 30,
        "meetings_start": (start + datetime.timedelta(minutes=30)).strftime(fmt),
        "slot_minutes": 20,
        "slot_count": 6,
        "table_count": 10,
    }
    response = login(bank_cib).post(reverse("events:create"), data)
    assert response.status_code == 302
    page = login(bank_cib).get(response["Location"]).content.decode()
    assert "福州产融对接会" in page and "提交审核" in page
    assert login(inst_dhu).get(reverse("events:create")).status_code == 200  # providers organize too
    bad = login(bank_cib).post(reverse("events:create"), {**data, "place": ""})
    assert bad.status_code == 200 and "请填写地点或线上链接" in bad.content.decode()


def test_event_page_by_role(
    login, event, scheduled, registered, bank_cib, inst_dhu, county_jinjiang, city_quanzhou
):
    organizer = login(bank_cib).get(event.get_absolute_url()).content.decode()
    assert "报名与排期" in organizer and "现场看板" in organizer
    assert organizer.count('data-testid="meeting-') == 3
    dhu = login(inst_dhu).get(event.get_absolute_url()).content.decode()
    assert "报名与排期" not in dhu and 'data-testid="qr"' in dhu
    assert str(registered["inst_dhu"].checkin_token) in dhu
    assert str(registered["county_jinjiang"].checkin_token) not in dhu  # another participant's code
    assert dhu.count('data-testid="meeting-') == 2  # its own two meetings
    county = login(county_jinjiang).get(event.get_absolute_url()).content.decode()
    assert "晋江针织面料企业" in county  # participants' catalogue
    assert county.count('data-testid="meeting-') == 2
    outsider = login(city_quanzhou).get(event.get_absolute_url()).content.decode()
    assert 'data-testid="meeting-' not in outsider and 'data-testid="register"' in outsider


def test_organizer_pages_are_404_for_others(
    login, event, scheduled, registered, inst_dhu, city_quanzhou, bank_cib
):
    reg = registered["inst_dhu"]
    for name in (
        "events:invitees",
        "events:manage",
        "events:board",
        "events:checkin-scan",
        "events:report",
        "events:edit",
    ):
        url = reverse(name, args=[event.pk])
        assert login(inst_dhu).get(url).status_code == 404, name
        assert login(bank_cib).get(url).status_code == 200, name
    checkin = reverse("events:checkin", args=[reg.checkin_token])
    assert login(inst_dhu).get(checkin).status_code == 404
    assert login(city_quanzhou).post(checkin).status_code == 404
    assert login(bank_cib).get(checkin).status_code == 200
    assert login(city_quanzhou).get(reverse("events:qr", args=[reg.pk])).status_code == 404
    assert login(bank_cib).get(reverse("events:qr", args=[reg.pk])).status_code == 404  # only its holder
    svg = login(inst_dhu).get(reverse("events:qr", args=[reg.pk]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert login(city_quanzhou).post(reverse("events:schedule", args=[event.pk])).status_code == 404
    first = scheduled["first"]
    assert (
        login(city_quanzhou).post(reverse("events:meeting-action", args=[first.pk, "cancel"])).status_code
        == 404
    )
    assert login(city_quanzhou).get(reverse("events:outcome", args=[first.pk])).status_code == 404


def test_check_in_through_the_qr_page(login, event, registered, bank_cib):
    reg = registered["inst_dhu"]
    client = login(bank_cib)
    response = client.post(
        reverse("events:checkin-scan", args=[event.pk]),
        {"code": f"http://x/events/checkin/{reg.checkin_token}/"},
    )
    assert response.status_code == 302 and str(reg.checkin_token) in response["Location"]
    client.post(reverse("events:checkin", args=[reg.checkin_token]))
    reg.refresh_from_db()
    assert reg.checked_in_at is not None
    board = client.get(reverse("events:board", args=[event.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "已签到 1 / 3 家" in board


def test_schedule_accept_and_outcome_pages(
    login, make_event, make_order, drive, county_jinjiang, inst_dhu, bank_cib
):
    order = drive(make_order(), "claimed")
    start = timezone.now() - datetime.timedelta(hours=1)
    event = make_event(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        registration_deadline=start + datetime.timedelta(hours=4),
        meetings_start=start,
    )
    login(county_jinjiang).post(reverse("events:register", args=[event.pk]), {})
    login(inst_dhu).post(reverse("events:register", args=[event.pk]), {})
    dhu = Registration.objects.get(event=event, organization=inst_dhu.organization)
    login(county_jinjiang).post(
        reverse("events:meeting-request", args=[event.pk]),
        {"invitee": dhu.pk, "order": order.pk, "message": "攻关"},
    )
    meeting = Meeting.objects.get(event=event)
    login(inst_dhu).post(reverse("events:meeting-action", args=[meeting.pk, "accept"]))
    login(bank_cib).post(reverse("events:schedule", args=[event.pk]))
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED
    Meeting.objects.filter(pk=meeting.pk).update(slot=0)
    page = login(inst_dhu).get(event.get_absolute_url()).content.decode()
    assert 'data-testid="record-outcome"' in page
    response = login(inst_dhu).post(
        reverse("events:outcome", args=[meeting.pk]),
        {"result": "follow_up", "note": "可联合攻关", "advance_order": "on"},
    )
    assert response.status_code == 302
    assert order.responses.filter(provider_org=inst_dhu.organization).exists()
    report = login(bank_cib).get(reverse("events:report", args=[event.pk])).content.decode()
    assert "推进的需求" in report
    xlsx = login(bank_cib).get(reverse("events:report", args=[event.pk]) + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_invitees_page_invites_with_one_click(
    login, make_event, make_order, drive, bank_cib, inst_dhu, county_jinjiang
):
    from matchmaking.tasks.matching import match_order

    order = drive(make_order(), "published")
    match_order(order.pk)
    event = make_event(targets={"counties": [county_jinjiang.organization.county]})
    page = login(bank_cib).get(reverse("events:invitees", args=[event.pk])).content.decode()
    assert "东华大学" in page and order.title in page
    login(bank_cib).post(
        reverse("events:invitees", args=[event.pk]), {"organization": inst_dhu.organization_id}
    )
    assert event.invitations.filter(organization=inst_dhu.organization).exists()


def test_agenda_and_ics(login, event, scheduled, inst_dhu):
    page = login(inst_dhu).get(reverse("events:agenda", args=[event.pk])).content.decode()
    assert "晋江市人民政府" in page and "号桌" in page
    ics = login(inst_dhu).get(reverse("events:agenda-ics", args=[event.pk]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content


def test_cancel_registration_page(login, event, registered, inst_dhu):
    reg = registered["inst_dhu"]
    login(inst_dhu).post(reverse("events:registration-action", args=[reg.pk, "cancel"]))
    reg.refresh_from_db()
    assert reg.state == "cancelled"
