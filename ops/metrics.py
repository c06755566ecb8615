"""Prometheus metrics (/metrics): requests and database (django-prometheus), Celery tasks, matching, orders.

Counted where they happen (prometheus-client): every request and database query (django-prometheus
middleware and database wrapper), every Celery task by name and outcome with its run time, match latency
(the ranking task's run time and the wait from the order's last change to its matches) and match failures.
Read at scrape time from the database and the broker: orders by state and by matching state, the length of
each Celery queue, the age of each worker's last heartbeat.

Several processes (gunicorn workers, Celery pool processes): set PROMETHEUS_MULTIPROC_DIR to an empty folder
shared by the processes of one host before they start; /metrics then sums them. Celery workers on hosts
without a web process export their own numbers on CELERY_METRICS_PORT (see docs/deployment.md).
"""

import logging
import os
import time

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from matchmaking.models import Order
from ops.access import may_read_operations
from ops.health import _redis, worker_heartbeats

logger = logging.getLogger(__name__)

PREFIX = "silian"
MATCH_TASK = "matchmaking.tasks.matching.match_order"
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)

CELERY_TASKS = Counter(
    f"{PREFIX}_celery_tasks", "Celery tasks finished, by task name and outcome", ["task", "outcome"]
)
CELERY_TASK_SECONDS = Histogram(
    f"{PREFIX}_celery_task_seconds", "Run time of Celery tasks", ["task"], buckets=LATENCY_BUCKETS
)
MATCH_SECONDS = Histogram(
    f"{PREFIX}_match_seconds",
    "Run time of one order's matching (ranking and storing)",
    buckets=LATENCY_BUCKETS,
)
MATCH_WAIT_SECONDS = Histogram(
    f"{PREFIX}_match_wait_seconds",
    "From an order's last matching-relevant change to its stored matches",
    buckets=LATENCY_BUCKETS,
)
MATCH_FAILURES = Counter(f"{PREFIX}_match_failures", "Orders whose matching failed for good (after retries)")


class ScrapeTimeCollector:
    """Gauges read when Prometheus scrapes: orders by state and matching state, queue lengths, heartbeats."""

    def collect(self):
        from django.db.models import Count

        orders = GaugeMetricFamily(f"{PREFIX}_orders", "Orders by workflow state", labels=["state"])
        for row in Order.objects.order_by().values("state").annotate(n=Count("pk")):
            orders.add_metric([row["state"]], row["n"])
        yield orders
        matching = GaugeMetricFamily(
            f"{PREFIX}_orders_match_state", "Orders by matching state", labels=["match_state"]
        )
        for row in Order.objects.order_by().values("match_state").annotate(n=Count("pk")):
            matching.add_metric([row["match_state"]], row["n"])
        yield matching
        yield from self._broker()

    def _broker(self):
        client = _redis()
        if client is None:
            return
        queues = GaugeMetricFamily(
            f"{PREFIX}_celery_queue_length", "Messages waiting in each Celery queue", labels=["queue"]
        )
        beats = GaugeMetricFamily(
            f"{PREFIX}_celery_worker_heartbeat_age_seconds",
            "Seconds since each Celery worker's last heartbeat",
            labels=["worker"],
        )
        try:
            for queue in settings.CELERY_TASK_QUEUES:
                queues.add_metric([queue.name], client.llen(queue.name))
            now = time.time()
            for name, beat in worker_heartbeats().items():
                beats.add_metric([name], round(now - beat.get("at", 0), 1))
        except Exception:  # a scrape must not fail because the broker is down: readiness says so
            logger.warning("metrics: the broker is not reachable", exc_info=True)
            return
        yield queues
        yield beats


_SCRAPE_REGISTRY = CollectorRegistry(auto_describe=False)
_SCRAPE_REGISTRY.register(ScrapeTimeCollector())


def counted_registry():
    """This process's counters, or with PROMETHEUS_MULTIPROC_DIR the sum over the host's processes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_view(request):
    """Prometheus text format for allowed addresses (OPS_ALLOWED_IPS) or OPS_TOKEN; 404 for everyone else."""
    if not may_read_operations(request):
        from django.http import Http404

        raise Http404
    body = generate_latest(counted_registry()) + generate_latest(_SCRAPE_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


# --- Celery signals (connected by OpsConfig.ready in every process: web with in-process tasks, workers) ---

_started: dict[str, float] = {}


def task_started(task_id=None, **kwargs) -> None:
    """Remember when a task started (per process; a task runs in one process)."""
    if task_id:
        _started[task_id] = time.perf_counter()


def task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    """Count the task and its run time; for matching also its latency and the wait since the order changed."""
    started = _started.pop(task_id, None)
    name = getattr(task, "name", "unknown")
    outcome = (state or "unknown").lower()
    CELERY_TASKS.labels(name, outcome).inc()
    if started is None:
        return
    elapsed = time.perf_counter() - started
    CELERY_TASK_SECONDS.labels(name).observe(elapsed)
    if name == MATCH_TASK and state == "SUCCESS":
        MATCH_SECONDS.observe(elapsed)
        _observe_wait(kwargs.get("args") or (), kwargs.get("kwargs") or {})


def _observe_wait(args, kwargs) -> None:
    order_id = args[0] if args else kwargs.get("order_id")
    row = Order.objects.filter(pk=order_id).values_list("match_inputs_at", "matched_at").first()
    if row and row[0] and row[1] and row[1] >= row[0]:
        MATCH_WAIT_SECONDS.observe((row[1] - row[0]).total_seconds())


def task_failed(sender=None, **kwargs) -> None:
    """A matching task that failed for good (its retries exhausted or a non-transient error)."""
    if getattr(sender, "name", "") == MATCH_TASK:
        MATCH_FAILURES.inc()


def connect_signals() -> None:
    """Hook the counters into Celery's task signals (idempotent)."""
    from celery import signals

    signals.task_prerun.connect(task_started, dispatch_uid="ops-metrics-prerun", weak=False)
    signals.task_postrun.connect(task_finished, dispatch_uid="ops-metrics-postrun", weak=False)
    signals.task_failure.connect(task_failed, dispatch_uid="ops-metrics-failure", weak=False)
