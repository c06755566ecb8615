"""Celery tasks of the development index: thin, taking ids (years), idempotent, retried with backoff.

- `recompute_index(year)`: enqueued on commit when approved values, an import or the method change;
  recomputes the year with the current method version (nothing changes when inputs are as last time).
- `sweep_index()`: periodic (beat); enqueues every year whose stored computation is missing or older than
  its approved values or the method version, so a lost task is made good.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from devindex import services

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def recompute_index(self, year: int) -> int | None:
    """Compute one year's index; returns the number of ranked counties (None without a method)."""
    done = services.compute_year(int(year))
    return done.counties_ranked if done else None


@shared_task
def sweep_index() -> list[int]:
    """Enqueue the years whose computation is missing or stale; returns them."""
    years = services.years_to_recompute()
    for year in years:
        recompute_index.delay(year)
    return years
