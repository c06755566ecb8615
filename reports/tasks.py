"""Celery task of the reports: write a large order list to MEDIA_ROOT/exports/<uuid>.xlsx."""

from celery import shared_task
from django.db import DatabaseError

from reports import exports


@shared_task(bind=True, autoretry_for=(OSError, DatabaseError), retry_backoff=True, max_retries=3)
def export_orders_job(self, job_id: str) -> int:
    """Write the recorded export (idempotent); mark it failed after the last retry; return its row count."""
    try:
        return exports.run_order_export(job_id).get("rows", 0)
    except (OSError, DatabaseError) as exc:
        if self.request.retries >= self.max_retries:
            exports.fail_order_export(job_id, str(exc))
        raise
