"""Celery tasks of the chains app: background catalog imports."""

from celery import shared_task
from django.db import DatabaseError

from chains import imports


@shared_task(
    bind=True, acks_late=True, autoretry_for=(OSError, DatabaseError), retry_backoff=True, max_retries=3
)
def import_catalog_job(self, job_id: str) -> str:
    """Run a recorded background import (idempotent: a finished job is not run again); return its state."""
    try:
        return imports.run(job_id)["state"]
    except (OSError, DatabaseError) as exc:
        if self.request.retries >= self.max_retries:
            imports.fail(job_id, str(exc))
        raise
