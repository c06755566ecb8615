"""/healthz, /readyz and /metrics: healthy, database down, broker down, heartbeats, access, metric names."""

import shutil
import time

import pytest
from django.db import OperationalError, connection

from ops import health
from ops.worker import beat_once
from tests.faults import stack

pytestmark = pytest.mark.django_db

ALLOWED = {"REMOTE_ADDR": "127.0.0.1"}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture(autouse=True)
def _fresh_migration_check():
    health._migrations_ok_until.clear()


@pytest.fixture
def private_redis():
    """A private redis-server for the broker (skipped without the binary unless REQUIRE_SERVICES=1)."""
    if not shutil.which("redis-server"):
        stack.unavailable("redis-server is not installed")
    server = stack.RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def broker(settings):
    """Point the settings and the Celery app at a broker URL: `broker(url)` (restored afterwards)."""
    contexts = []

    def use(url):
        context = stack.real_broker(url)  # first: it saves the app's settings before they change
        context.__enter__()
        contexts.append(context)
        settings.REDIS_URL = url
        settings.CELERY_TASK_ALWAYS_EAGER = False

    yield use
    for context in reversed(contexts):
        context.__exit__(None, None, None)
    from config.celery import app

    assert app.conf.task_always_eager  # nothing leaks into later tests


def test_liveness_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", **OUTSIDE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_with_each_check_for_an_allowed_address(client):
    response = client.get("/readyz", **ALLOWED)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "shared_cache": "ok",
        "broker": "skipped",  # no broker configured: tasks run in-process
        "celery": "skipped",
        "migrations": "ok",
    }
    assert all(isinstance(check["ms"], float) for check in body["checks"].values())


def test_readiness_details_only_for_allowed_addresses_or_the_token(client, settings):
    settings.OPS_TOKEN = "monitoring-token-123"
    assert client.get("/readyz", **OUTSIDE).json() == {"status": "ok"}
    assert client.get("/metrics", **OUTSIDE).status_code == 404
    with_token = client.get("/readyz", HTTP_AUTHORIZATION="Bearer monitoring-token-123", **OUTSIDE).json()
    assert "database" in with_token["checks"]
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **OUTSIDE).status_code == 404
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer monitoring-token-123", **OUTSIDE).status_code == 200
    )
    settings.OPS_ALLOWED_IPS = ["203.0.113.0/24"]
    assert client.get("/metrics", **OUTSIDE).status_code == 200
    assert client.get("/metrics", **ALLOWED).status_code == 404


def test_database_down_is_not_ready(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    monkeypatch.setattr(connection, "ensure_connection", refuse)
    response = client.get("/readyz", **ALLOWED)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert response.json()["status"] == "error"
    assert checks["database"]["status"] == "error"
    assert "Connection refused" in checks["database"]["error"]
    assert checks["migrations"]["status"] == "error"
    assert checks["cache"]["status"] == "ok"
    # Liveness stays up: a database outage must not make the balancer drop every web host.
    assert client.get("/healthz").status_code == 200


def test_broker_down_is_not_ready(client, broker):
    broker(f"redis://127.0.0.1:{stack.free_port()}/0")  # nothing listens there
    response = client.get("/readyz", **ALLOWED)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "error"
    assert "broker not reachable" in checks["broker"]["error"]
    assert checks["celery"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


def test_ready_needs_a_recent_heartbeat_for_every_queue(client, broker, private_redis, settings):
    broker(private_redis.url)
    body = client.get("/readyz", **ALLOWED).json()
    assert body["checks"]["broker"]["status"] == "ok"
    assert "no Celery worker heartbeat" in body["checks"]["celery"]["error"]

    beat_once("celery@web-1", ["celery"])
    body = client.get("/readyz", **ALLOWED).json()
    assert "no worker with a recent heartbeat consumes rematch" in body["checks"]["celery"]["error"]

    beat_once("celery@bulk-1", ["rematch"])
    response = client.get("/readyz", **ALLOWED)
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["celery"]["status"] == "ok"

    settings.HEALTH_CELERY_MAX_AGE = 5
    import json

    import redis

    stale = json.dumps({"at": time.time() - 30, "queues": ["celery", "rematch"]})
    client_redis = redis.Redis.from_url(private_redis.url)
    client_redis.delete(health.HEARTBEAT_KEY)
    client_redis.hset(health.HEARTBEAT_KEY, "celery@old", stale)
    assert client.get("/readyz", **ALLOWED).status_code == 503

    # The queue depth and heartbeat ages are in the metrics too.
    client_redis.rpush("rematch", "m1", "m2")
    text = client.get("/metrics", **ALLOWED).content.decode()
    assert 'silian_celery_queue_length{queue="rematch"} 2.0' in text
    assert 'silian_celery_worker_heartbeat_age_seconds{worker="celery@old"}' in text


def test_metric_names(client, county_jinjiang):
    """A request, a matched order (tasks run in-process here) and the scrape-time gauges all show up."""
    from matchmaking import services
    from matchmaking.choices import OrderKind
    from tests.matchmaking.conftest import order_data

    client.get("/healthz")
    order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang, OrderKind.INNOVATION))
    services.submit_order(order, by=county_jinjiang)
    from matchmaking.tasks.matching import match_order

    assert match_order.apply(args=(order.pk,)).get() == "done"  # as a worker runs it: with the task signals

    text = client.get("/metrics", **ALLOWED).content.decode()
    for name in (
        "django_http_requests_total_by_method_total",
        "django_http_requests_latency_seconds_by_view_method_bucket",
        "django_http_responses_total_by_status_total",
        "django_db_execute_total",
        "django_db_query_duration_seconds_bucket",
        'silian_celery_tasks_total{outcome="success",task="matchmaking.tasks.matching.match_order"}',
        'silian_celery_task_seconds_bucket{le="0.01",task="matchmaking.tasks.matching.match_order"}',
        "silian_match_seconds_count",
        "silian_match_wait_seconds_count",
        "silian_match_failures_total",
        'silian_orders{state="submitted"} 1.0',
        'silian_orders_match_state{match_state="done"}',
    ):
        assert name in text, name
    assert text.count("# TYPE silian_orders gauge") == 1


def test_request_series_count_every_request(client, county_jinjiang):
    """The labelled request series (kept per process by config.middleware.PrometheusAfterMiddleware) go on
    counting: each request adds one to its status, view and method."""
    client.force_login(county_jinjiang, backend="django.contrib.auth.backends.ModelBackend")
    series = (
        "django_http_responses_total_by_status_view_method_total"
        '{method="GET",status="200",view="orders:inbox"} '
    )

    def count() -> float:
        text = client.get("/metrics", **ALLOWED).content.decode()
        line = next((line for line in text.splitlines() if line.startswith(series)), None)
        return float(line.rsplit(" ", 1)[1]) if line else 0.0

    before = count()
    for _ in range(3):
        assert client.get("/orders/inbox/").status_code == 200
    assert count() == before + 3
