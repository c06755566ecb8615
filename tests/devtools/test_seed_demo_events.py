"""The demo events command: two past events with held meetings and outcomes, one upcoming with requests (示例)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Event, Meeting, MeetingOutcome, Registration
from events.report import build

pytestmark = pytest.mark.django_db


def test_seed_demo_events(personas):
    call_command("seed_demo_orders")
    call_command("seed_demo_events")
    events = list(Event.objects.order_by("starts_at"))
    assert len(events) == 3 and all(e.is_sample and "示例" in e.title for e in events)
    past, upcoming = (
        [e for e in events if e.ends_at < timezone.now()],
        [e for e in events if e.starts_at > timezone.now()],
    )
    assert len(past) == 2 and len(upcoming) == 1
    for event in past:
        figures = build(event)
        assert event.state == "finished" and figures.meetings_held >= 2 and figures.agreements >= 1
        assert figures.attendance >= 2
    soon = upcoming[0]
    assert soon.state == "published"
    states = set(Meeting.objects.filter(event=soon).values_list("state", flat=True))
    assert {"requested", "scheduled"} <= states
    assert Meeting.objects.filter(event=soon, order__isnull=False).exists()
    assert not Registration.objects.filter(is_sample=False).exists()
    assert not MeetingOutcome.objects.filter(is_sample=False).exists()
    call_command("seed_demo_events")
    assert Event.objects.count() == 3
