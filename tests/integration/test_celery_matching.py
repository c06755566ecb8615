"""End to end with the real services: an order submitted through the service is matched by a Celery worker.

Needs PostgreSQL (the test database, which a second process can see once a transactional test commits)
and Redis (`CI_REDIS_URL`, default redis://127.0.0.1:6379/15 — flushed at start). Skipped when either is
unreachable, unless `REQUIRE_SERVICES=1` (then it fails).
"""

import os
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from matchmaking.choices import MatchState, OrderKind
from tests.faults import stack

REDIS_URL = os.environ.get("CI_REDIS_URL", "redis://127.0.0.1:6379/15")

WORKER_START_TIMEOUT = 60
MATCH_DEADLINE = 2.0


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        stack.unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    return client


class Worker:
    """A `celery -A config worker` subprocess on the test database and the test Redis."""

    def __init__(self, database_url: str):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "DEBUG": "1",
            "DB_CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=stack.ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def wait_ready(self):
        """Until the worker consumes and has built its index (it warms up when it starts)."""
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while time.monotonic() < deadline:
            text = "\n".join(self.lines)
            if " ready." in text and "matching index built" in text:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("the Celery worker did not start:\n" + "\n".join(self.lines[-40:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def log(self) -> str:
        return "\n".join(self.lines[-60:])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_submitted_order_is_matched_by_a_worker_within_two_seconds():
    if connection.vendor != "postgresql":
        stack.unavailable("the worker must share the test database: set DATABASE_URL to PostgreSQL")
    _redis().flushdb()
    from accounts.models import User
    from matchmaking import services
    from matchmaking.models import Match, Order
    from tests.matchmaking.conftest import order_data

    county_jinjiang = User.objects.select_related("organization").get(username="county_jinjiang")
    inst_dhu = User.objects.select_related("organization").get(username="inst_dhu")

    worker = Worker(stack.database_url())
    try:
        worker.wait_ready()
        order = services.create_order(
            by=county_jinjiang, data=order_data(county_jinjiang, OrderKind.INNOVATION)
        )
        started = time.monotonic()
        with stack.real_broker(REDIS_URL):
            services.submit_order(order, by=county_jinjiang)  # enqueues match_order to Redis on commit
        while time.monotonic() - started < MATCH_DEADLINE:
            order = Order.objects.get(pk=order.pk)
            if order.match_state == MatchState.DONE and Match.objects.filter(order=order).exists():
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        assert order.match_state == MatchState.DONE, f"not matched within {MATCH_DEADLINE}s:\n{worker.log()}"
        assert elapsed < MATCH_DEADLINE
        matches = list(Match.objects.filter(order=order).order_by("rank"))
        assert matches and matches[0].rank == 1 and all(m.reasons for m in matches)
        dhu = next(m for m in matches if m.resource_name == "东华大学")
        assert dhu.provider_org_id == inst_dhu.organization_id
        print(f"matched by the worker in {elapsed:.3f}s: {[m.resource_name for m in matches[:5]]}")
    finally:
        worker.stop()
