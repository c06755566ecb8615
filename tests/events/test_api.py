"""Events API: every endpoint for anonymous, outsiders, the wrong role and the right one; content by policy."""

import pytest

from events import services
from events.choices import EventState, MeetingState
from events.models import Event, Meeting
from tests.events.conftest import event_data

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def body(data):
    out = dict(data)
    for key in ("starts_at", "ends_at", "registration_deadline", "meetings_start"):
        out[key] = out[key].isoformat()
    return out


def test_anonymous_gets_401_everywhere(api, event, scheduled):
    client = api(None)
    meeting = scheduled["first"]
    for method, url in [
        ("get", f"{BASE}/events/"),
        ("post", f"{BASE}/events/"),
        ("get", f"{BASE}/events/{event.pk}/"),
        ("post", f"{BASE}/events/{event.pk}/submit/"),
        ("get", f"{BASE}/events/{event.pk}/proposed-invitees/"),
        ("get", f"{BASE}/events/{event.pk}/registrations/"),
        ("get", f"{BASE}/events/{event.pk}/meetings/"),
        ("post", f"{BASE}/events/{event.pk}/schedule/"),
        ("get", f"{BASE}/events/{event.pk}/calendar.ics"),
        ("post", f"{BASE}/meetings/{meeting.pk}/accept/"),
        ("post", f"{BASE}/meetings/{meeting.pk}/outcome/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert set(response.json()) == {"detail", "code", "fields"}


def test_create_submit_approve_publish_cancel(api, bank_cib, platform_admin, inst_dhu):
    response = api(bank_cib).post(f"{BASE}/events/", body(event_data()), format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "draft" and response.json()["organizer"] == bank_cib.organization_id
    # a draft is the organizer's: others do not find it
    assert api(inst_dhu).get(f"{BASE}/events/{pk}/").status_code == 404
    assert api(bank_cib).post(f"{BASE}/events/{pk}/approve/").status_code == 403
    assert api(platform_admin).post(f"{BASE}/events/{pk}/approve/").status_code == 409
    assert api(bank_cib).post(f"{BASE}/events/{pk}/submit/").json()["state"] == "submitted"
    assert api(platform_admin).post(f"{BASE}/events/{pk}/approve/").json()["state"] == "approved"
    assert api(bank_cib).post(f"{BASE}/events/{pk}/publish/").json()["state"] == "published"
    assert api(inst_dhu).get(f"{BASE}/events/{pk}/").status_code == 200  # published: the catalogue
    assert api(inst_dhu).post(f"{BASE}/events/{pk}/cancel/", {"reason": "x"}).status_code == 403
    response = api(bank_cib).post(f"{BASE}/events/{pk}/cancel/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    response = api(bank_cib).post(f"{BASE}/events/{pk}/cancel/", {"reason": "场地调整"}, format="json")
    assert response.json()["state"] == "cancelled"
    assert api(inst_dhu).get(f"{BASE}/events/{pk}/").json()["state_note"] == "场地调整"


def test_create_rejects_bad_input_and_organizations_without_standing(api, bank_cib, no_org_user):
    response = api(bank_cib).post(f"{BASE}/events/", body(event_data(place="")), format="json")
    assert response.status_code == 400 and "place" in response.json()["fields"]
    response = api(no_org_user).post(f"{BASE}/events/", body(event_data()), format="json")
    assert response.status_code == 403


def test_list_is_scoped_and_query_count_is_flat(
    api, make_event, bank_cib, inst_dhu, django_assert_num_queries
):
    for _ in range(3):
        make_event()
    make_event(publish=False)
    assert api(bank_cib).get(f"{BASE}/events/").json()["count"] == 4
    assert api(inst_dhu).get(f"{BASE}/events/").json()["count"] == 3
    client = api(inst_dhu)
    client.get(f"{BASE}/events/")
    with django_assert_num_queries(5):  # session user, count, page, then the three targets prefetched
        assert client.get(f"{BASE}/events/").status_code == 200


def test_proposed_invitees_from_matching_with_reasons_and_orders(
    api, make_event, make_order, drive, bank_cib, inst_dhu, county_jinjiang
):
    from matchmaking.tasks.matching import match_order

    order = drive(make_order(), "published")
    assert match_order(order.pk) == "done"  # what the task does after the order's commit
    event = make_event(targets={"counties": [county_jinjiang.organization.county]}, kind="campus")
    response = api(bank_cib).get(f"{BASE}/events/{event.pk}/proposed-invitees/")
    assert response.status_code == 200
    rows = response.json()
    dhu = next(r for r in rows if r["organization"] == inst_dhu.organization_id)
    assert dhu["reasons"] and dhu["orders"][0]["id"] == order.pk and not dhu["invited"]
    assert api(inst_dhu).get(f"{BASE}/events/{event.pk}/proposed-invitees/").status_code == 403
    response = api(bank_cib).post(
        f"{BASE}/events/{event.pk}/invitations/", {"organization": inst_dhu.organization_id}, format="json"
    )
    assert response.status_code == 201
    assert api(bank_cib).get(f"{BASE}/events/{event.pk}/proposed-invitees/").json()[0]["invited"] in (
        True,
        False,
    )
    again = api(bank_cib).post(
        f"{BASE}/events/{event.pk}/invitations/", {"organization": inst_dhu.organization_id}, format="json"
    )
    assert again.status_code == 400
    # invited: registering is approved at once
    response = api(inst_dhu).post(f"{BASE}/events/{event.pk}/registrations/", {}, format="json")
    assert (
        response.status_code == 201 and response.json()["state"] == "approved" and response.json()["invited"]
    )


def test_registrations_content_by_policy(api, event, bank_cib, inst_dhu, firm_demo, city_quanzhou):
    api(inst_dhu).post(
        f"{BASE}/events/{event.pk}/registrations/",
        {"contact_phone": "13900000001", "attendees": "李华"},
        format="json",
    )
    api(firm_demo).post(
        f"{BASE}/events/{event.pk}/registrations/", {"contact_phone": "13900000002"}, format="json"
    )
    by_org = {
        r["organization"]: r
        for r in api(bank_cib).get(f"{BASE}/events/{event.pk}/registrations/").json()["results"]
    }
    assert by_org[inst_dhu.organization_id]["contact_phone"] == "13900000001"
    assert by_org[firm_demo.organization_id]["contact_phone"] == "13900000002"
    seen = {
        r["organization"]: r
        for r in api(inst_dhu).get(f"{BASE}/events/{event.pk}/registrations/").json()["results"]
    }
    assert seen[inst_dhu.organization_id]["contact_phone"] == "13900000001"
    assert seen[firm_demo.organization_id]["contact_phone"] == ""  # a fellow participant: no phone
    # not registered: sees no registrations at all
    assert api(city_quanzhou).get(f"{BASE}/events/{event.pk}/registrations/").json()["count"] == 0
    reg = seen[firm_demo.organization_id]["id"]
    assert api(inst_dhu).post(f"{BASE}/registrations/{reg}/cancel/").status_code == 403
    assert api(city_quanzhou).get(f"{BASE}/registrations/{reg}/").status_code == 404
    assert api(firm_demo).post(f"{BASE}/registrations/{reg}/cancel/").json()["state"] == "cancelled"


def test_registration_approval_endpoints(api, make_event, bank_cib, inst_dhu):
    event = make_event(requires_approval=True)
    reg = api(inst_dhu).post(f"{BASE}/events/{event.pk}/registrations/", {}, format="json").json()
    assert reg["state"] == "pending"
    assert api(inst_dhu).post(f"{BASE}/registrations/{reg['id']}/approve/").status_code == 403
    assert api(bank_cib).post(f"{BASE}/registrations/{reg['id']}/approve/").json()["state"] == "approved"
    assert api(bank_cib).post(f"{BASE}/registrations/{reg['id']}/decline/").status_code == 409


def test_meetings_scope_and_actions(
    api, event, scheduled, registered, county_jinjiang, inst_dhu, firm_demo, bank_cib, city_quanzhou
):
    first, pending = scheduled["first"], scheduled["pending"]
    organizer = api(bank_cib).get(f"{BASE}/events/{event.pk}/meetings/").json()
    assert organizer["count"] == 3
    row = next(m for m in organizer["results"] if m["id"] == first.pk)
    assert set(row) >= {"order", "requester", "invitee", "state", "slot", "table"}
    assert row["requester"] == county_jinjiang.organization_id and row["state"] == "scheduled"
    assert api(county_jinjiang).get(f"{BASE}/events/{event.pk}/meetings/").json()["count"] == 2
    assert api(city_quanzhou).get(f"{BASE}/events/{event.pk}/meetings/").json()["count"] == 0
    assert api(city_quanzhou).get(f"{BASE}/meetings/{first.pk}/").status_code == 404
    assert api(county_jinjiang).get(f"{BASE}/meetings/{scheduled['second'].pk}/").status_code == 404
    # the invitee (the county) accepts the firm's request; the requester may not
    assert api(firm_demo).post(f"{BASE}/meetings/{pending.pk}/accept/").status_code == 403
    assert api(county_jinjiang).post(f"{BASE}/meetings/{pending.pk}/accept/").json()["state"] == "accepted"
    assert api(county_jinjiang).post(f"{BASE}/meetings/{pending.pk}/decline/").status_code == 409
    assert api(inst_dhu).post(f"{BASE}/events/{event.pk}/schedule/").status_code == 403
    result = api(bank_cib).post(f"{BASE}/events/{event.pk}/schedule/").json()
    assert result["meetings"] == 3 and result["kept"] == 2 and result["moved"] == 0
    assert result["bound"] >= result["meetings"] >= result["greedy_meetings"]
    assert Meeting.objects.get(pk=pending.pk).state == MeetingState.SCHEDULED
    # a side cancels; a new request between the two goes through the API
    assert api(firm_demo).post(f"{BASE}/meetings/{first.pk}/cancel/").status_code == 404  # not its meeting
    assert api(inst_dhu).post(f"{BASE}/meetings/{first.pk}/cancel/").json()["state"] == "cancelled"
    response = api(inst_dhu).post(
        f"{BASE}/events/{event.pk}/meetings/",
        {"invitee": county_jinjiang.organization_id, "message": "再谈"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["state"] == "requested"
    response = api(inst_dhu).post(
        f"{BASE}/events/{event.pk}/meetings/", {"invitee": city_quanzhou.organization_id}, format="json"
    )
    assert response.status_code == 400 and "invitee" in response.json()["fields"]


def test_meeting_list_query_count_is_flat(api, event, scheduled, bank_cib, django_assert_num_queries):
    client = api(bank_cib)
    client.get(f"{BASE}/events/{event.pk}/meetings/")
    with django_assert_num_queries(4):  # the event, the count, the page with both sides, the outcomes
        assert client.get(f"{BASE}/events/{event.pk}/meetings/").status_code == 200


def test_outcome_endpoint_and_content_by_policy(
    api, make_event, make_order, drive, county_jinjiang, inst_dhu, bank_cib
):
    import datetime

    from django.utils import timezone

    order = drive(make_order(), "claimed")
    start = timezone.now() - datetime.timedelta(hours=1)
    event = make_event(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        registration_deadline=start + datetime.timedelta(hours=4),
        meetings_start=start,
    )
    services.register(event, by=county_jinjiang)
    dhu = services.register(event, by=inst_dhu)
    meeting = services.request_meeting(event, by=county_jinjiang, invitee=dhu, order=order)
    services.accept_meeting(meeting, by=inst_dhu)
    services.schedule_event(event, by=bank_cib)
    Meeting.objects.filter(pk=meeting.pk).update(slot=0)
    url = f"{BASE}/meetings/{meeting.pk}/outcome/"
    assert api(bank_cib).post(url, {"result": "agreement"}, format="json").status_code == 403
    response = api(inst_dhu).post(
        url,
        {"result": "follow_up", "note": "东华私密备注", "advance_order": True, "amount_yuan": 100},
        format="json",
    )
    assert response.status_code == 201 and response.json()["order_step"] == "responded"
    response = api(county_jinjiang).post(
        url,
        {"result": "agreement", "note": "县域私密备注", "advance_order": True, "amount_yuan": 2000000},
        format="json",
    )
    assert response.status_code == 201 and response.json()["order_step"] == "accepted"
    assert api(county_jinjiang).post(url, {"result": "agreement"}, format="json").status_code == 400
    # each side reads its own outcome, the organizer both
    own = api(inst_dhu).get(f"{BASE}/meetings/{meeting.pk}/").json()["outcomes"]
    assert [o["note"] for o in own] == ["东华私密备注"]
    everything = api(bank_cib).get(f"{BASE}/meetings/{meeting.pk}/").json()["outcomes"]
    assert sorted(o["note"] for o in everything) == ["东华私密备注", "县域私密备注"]
    from matchmaking.models import Order

    assert Order.objects.get(pk=order.pk).state == "docking"


def test_calendar_file(api, event, scheduled, inst_dhu, firm_demo, county_jinjiang, city_quanzhou):
    from icalendar import Calendar

    response = api(inst_dhu).get(f"{BASE}/events/{event.pk}/calendar.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    items = list(cal.walk("VEVENT"))
    assert len(items) == 3  # the event and 东华's two scheduled meetings
    summaries = " ".join(str(c["SUMMARY"]) for c in items)
    assert "晋江市人民政府" in summaries and event.title in summaries
    county = Calendar.from_ical(api(county_jinjiang).get(f"{BASE}/events/{event.pk}/calendar.ics").content)
    assert len(list(county.walk("VEVENT"))) == 2
    assert "晋江针织面料企业" not in county.to_ical().decode()  # not the county's meeting
    draft = Event.objects.create(
        title="草稿活动",
        kind="finance",
        organizer=event.organizer,
        **{k: v for k, v in event_data().items() if k in ("starts_at", "ends_at", "registration_deadline")},
        place="x",
    )
    assert api(city_quanzhou).get(f"{BASE}/events/{draft.pk}/calendar.ics").status_code == 404
    assert draft.state == EventState.DRAFT


def test_registration_list_query_count_is_flat(api, event, registered, bank_cib, django_assert_num_queries):
    client = api(bank_cib)
    client.get(f"{BASE}/events/{event.pk}/registrations/")
    with django_assert_num_queries(3):  # the event, the count, the page with organizations
        assert client.get(f"{BASE}/events/{event.pk}/registrations/").json()["count"] == 3
