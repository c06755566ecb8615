"""Tasks of the profiles app (named through core.dispatch, never imported by services)."""

from celery import shared_task

from matchmaking.matching import open_orders
from matchmaking.tasks.matching import enqueue_rematch


@shared_task(acks_late=True, retry_backoff=True, max_retries=5, autoretry_for=(OSError,))
def rematch_orders(order_ids: list[int]) -> int:
    """Re-match the given orders that are still open (idempotent: each takes its lease; closed ones are skipped)."""
    ids = list(open_orders().filter(pk__in=order_ids).values_list("pk", flat=True))
    for pk in ids:
        enqueue_rematch(pk)
    return len(ids)
