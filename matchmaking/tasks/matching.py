"""Celery tasks of the matching pipeline: match one order, sweep for missing/stale matches, re-score.

All tasks take ids, acknowledge late (a task lost with its worker runs again) and are idempotent; the
work itself lives in `matchmaking.matching`, which enqueues these tasks by name (`core.dispatch`), never
importing them.

- `match_order(order_id)`: ranks the order and replaces its Match rows atomically. Transient errors
  (database or network) are retried with exponential backoff; when retries run out, or on any other
  error, the order ends in `match_state=failed` with `match_error` (shown to administrators). If the
  order's inputs changed while it was being ranked, nothing is stored and the task is enqueued again.
- `sweep_matches()`: every few minutes (beat); re-enqueues open orders whose matches are missing,
  failed, stuck, older than their inputs or older than the catalog rows of their kind.
- `rescore_orders(scope)`: after a catalog change, re-enqueues the open orders it may affect.
  Both re-enqueue on the `MATCH_REMATCH_QUEUE` (see `enqueue_rematch`), apart from new orders.
- `notify_matched_providers(order_id)`: tells strongly matched providers (once each); the workflow
  enqueues it when an order is published.
"""

import logging

from celery import Task, shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections

from matchmaking import match_index, matching

logger = logging.getLogger(__name__)

# Errors worth retrying: the database or the network was briefly unavailable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class MatchOrderTask(Task):
    """Keeps the order's matching state visible: a retry note while retrying, `failed` at the end."""

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        order_id = args[0] if args else kwargs.get("order_id")
        if order_id is not None:
            attempt = self.request.retries + 1
            # hold the lease through the backoff so the sweeper does not start a second copy
            matching.take_lease(order_id, settings.MATCH_RUNNING_TIMEOUT + 60 * attempt)
            matching.note_retry(order_id, attempt, exc)
            logger.warning("match_order(%s) retry %s: %s", order_id, attempt, exc)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        order_id = args[0] if args else kwargs.get("order_id")
        if order_id is None:
            return
        try:
            matching.mark_failed(order_id, exc)
            matching.release_lease(order_id)
        except DatabaseError:
            logger.exception("could not mark order %s as failed", order_id)
        logger.error("match_order(%s) failed: %s", order_id, exc)


@shared_task(
    bind=True,
    base=MatchOrderTask,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def match_order(self, order_id: int) -> str:
    """Rank an order against the catalog and store its Match rows (idempotent; takes the order id)."""
    matching.take_lease(order_id)
    try:
        outcome = matching.match_and_store(order_id)
    except matching.StaleInputs:
        matching.release_lease(order_id)
        match_order.delay(order_id)
        return "stale"
    matching.release_lease(order_id)
    return outcome


def enqueue_rematch(order_id: int) -> None:
    """Queue a re-match on the bulk queue, holding the order's lease while it waits: the worker takes from the
    default and the bulk queue in turn, so sweeps keep running during a long re-match backlog and must not queue
    the same orders again each time (a lost message's lease runs out and the sweeper queues it again)."""
    matching.take_lease(order_id)
    match_order.apply_async((order_id,), queue=settings.MATCH_REMATCH_QUEUE)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def sweep_matches() -> dict:
    """Re-enqueue open orders whose matches are missing, failed, stuck or older than their inputs."""
    counts = matching.sweep(enqueue_rematch)
    if any(counts.values()):
        logger.info("sweep_matches: %s", counts)
    return counts


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def rescore_orders(scope: dict) -> int:
    """Re-enqueue the open orders a catalog change may affect: ``{kind: [chain type ids] | None}``."""
    ids = list(matching.orders_affected(scope).values_list("pk", flat=True))
    for pk in ids:
        enqueue_rematch(pk)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def notify_matched_providers(order_id: int) -> int:
    """Tell strongly matched providers about an order they can see (each member once per order)."""
    return matching.notify_strong_matches(order_id)


def _warm_index() -> None:
    """Get the index when a worker process starts, so the first order is not kept waiting: a prefork child finds
    the one its parent preloaded before forking (config.celery) and shares it, or builds its own if the catalog
    changed since."""

    try:
        match_index.get_index()
    except DatabaseError:
        logger.exception("matching index warm-up failed; it will be built by the first task")
    finally:
        close_old_connections()


@worker_process_init.connect(dispatch_uid="matching-warm-child")
def _warm_child(**kwargs) -> None:
    _warm_index()


@worker_ready.connect(dispatch_uid="matching-warm-solo")
def _warm_solo(sender=None, **kwargs) -> None:
    pool = getattr(sender, "pool", None)
    if pool is not None and "prefork" not in type(pool).__module__:
        _warm_index()  # solo/threads pools run tasks in this process; prefork children warm themselves


__all__ = ["match_order", "notify_matched_providers", "rescore_orders", "sweep_matches"]
