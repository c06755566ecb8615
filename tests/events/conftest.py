"""Event fixtures: a published event with meeting slots, organized by 兴业银行, and helpers to fill it."""

import datetime

import pytest
from django.utils import timezone

# orders to tie meetings to, walked through matchmaking's own services
from tests.matchmaking.conftest import drive, make_order, order_data  # noqa: F401


def event_data(**overrides):
    """Valid input for `create_event`: an event tomorrow with 4 slots of 20 minutes at 3 tables."""
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    data = {
        "title": "晋江纺织鞋服产融对接会",
        "kind": "finance",
        "order_kinds": [],
        "place": "晋江市会展中心",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=4),
        "registration_deadline": start - datetime.timedelta(hours=2),
        "capacity": 50,
        "agenda": "14:00 开场；14:30 一对一洽谈",
        "meetings_start": start + datetime.timedelta(minutes=30),
        "slot_minutes": 20,
        "slot_count": 4,
        "table_count": 3,
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_event(bank_cib, platform_admin):
    """`make_event(by=..., publish=True, **overrides)`: an event through the services, published by default."""
    from events import services

    def make(by=None, publish=True, targets=None, **overrides):
        event = services.create_event(by=by or bank_cib, data={**event_data(**overrides), **(targets or {})})
        if publish:
            services.submit_event(event, by=by or bank_cib)
            services.approve_event(event, by=platform_admin)
            services.publish_event(event, by=by or bank_cib)
            event.refresh_from_db()
        return event

    return make


@pytest.fixture
def event(make_event):
    """A published event organized by 兴业银行 (bank_cib)."""
    return make_event()


@pytest.fixture
def registered(event, county_jinjiang, inst_dhu, firm_demo):
    """The event with 晋江市, 东华大学 and the demo firm registered (approved): {username: Registration}."""
    from events import services

    return {u.username: services.register(event, by=u) for u in (county_jinjiang, inst_dhu, firm_demo)}


@pytest.fixture
def api():
    """`api(user)` → an APIClient authenticated as the user; `api(None)` → anonymous."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def scheduled(event, registered, county_jinjiang, inst_dhu, firm_demo, bank_cib):
    """The event with two accepted, scheduled meetings (county ↔ 东华大学, firm ↔ 东华大学) and one request."""
    from events import services

    dhu = registered["inst_dhu"]
    first = services.request_meeting(event, by=county_jinjiang, invitee=dhu, message="面料攻关")
    services.accept_meeting(first, by=inst_dhu)
    second = services.request_meeting(event, by=firm_demo, invitee=dhu)
    services.accept_meeting(second, by=inst_dhu)
    pending = services.request_meeting(event, by=firm_demo, invitee=registered["county_jinjiang"])
    services.schedule_event(event, by=bank_cib)
    for m in (first, second, pending):
        m.refresh_from_db()
    return {"first": first, "second": second, "pending": pending}


@pytest.fixture
def no_org_user(db):
    """An authenticated user with no organization: sees nothing, may do nothing."""
    from accounts.models import User

    return User.objects.create_user("drifter_ev", email="drifter_ev@example.com", password="x")
