"""Celery worker hooks: a heartbeat in the broker's Redis for readiness, and metrics on CELERY_METRICS_PORT.

Each worker (its main process) writes `{"at": unix time, "queues": [...]}` under its name into the Redis hash
`ops:celery-heartbeat` every HEALTH_HEARTBEAT_SECONDS and removes it on a warm shutdown; `/readyz` wants a
recent one for every queue, `/metrics` shows each worker's heartbeat age.
"""

import json
import logging
import threading
import time

from django.conf import settings

from ops.health import HEARTBEAT_KEY, _redis
from ops.metrics import counted_registry

logger = logging.getLogger(__name__)

_stop = threading.Event()


def _consumed_queues(consumer) -> list[str]:
    try:
        return sorted(q.name for q in consumer.task_consumer.queues)
    except AttributeError:
        return sorted(consumer.app.amqp.queues.consume_from)


def beat_once(name: str, queues: list[str]) -> None:
    """Write one heartbeat for worker `name`."""
    client = _redis()
    if client is not None:
        client.hset(HEARTBEAT_KEY, name, json.dumps({"at": time.time(), "queues": queues}))


def _beat_forever(name: str, queues: list[str]) -> None:
    while not _stop.is_set():
        try:
            beat_once(name, queues)
        except Exception:
            logger.warning("could not write the worker heartbeat", exc_info=True)
        _stop.wait(settings.HEALTH_HEARTBEAT_SECONDS)


def worker_ready(sender=None, **kwargs) -> None:
    """Start the heartbeat thread (and the metrics endpoint when CELERY_METRICS_PORT is set)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or sender is None:
        return
    name, queues = sender.hostname, _consumed_queues(sender)
    _stop.clear()
    threading.Thread(target=_beat_forever, args=(name, queues), name="ops-heartbeat", daemon=True).start()
    if settings.CELERY_METRICS_PORT:
        from prometheus_client import start_http_server

        start_http_server(
            settings.CELERY_METRICS_PORT, addr=settings.CELERY_METRICS_ADDR, registry=counted_registry()
        )


def worker_shutdown(sender=None, **kwargs) -> None:
    """Stop beating and remove this worker's heartbeat (a killed worker's simply grows old)."""
    _stop.set()

    client = _redis()
    if client is not None and sender is not None:
        try:
            client.hdel(HEARTBEAT_KEY, sender.hostname)
        except Exception:
            logger.warning("could not remove the worker heartbeat", exc_info=True)


def connect_signals() -> None:
    """Hook into the worker's start and stop (idempotent)."""
    from celery import signals

    signals.worker_ready.connect(worker_ready, dispatch_uid="ops-worker-ready", weak=False)
    signals.worker_shutdown.connect(worker_shutdown, dispatch_uid="ops-worker-shutdown", weak=False)
