"""Access to the docking-event pages and API: an event of 兴业银行 (bank_cib) with 晋江市 and 东华大学 registered
and a meeting requested by 晋江市 of 东华大学, built through the services in each persona's rolled-back
transaction. Drafts are the organizer's; published events are everyone's catalogue; organizer pages, meetings
and check-in codes are 404 outside (pages) or 404/403 (API: invisible / visible but not this role's)."""

from tests.access import Access, logged_in, only, rule
from tests.access.api import LOGGED_IN, api_rule

ORGANIZER = ("bank_cib", "admin")
SIDES = ("county_jinjiang", "inst_dhu")


def _event(personas, state="published"):
    """An event of 兴业银行 in `state` (published: with 晋江市 and 东华大学 registered and a meeting requested)."""
    import datetime

    from django.utils import timezone

    from events import services

    bank = personas["bank_cib"]
    start = timezone.now() + datetime.timedelta(days=3)
    event = services.create_event(
        by=bank,
        data={
            "title": "晋江纺织鞋服产融对接会",
            "kind": "finance",
            "place": "晋江市会展中心",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=4),
            "registration_deadline": start - datetime.timedelta(days=1),
            "meetings_start": start + datetime.timedelta(minutes=30),
            "slot_count": 4,
            "table_count": 3,
        },
    )
    steps = [
        ("submitted", lambda: services.submit_event(event, by=bank)),
        ("approved", lambda: services.approve_event(event, by=personas["admin"])),
        ("published", lambda: services.publish_event(event, by=bank)),
    ]
    for target, step in steps:
        if event.state == state:
            break
        step()
        assert event.state == target
    if state == "approved":  # before publication: the organizer, administrators and the invited 东华大学
        services.invite(event, by=bank, organization=personas["inst_dhu"].organization)
    if state == "published":
        county = services.register(event, by=personas["county_jinjiang"])
        dhu = services.register(event, by=personas["inst_dhu"])
        event.county_registration = county
        event.meeting = services.request_meeting(event, by=personas["county_jinjiang"], invitee=dhu)
    return event


def event_in(state):
    """kwargs builder: {"pk": a fresh event in `state`}."""
    return lambda personas: {"pk": _event(personas, state).pk}


def _action(action, state):
    return lambda personas: {"pk": _event(personas, state).pk, "action": action}


def _registration(personas):
    return {"pk": _event(personas).county_registration.pk}


def _registration_action(action):
    return lambda personas: {**_registration(personas), "action": action}


def _meeting(personas):
    return {"pk": _event(personas).meeting.pk}


def _meeting_action(action):
    return lambda personas: {**_meeting(personas), "action": action}


def _token(personas):
    return {"token": _event(personas).county_registration.checkin_token}


PUBLISHED = event_in("published")
# Approved, not yet published: seen by the organizer, administrators and the invited 东华大学 only (the others
# get 404), which is where the pages every participant of a published event may open are checked.
APPROVED = event_in("approved")
SEES_APPROVED = (*ORGANIZER, "inst_dhu")
ORGANIZER_PAGE = only(*ORGANIZER)

ACCESS = {
    # pages
    "events:list": Access(logged_in()),
    "events:create": Access(logged_in()),
    "events:detail": Access(only(*SEES_APPROVED), kwargs=APPROVED),
    "events:edit": Access(ORGANIZER_PAGE, kwargs=PUBLISHED),
    "events:action": Access(only("bank_cib", ok=302), kwargs=_action("submit", "draft"), method="post"),
    "events:invitees": Access(ORGANIZER_PAGE, kwargs=PUBLISHED),
    "events:register": Access(rule(302, bank_cib=404, admin=404), kwargs=PUBLISHED, method="post"),
    "events:availability": Access(only(*SIDES, ok=302), kwargs=PUBLISHED, method="post"),
    "events:manage": Access(ORGANIZER_PAGE, kwargs=PUBLISHED),
    "events:schedule": Access(only(*ORGANIZER, ok=302), kwargs=PUBLISHED, method="post"),
    # an empty request form: a message and back to the event page, for whoever sees the event
    "events:meeting-request": Access(only(*SEES_APPROVED, ok=302), kwargs=APPROVED, method="post"),
    "events:agenda": Access(only(*SEES_APPROVED), kwargs=APPROVED),
    "events:agenda-ics": Access(only(*SEES_APPROVED), kwargs=APPROVED),
    "events:board": Access(ORGANIZER_PAGE, kwargs=PUBLISHED),
    "events:checkin-scan": Access(ORGANIZER_PAGE, kwargs=PUBLISHED),
    "events:report": Access(ORGANIZER_PAGE, kwargs=PUBLISHED),
    "events:registration-action": Access(
        only("county_jinjiang", *ORGANIZER, ok=302), kwargs=_registration_action("cancel"), method="post"
    ),
    "events:qr": Access(only("county_jinjiang"), kwargs=_registration),
    "events:outcome": Access(only(*SIDES), kwargs=_meeting),
    "events:meeting-action": Access(
        only("inst_dhu", ok=302), kwargs=_meeting_action("accept"), method="post"
    ),
    "events:checkin": Access(ORGANIZER_PAGE, kwargs=_token),
    "dashboards:events_section": Access(
        only("body_kjt", "body_jrb", "body_gxt", "admin"), query="level=province"
    ),
    # API
    "api:event-list": Access(LOGGED_IN),
    "api:event-detail": Access(api_rule(404, **dict.fromkeys(SEES_APPROVED, 200)), kwargs=APPROVED),
    "api:event-submit": Access(
        api_rule(404, bank_cib=200, admin=403), kwargs=event_in("draft"), method="post"
    ),
    "api:event-approve": Access(
        api_rule(404, bank_cib=403, admin=200), kwargs=event_in("submitted"), method="post"
    ),
    "api:event-return": Access(
        api_rule(404, bank_cib=403, admin=200),
        kwargs=event_in("submitted"),
        method="post",
        data={"reason": "请补充议程"},
    ),
    "api:event-publish": Access(
        api_rule(404, bank_cib=200, admin=200, inst_dhu=403), kwargs=event_in("approved"), method="post"
    ),
    # on the approved event: the invited 东华大学 sees it but may not act (403), the others do not see it (404)
    "api:event-cancel": Access(
        api_rule(404, bank_cib=200, admin=200, inst_dhu=403),
        kwargs=APPROVED,
        method="post",
        data={"reason": "场地调整"},
    ),
    "api:event-finish": Access(
        api_rule(404, bank_cib=409, admin=409, inst_dhu=403), kwargs=APPROVED, method="post"
    ),
    "api:event-proposed-invitees": Access(
        api_rule(404, bank_cib=200, admin=200, inst_dhu=403), kwargs=APPROVED
    ),
    # no organization named: the organizer gets 400, the invited one 403 before any input is read
    "api:event-invitations": Access(
        api_rule(404, bank_cib=400, admin=400, inst_dhu=403), kwargs=APPROVED, method="post"
    ),
    "api:event-registrations": Access(api_rule(404, **dict.fromkeys(SEES_APPROVED, 200)), kwargs=APPROVED),
    "api:event-meetings": Access(api_rule(404, **dict.fromkeys(SEES_APPROVED, 200)), kwargs=APPROVED),
    "api:event-schedule": Access(
        api_rule(404, bank_cib=409, admin=409, inst_dhu=403), kwargs=APPROVED, method="post"
    ),
    "api:event-calendar-file": Access(api_rule(404, **dict.fromkeys(SEES_APPROVED, 200)), kwargs=APPROVED),
    "api:meeting-detail": Access(api_rule(404, **dict.fromkeys((*SIDES, *ORGANIZER), 200)), kwargs=_meeting),
    "api:meeting-accept": Access(
        api_rule(404, inst_dhu=200, county_jinjiang=403, bank_cib=403, admin=403),
        kwargs=_meeting,
        method="post",
    ),
    "api:meeting-decline": Access(
        api_rule(404, inst_dhu=200, county_jinjiang=403, bank_cib=403, admin=403),
        kwargs=_meeting,
        method="post",
    ),
    "api:meeting-cancel": Access(
        api_rule(404, **dict.fromkeys((*SIDES, *ORGANIZER), 200)), kwargs=_meeting, method="post"
    ),
    # a requested meeting: the sides get 409 (not held yet), the organizer 403 (no side)
    "api:meeting-outcome": Access(
        api_rule(404, county_jinjiang=409, inst_dhu=409, bank_cib=403, admin=403),
        kwargs=_meeting,
        method="post",
        data={"result": "follow_up"},
    ),
    "api:registration-detail": Access(
        api_rule(404, county_jinjiang=200, inst_dhu=200, bank_cib=200, admin=200), kwargs=_registration
    ),
    # the registration is approved already: 409 for the organizer, 403 for the rest who see it
    "api:registration-approve": Access(
        api_rule(404, county_jinjiang=403, inst_dhu=403, bank_cib=409, admin=409),
        kwargs=_registration,
        method="post",
    ),
    "api:registration-decline": Access(
        api_rule(404, county_jinjiang=403, inst_dhu=403, bank_cib=409, admin=409),
        kwargs=_registration,
        method="post",
    ),
    "api:registration-cancel": Access(
        api_rule(404, county_jinjiang=200, inst_dhu=403, bank_cib=200, admin=200),
        kwargs=_registration,
        method="post",
    ),
}
