"""Liveness (/healthz) and readiness (/readyz) for load balancers and orchestrators (django-health-check).

- `/healthz`: the process answers; touches nothing else (a load balancer must not take every web host out of
  service because the database blinked).
- `/readyz`: the database answers, the caches work, the broker answers and a Celery worker sent a heartbeat
  in the last HEALTH_CELERY_MAX_AGE seconds (only when a broker is configured: without one tasks run
  in-process), and no migration is left to apply. 200 when all pass, 503 otherwise. Each check with its
  result and time is shown only to allowed addresses (OPS_ALLOWED_IPS) or with OPS_TOKEN; others get the
  status alone.
"""

import dataclasses
import json
import time

from celery import current_app
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.backends import HealthCheck
from health_check.cache.backends import CacheBackend
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from ops.access import may_read_operations

HEARTBEAT_KEY = "ops:celery-heartbeat"


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration of the code is applied to the database (a new release must migrate first)."""

    alias: str = DEFAULT_DB_ALIAS

    def check_status(self):
        if time.monotonic() < _migrations_ok_until.get(self.alias, 0):
            return  # loading the migration graph costs ~0.1 s of CPU: a success is trusted for a minute
        try:
            executor = MigrationExecutor(connections[self.alias])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable(f"database not reachable: {exc}") from exc
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migrations to apply")
        _migrations_ok_until[self.alias] = time.monotonic() + MIGRATIONS_OK_SECONDS


MIGRATIONS_OK_SECONDS = 60
_migrations_ok_until: dict[str, float] = {}


@dataclasses.dataclass
class Cache(CacheBackend):
    """django-health-check's cache round trip; any backend error (a database-table cache too) is a failure."""

    def check_status(self):
        try:
            super().check_status()
        except ServiceUnavailable:
            raise
        except Exception as exc:
            raise ServiceUnavailable(f"cache {self.alias!r} not usable: {exc}") from exc


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (skipped when tasks run in-process)."""

    def check_status(self):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # kombu raises the transport's own errors
            raise ServiceUnavailable(f"broker not reachable: {exc}") from exc


def worker_heartbeats() -> dict[str, dict]:
    """Worker name → its last heartbeat ({"at": unix time, "queues": [...]}) from the broker's Redis."""
    client = _redis()
    if client is None:
        return {}
    beats = {}
    for name, raw in client.hgetall(HEARTBEAT_KEY).items():
        try:
            beats[name.decode()] = json.loads(raw)
        except ValueError:
            continue
    return beats


def _redis():
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return None
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


@dataclasses.dataclass
class CeleryHeartbeat(HealthCheck):
    """A worker consuming each queue sent a heartbeat recently (skipped when tasks run in-process)."""

    def check_status(self):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return
        try:
            beats = worker_heartbeats()
        except Exception as exc:
            raise ServiceUnavailable(f"heartbeats unreadable: {exc}") from exc
        now = time.time()
        fresh = {name: beat for name, beat in beats.items() if now - beat.get("at", 0) <= self.max_age}
        if not fresh:
            raise ServiceUnavailable(f"no Celery worker heartbeat in the last {self.max_age} s")
        served = {queue for beat in fresh.values() for queue in beat.get("queues", [])}
        missing = sorted(q.name for q in settings.CELERY_TASK_QUEUES if q.name not in served)
        if missing:
            raise ServiceUnavailable(f"no worker with a recent heartbeat consumes {', '.join(missing)}")

    @property
    def max_age(self) -> int:
        return settings.HEALTH_CELERY_MAX_AGE


# Short names shown in the JSON, in order.
READINESS_CHECKS = {
    "database": "health_check.Database",
    "cache": ("ops.health.Cache", {"alias": "default", "cache_key": None}),
    "shared_cache": ("ops.health.Cache", {"alias": "shared", "cache_key": None}),
    "broker": "ops.health.Broker",
    "celery": "ops.health.CeleryHeartbeat",
    "migrations": "ops.health.Migrations",
}


class ReadinessView(HealthCheckView):
    """Runs the checks one after another (no threads: each keeps its own database connection tidy)."""

    checks = list(READINESS_CHECKS.values())
    use_threading = False

    def get(self, request, *args, **kwargs):
        started = time.perf_counter()
        self.check()
        results = {}
        for name, plugin in zip(READINESS_CHECKS, self.plugins.values(), strict=True):
            skipped = name in {"broker", "celery"} and settings.CELERY_TASK_ALWAYS_EAGER
            results[name] = {
                "status": "error" if plugin.errors else ("skipped" if skipped else "ok"),
                "ms": round(getattr(plugin, "time_taken", 0.0) * 1000, 1),
                **({"error": plugin.pretty_status()} if plugin.errors else {}),
            }
        ready = not any(r["status"] == "error" for r in results.values())
        body = {"status": "ok" if ready else "error"}
        if may_read_operations(request):
            body["checks"] = results
            body["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return JsonResponse(body, status=200 if ready else 503)


@never_cache
def healthz(request):
    """Liveness: the process is up and serving requests."""
    return JsonResponse({"status": "ok"})


readyz = never_cache(ReadinessView.as_view())
