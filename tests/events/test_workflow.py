"""Workflows of events, registrations and meetings: every transition legal and illegal, actors, outcomes."""

import datetime

import pytest
from django.utils import timezone

from events import services, workflow
from events.choices import EventState, LogKind, MeetingState, OrderStep, RegistrationState
from events.models import EventLog, EventReminder, Meeting, MeetingOutcome
from events.workflow import WorkflowError
from tests.events.conftest import event_data

pytestmark = pytest.mark.django_db


def states_of(table):
    return {s for t in table.values() for s in (*t.sources, t.target)}


@pytest.mark.parametrize(
    ("table", "choices"),
    [
        (workflow.EVENT, EventState),
        (workflow.REGISTRATION, RegistrationState),
        (workflow.MEETING, MeetingState),
    ],
)
def test_every_state_is_reachable_in_the_tables(table, choices):
    assert states_of(table) <= set(choices.values)


def test_event_walks_its_table(bank_cib, platform_admin):
    event = services.create_event(by=bank_cib, data=event_data())
    assert event.state == EventState.DRAFT and event.organizer_id == bank_cib.organization_id
    with pytest.raises(WorkflowError) as exc:
        services.approve_event(event, by=platform_admin)
    assert exc.value.code == "illegal_transition"
    services.submit_event(event, by=bank_cib)
    with pytest.raises(WorkflowError) as exc:
        services.approve_event(event, by=bank_cib)  # the organizer may not approve its own event
    assert exc.value.code == "forbidden"
    with pytest.raises(WorkflowError) as exc:
        services.return_event(event, by=platform_admin, reason="")
    assert exc.value.code == "invalid"
    services.return_event(event, by=platform_admin, reason="请补充议程")
    assert event.state == EventState.DRAFT and event.state_note == "请补充议程"
    services.submit_event(event, by=bank_cib)
    services.approve_event(event, by=platform_admin)
    with pytest.raises(WorkflowError):
        services.submit_event(event, by=bank_cib)
    services.publish_event(event, by=bank_cib)
    assert event.state == EventState.PUBLISHED
    with pytest.raises(WorkflowError) as exc:
        services.finish_event(event)  # the system: not before the end
    assert exc.value.code == "illegal_transition"
    services.finish_event(event, by=bank_cib)
    assert event.state == EventState.FINISHED
    with pytest.raises(WorkflowError):
        services.cancel_event(event, by=bank_cib, reason="天气")
    kinds = list(EventLog.objects.filter(event=event).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "submitted", "approved", "published", "finished"]


def test_only_organizing_kinds_create_and_inputs_are_checked(bank_cib, county_jinjiang):
    event = services.create_event(by=county_jinjiang, data=event_data())
    assert event.organizer_id == county_jinjiang.organization_id
    with pytest.raises(WorkflowError) as exc:
        services.create_event(
            by=bank_cib, data=event_data(ends_at=timezone.now() - datetime.timedelta(days=30))
        )
    assert exc.value.code == "invalid" and "ends_at" in exc.value.errors
    with pytest.raises(WorkflowError) as exc:
        services.create_event(by=bank_cib, data=event_data(place="", online_url=""))
    assert "place" in exc.value.errors
    with pytest.raises(WorkflowError) as exc:
        start = timezone.now() + datetime.timedelta(days=2)
        services.create_event(
            by=bank_cib, data=event_data(starts_at=start, ends_at=start, meetings_start=start)
        )
    assert "meetings_start" in exc.value.errors


def test_cancel_needs_a_reason_and_tells_participants(event, registered, bank_cib):
    from matchmaking.models import Notification

    with pytest.raises(WorkflowError):
        services.cancel_event(event, by=bank_cib, reason=" ")
    services.cancel_event(event, by=bank_cib, reason="场地调整")
    assert event.state == EventState.CANCELLED
    told = Notification.objects.filter(title__contains="对接活动已取消").values_list(
        "recipient__username", flat=True
    )
    assert {"county_jinjiang", "inst_dhu", "firm_demo"} <= set(told)


def test_system_finishes_past_events(make_event):
    event = make_event()
    assert services.finish_past_events(now=event.ends_at + datetime.timedelta(minutes=1)) == 1
    event.refresh_from_db()
    assert event.state == EventState.FINISHED
    assert services.finish_past_events(now=event.ends_at + datetime.timedelta(minutes=2)) == 0


def test_registration_rules(make_event, county_jinjiang, inst_dhu, bank_cib, firm_demo):
    draft = make_event(publish=False)
    with pytest.raises(WorkflowError) as exc:
        services.register(draft, by=inst_dhu)
    assert exc.value.code == "illegal_transition"
    event = make_event(requires_approval=True, capacity=2)
    with pytest.raises(WorkflowError) as exc:
        services.register(event, by=bank_cib)  # the organizer
    assert exc.value.code == "forbidden"
    services.invite(event, by=bank_cib, organization=inst_dhu.organization)
    invited = services.register(event, by=inst_dhu)
    assert invited.state == RegistrationState.APPROVED and invited.invited
    pending = services.register(event, by=county_jinjiang)
    assert pending.state == RegistrationState.PENDING
    with pytest.raises(WorkflowError):
        services.register(event, by=county_jinjiang)
    with pytest.raises(WorkflowError) as exc:
        services.register(event, by=firm_demo)  # capacity 2
    assert "已满" in exc.value.message
    with pytest.raises(WorkflowError) as exc:
        services.approve_registration(pending, by=inst_dhu)
    assert exc.value.code == "forbidden"
    services.approve_registration(pending, by=bank_cib)
    assert pending.state == RegistrationState.APPROVED
    with pytest.raises(WorkflowError):
        services.decline_registration(pending, by=bank_cib)
    services.cancel_registration(pending, by=county_jinjiang)
    assert pending.state == RegistrationState.CANCELLED


def test_registration_closes_at_the_deadline(make_event, inst_dhu):
    start = timezone.now() + datetime.timedelta(hours=3)
    event = make_event(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        registration_deadline=timezone.now() - datetime.timedelta(minutes=1),
        meetings_start=start,
    )
    with pytest.raises(WorkflowError) as exc:
        services.register(event, by=inst_dhu)
    assert "截止" in exc.value.message


def test_meeting_walks_its_table(event, registered, county_jinjiang, inst_dhu, bank_cib, firm_demo):
    county, dhu = registered["county_jinjiang"], registered["inst_dhu"]
    meeting = services.request_meeting(event, by=county_jinjiang, invitee=dhu, message="面料攻关")
    assert meeting.state == MeetingState.REQUESTED
    with pytest.raises(WorkflowError):
        services.request_meeting(event, by=county_jinjiang, invitee=dhu)  # duplicate
    with pytest.raises(WorkflowError) as exc:
        services.request_meeting(event, by=county_jinjiang, invitee=county)
    assert exc.value.code == "invalid"
    with pytest.raises(WorkflowError) as exc:
        services.accept_meeting(meeting, by=county_jinjiang)  # the requester may not accept
    assert exc.value.code == "forbidden"
    with pytest.raises(WorkflowError) as exc:
        services.accept_meeting(meeting, by=firm_demo)
    assert exc.value.code == "forbidden"
    services.accept_meeting(meeting, by=inst_dhu)
    assert meeting.state == MeetingState.ACCEPTED
    with pytest.raises(WorkflowError):
        services.decline_meeting(meeting, by=inst_dhu)
    with pytest.raises(WorkflowError) as exc:
        services.hold_meeting(meeting, by=bank_cib)
    assert exc.value.code == "illegal_transition"
    result = services.schedule_event(event, by=bank_cib)
    assert result.meetings == 1
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED and meeting.slot is not None and meeting.table is not None
    services.cancel_meeting(meeting, by=county_jinjiang)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CANCELLED and meeting.slot is None
    other = services.request_meeting(event, by=firm_demo, invitee=dhu)
    services.decline_meeting(other, by=inst_dhu, note="日程已满")
    assert other.state == MeetingState.DECLINED


def test_only_approved_participants_request(event, registered, city_quanzhou, bank_cib):
    with pytest.raises(WorkflowError) as exc:
        services.request_meeting(event, by=city_quanzhou, invitee=registered["inst_dhu"])
    assert exc.value.code == "forbidden"
    with pytest.raises(WorkflowError) as exc:
        services.schedule_event(event, by=city_quanzhou)
    assert exc.value.code == "forbidden"


def test_schedule_respects_availability_and_keeps_confirmed(
    event, registered, county_jinjiang, inst_dhu, firm_demo, bank_cib
):
    county, dhu, firm = registered["county_jinjiang"], registered["inst_dhu"], registered["firm_demo"]
    first = services.request_meeting(event, by=county_jinjiang, invitee=dhu)
    services.accept_meeting(first, by=inst_dhu)
    services.schedule_event(event, by=bank_cib)
    first.refresh_from_db()
    kept = (first.slot, first.table)
    # later: two more accepted requests, and the firm cannot come to any slot but the last
    services.set_availability(firm, by=firm_demo, unavailable_slots=[0, 1, 2])
    second = services.request_meeting(event, by=firm_demo, invitee=county)
    services.accept_meeting(second, by=county_jinjiang)
    third = services.request_meeting(event, by=firm_demo, invitee=dhu)
    services.accept_meeting(third, by=inst_dhu)
    result = services.schedule_event(event, by=bank_cib)
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    # the firm has one usable slot (3): only one of its two meetings fits, there
    placed = [m for m in (second, third) if m.state == MeetingState.SCHEDULED]
    assert len(placed) == 1 and placed[0].slot == 3
    assert result.meetings == 2 == result.bound
    assert {m.state for m in (second, third)} == {MeetingState.SCHEDULED, MeetingState.ACCEPTED}
    # the confirmed meeting stays unless it sat in the firm's only slot (then moving it wins a meeting)
    if kept[0] == 3:
        assert first.slot != 3 and result.moved == 1
    else:
        assert (first.slot, first.table) == kept and result.kept == 1 and result.moved == 0


def test_reschedule_moves_a_confirmed_meeting_only_when_needed(
    event, registered, county_jinjiang, inst_dhu, bank_cib
):
    meeting = services.request_meeting(event, by=county_jinjiang, invitee=registered["inst_dhu"])
    services.accept_meeting(meeting, by=inst_dhu)
    services.schedule_event(event, by=bank_cib)
    meeting.refresh_from_db()
    old = meeting.slot
    services.set_availability(registered["inst_dhu"], by=inst_dhu, unavailable_slots=[old])
    result = services.schedule_event(event, by=bank_cib)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED and meeting.slot != old
    assert result.moved == 1


def test_check_in_by_token_is_for_the_organizer_and_idempotent(event, registered, bank_cib, inst_dhu):
    reg = registered["inst_dhu"]
    with pytest.raises(WorkflowError) as exc:
        services.check_in(reg.checkin_token, by=inst_dhu)
    assert exc.value.code == "forbidden"
    services.check_in(reg.checkin_token, by=bank_cib)
    services.check_in(reg.checkin_token, by=bank_cib)
    reg.refresh_from_db()
    assert reg.checked_in_at is not None
    assert EventLog.objects.filter(event=event, kind=LogKind.CHECKED_IN).count() == 1


def _held_meeting(event, registered, requester, invitee_key, order=None):
    meeting = services.request_meeting(event, by=requester, invitee=registered[invitee_key], order=order)
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.ACCEPTED)
    return meeting


def test_outcome_moves_the_order_through_its_own_services(
    make_event, county_jinjiang, inst_dhu, bank_cib, make_order, drive
):
    from matchmaking.models import Order, Proposal

    order = drive(make_order(), "claimed")
    start = timezone.now() - datetime.timedelta(hours=1)
    event = make_event(
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=5),
        registration_deadline=start + datetime.timedelta(hours=4),
        meetings_start=start,
    )
    county = services.register(event, by=county_jinjiang)
    dhu = services.register(event, by=inst_dhu)
    meeting = services.request_meeting(event, by=county_jinjiang, invitee=dhu, order=order)
    services.accept_meeting(meeting, by=inst_dhu)
    services.schedule_event(event, by=bank_cib)
    meeting.refresh_from_db()
    assert meeting.slot is not None and county.pk == meeting.requester_id
    Meeting.objects.filter(pk=meeting.pk).update(slot=0)  # started an hour ago
    with pytest.raises(WorkflowError) as exc:
        services.record_outcome(meeting, by=county_jinjiang, result="follow_up", advance_order=True)
    assert exc.value.code == "illegal_transition"  # nothing to accept yet: the provider has not responded
    first = services.record_outcome(
        meeting, by=inst_dhu, result="follow_up", note="可联合攻关", advance_order=True, amount_yuan=None
    )
    assert first.order_step == OrderStep.RESPONDED
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    response = Proposal.objects.get(order=order, provider_org=inst_dhu.organization)
    assert response.state == "pending" and "对接活动" in response.proposal
    second = services.record_outcome(
        meeting,
        by=county_jinjiang,
        result="agreement",
        amount_yuan=2_000_000,
        note="签约",
        advance_order=True,
    )
    assert second.order_step == OrderStep.ACCEPTED
    assert Order.objects.get(pk=order.pk).state == "docking"
    with pytest.raises(WorkflowError):
        services.record_outcome(meeting, by=county_jinjiang, result="agreement")
    assert MeetingOutcome.objects.filter(meeting=meeting).count() == 2
    with pytest.raises(WorkflowError) as exc:
        services.record_outcome(meeting, by=bank_cib, result="agreement")  # the organizer is no side
    assert exc.value.code == "forbidden"


def test_outcome_waits_for_the_meeting(event, registered, county_jinjiang, inst_dhu, bank_cib):
    meeting = services.request_meeting(event, by=county_jinjiang, invitee=registered["inst_dhu"])
    with pytest.raises(WorkflowError) as exc:
        services.record_outcome(meeting, by=inst_dhu, result="follow_up")
    assert exc.value.code == "illegal_transition"
    services.accept_meeting(meeting, by=inst_dhu)
    services.schedule_event(event, by=bank_cib)
    with pytest.raises(WorkflowError) as exc:
        services.record_outcome(meeting, by=inst_dhu, result="follow_up")  # the event is in two days
    assert "尚未开始" in exc.value.message
    with pytest.raises(WorkflowError) as exc:
        services.record_outcome(meeting, by=inst_dhu, result="follow_up", advance_order=True)
    assert exc.value.code in ("invalid", "illegal_transition")


def test_reminders_once_a_day_and_once_an_hour_before(event, registered):
    from matchmaking.models import Notification

    day_before = event.starts_at - datetime.timedelta(hours=23)
    assert services.send_due_reminders(now=day_before) == 3
    assert services.send_due_reminders(now=day_before + datetime.timedelta(minutes=10)) == 0
    hour_before = event.starts_at - datetime.timedelta(minutes=50)
    assert services.send_due_reminders(now=hour_before) == 3
    assert services.send_due_reminders(now=hour_before) == 0
    assert EventReminder.objects.filter(registration__event=event).count() == 6
    assert (
        Notification.objects.filter(recipient__username="inst_dhu", title__startswith="活动提醒").count() == 2
    )
    assert services.send_due_reminders(now=event.starts_at - datetime.timedelta(days=3)) == 0
