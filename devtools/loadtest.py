"""The load test's machinery: its processes (`Stack`), the time-to-match watcher and Locust's figures per endpoint.

Used by `manage.py loadtest` (devtools/management/commands/loadtest.py), which documents the run.
"""

import os
import signal
import socket
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import CommandError

GOALS = {
    "page_p95_ms": 300,
    "api_p95_ms": 200,
    "action_p95_ms": 300,
    "error_rate": 0.0,
    "match_seconds": 10.0,
}
KINDS = ("page", "api", "action", "login")
LOGIN_PATH = "/accounts/login/"
OPEN_STATES = ("submitted", "returned", "published", "claimed", "docking")


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def endpoint_kind(name: str, method: str) -> str:
    """page / api / action / login: which goal (if any) an endpoint is measured against."""
    if name.startswith(LOGIN_PATH):
        return "login"
    if method != "GET" or name.endswith("[POST]"):
        return "action"
    return "api" if name.startswith("/api/") else "page"


def percentile(histogram: dict[int, int], requests: int, percent: float) -> int:
    """Locust's percentile over its rounded response-time buckets (same result as its CSV columns)."""
    wanted = int(requests * percent)
    seen = 0
    for ms in sorted(histogram, reverse=True):
        seen += histogram[ms]
        if requests - seen <= wanted:
            return ms
    return 0


def figures(name: str, method: str, kind: str, rows: list[dict], seconds: float) -> dict:
    """Requests, req/s, p50/p95/p99 and error % of one endpoint or of several merged (their histograms summed)."""
    histogram: dict[int, int] = {}
    for row in rows:
        for ms, count in row["histogram"].items():
            histogram[int(ms)] = histogram.get(int(ms), 0) + count
    count = sum(row["requests"] for row in rows)
    failures = sum(row["failures"] for row in rows)
    timed = sum(histogram.values())
    return {
        "method": method,
        "name": name,
        "kind": kind,
        "requests": count,
        "failures": failures,
        "rps": round(count / seconds, 2) if seconds else 0.0,
        "p50": percentile(histogram, timed, 0.50),
        "p95": percentile(histogram, timed, 0.95),
        "p99": percentile(histogram, timed, 0.99),
        "max": max((row["max_ms"] for row in rows), default=0),
        "error_pct": round(100 * failures / count, 2) if count else 0.0,
    }


class Stack:
    """The processes of one run, each in its own process group with its output in the run folder."""

    def __init__(self, run_dir: Path, env: dict):
        self.run_dir, self.env, self.procs = run_dir, env, []

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        log = open(self.run_dir / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # noqa: S603 - our own fixed command lines
            args,
            cwd=settings.BASE_DIR,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log_file = log
        self.procs.append((name, proc))
        return proc

    def run(self, name: str, args: list[str], timeout: float = 900) -> None:
        """Run one setup step to completion (its output goes to the run folder)."""
        with open(self.run_dir / f"{name}.log", "w") as log:
            done = subprocess.run(  # noqa: S603 - our own fixed command lines
                args,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        if done.returncode:
            raise CommandError(f"{name} failed; see {self.run_dir / f'{name}.log'}")

    def log(self, name: str) -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM every process group, SIGKILL what is left after 20 s."""
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            proc.log_file.close()


class MatchWatch(threading.Thread):
    """Polls the database: when each order submitted since `since` was first seen matched, and the backlog."""

    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.conn = psycopg.connect(database_url, autocommit=True)
        self.since = None
        self.first_done: dict[int, float] = {}
        self.submitted: dict[int, float] = {}
        self.running = True

    def backlog(self) -> int:
        """Open orders whose matches are not done (pending, running or failed)."""
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM matchmaking_order WHERE state = ANY(%s) AND match_state <> 'done'",
                (list(OPEN_STATES),),
            )
            return cur.fetchone()[0]

    def recently_matched(self, seconds: int) -> int:
        """Orders matched in the last `seconds` (the sweeper re-matching stale orders leaves no backlog)."""
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM matchmaking_order WHERE matched_at > now() - make_interval(secs => %s)",
                (seconds,),
            )
            return cur.fetchone()[0]

    def poll(self) -> None:
        if self.since is None:
            return
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT id, extract(epoch FROM submitted_at), match_state FROM matchmaking_order "
                "WHERE submitted_at >= to_timestamp(%s)",
                (self.since,),
            )
            now = time.time()
            for pk, submitted, state in cur.fetchall():
                self.submitted[pk] = float(submitted)
                if state == "done" and pk not in self.first_done:
                    self.first_done[pk] = now

    def run(self):
        while self.running:
            self.poll()
            time.sleep(0.25)

    def times_to_match(self) -> dict[int, float | None]:
        """Seconds from submission to first seen matched (None: not matched yet)."""
        return {
            pk: (self.first_done[pk] - at if pk in self.first_done else None)
            for pk, at in self.submitted.items()
        }
