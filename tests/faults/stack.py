"""The production-like stack for the fault tests: a private Redis, real Celery worker/beat processes, the
test PostgreSQL database shared with them, and the test process publishing to the real broker.

Every test gets its own `redis-server` on a free loopback port (never the machine's shared Redis), so it can
stop, kill, restart or flush it freely. Skipped when PostgreSQL, `redis-server` or Celery is unavailable,
unless `REQUIRE_SERVICES=1` (then the test fails).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

REQUIRED = os.environ.get("REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60
BROKER_TRANSPORT = "core.redisbroker:Transport"  # config.settings with REDIS_URL


def unavailable(reason: str):
    """Skip (or fail under REQUIRE_SERVICES=1) because a service the test needs is missing."""
    if REQUIRED:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def require_stack() -> None:
    """PostgreSQL as the test database (the worker must see committed rows) and a redis-server binary."""
    if connection.vendor != "postgresql":
        unavailable("the worker must share the test database: set DATABASE_URL to PostgreSQL")
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed")


def database_url(name: str | None = None) -> str:
    """The URL of pytest's test database (or another database `name` on the same server), for subprocesses."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "postgres")
    auth = f"{user}:{quote(s['PASSWORD'])}@" if s.get("PASSWORD") else f"{user}@"
    return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name or s['NAME']}"


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll `predicate()` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """A private, non-persistent `redis-server` on a free loopback port that a test may stop and restart."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> "RedisServer":
        """Start the server and wait until it answers PING."""
        import redis

        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def up():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_until(up, 10, what=f"redis-server on port {self.port}")
        return self

    def stop(self, sig=signal.SIGTERM) -> None:
        """Stop it (SIGKILL loses everything it held, as a crash would)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        self.proc = None

    def client(self):
        """A redis-py client on the server."""
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def queued_ids(self, queue: str = "celery") -> set[str]:
        """Task ids of the messages waiting in the queue."""
        import json

        return {json.loads(raw)["headers"]["id"] for raw in self.client().lrange(queue, 0, -1)}

    def queued(self, queue: str = "celery") -> int:
        """Messages waiting in a Celery queue."""
        return self.client().llen(queue)


class CeleryProcess:
    """A `celery -A config worker|beat` subprocess on the test database and the private Redis."""

    def __init__(self, role: str, redis_url: str, extra_env: dict | None = None, args: tuple = ()):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "DEBUG": "1",
            "DB_CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.worker",
                "-A",
                "config",
                role,
                "--loglevel=INFO",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())

    def text(self) -> str:
        """Everything it printed so far."""
        return "\n".join(self.lines)

    def wait_for(self, needle: str, timeout: float = START_TIMEOUT, count: int = 1) -> None:
        """Until `needle` appears `count` times in its output (fails early if the process died)."""

        def seen():
            if self.proc.poll() is not None and self.text().count(needle) < count:
                raise AssertionError(f"celery exited ({self.proc.returncode}):\n{self.log()}")
            return self.text().count(needle) >= count

        try:
            wait_until(seen, timeout, what=f"{needle!r} in the celery output")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.log()}") from None

    def children(self) -> list[int]:
        """Process ids of its pool processes (prefork children)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_group(self) -> None:
        """SIGKILL the main process and every pool process at once (an OOM kill or a power cut)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL if it lingers."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)

    def log(self, last: int = 80) -> str:
        """The tail of its output, for assertion messages."""
        return "\n".join(self.lines[-last:])


def worker(redis_url: str, concurrency: int = 1, **env) -> CeleryProcess:
    """A prefork worker (real child processes, so a child can be killed mid-task)."""
    return CeleryProcess(
        "worker",
        redis_url,
        {k: str(v) for k, v in env.items()},
        ("--pool=prefork", f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"),
    )


def beat(redis_url: str, schedule_file: Path, **env) -> CeleryProcess:
    """Celery beat with the sweeper every MATCH_SWEEP_SECONDS (the tests use one or two seconds)."""
    return CeleryProcess(
        "beat", redis_url, {k: str(v) for k, v in env.items()}, (f"--schedule={schedule_file}",)
    )


def _reset_pools(app) -> None:
    """Forget every broker connection (the app's pool and kombu's global producer pools)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@contextmanager
def real_broker(redis_url: str):
    """The test process's Celery app publishes to `redis_url` (not eagerly) inside the block."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport, app.conf.task_always_eager)
    app.conf.broker_url = redis_url
    app.conf.broker_transport = BROKER_TRANSPORT  # as the settings choose with REDIS_URL set
    app.conf.task_always_eager = False
    _reset_pools(app)
    try:
        yield app
    finally:
        _reset_pools(app)
        app.conf.broker_url, app.conf.broker_transport, app.conf.task_always_eager = saved
