"""Celery tasks of events (periodic, idempotent; the rules live in `events.services`)."""

from celery import shared_task
from django.db import OperationalError

from events import services

TRANSIENT = (OperationalError,)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def send_event_reminders() -> int:
    """Remind participants a day and an hour before their events start (each reminder once; safe to re-run)."""
    return services.send_due_reminders()


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def finish_past_events() -> int:
    """Mark published events whose end has passed as finished (safe to re-run)."""
    return services.finish_past_events()
