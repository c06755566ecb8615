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


# The process groups whose CPU the load test reports (first match of the command line wins).
CPU_GROUPS = (
    ("gunicorn", "gunicorn"),
    ("worker", "celery -A config worker"),
    ("beat", "celery -A config beat"),
    ("locust", "-m locust"),
    ("redis", "redis-server"),
    ("postgres", "postgres"),
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_group(cmdline: str) -> str:
    """The reported group of a process by its command line ("other" for the rest of the machine)."""
    return next((group for group, needle in CPU_GROUPS if needle in cmdline), "other")


def cpu_snapshot() -> tuple[float, dict[tuple[str, str], float], list[int]] | None:
    """(time, CPU seconds used so far per group of the processes alive now, the machine's /proc/stat "cpu"
    line); None where there is no /proc (the report then has no CPU figures)."""
    if not Path("/proc/stat").exists():
        return None
    used: dict[tuple[str, str], float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            cmdline = (
                Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue  # the process ended meanwhile
        fields = stat[stat.rfind(")") + 2 :].split()
        group = cpu_group(cmdline or stat[stat.find("(") + 1 : stat.rfind(")")])
        used[(group, entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime
    with open("/proc/stat") as handle:
        machine = [int(v) for v in handle.readline().split()[1:]]
    return time.time(), used, machine


def cpu_between(first, last, requests: int, cores: int) -> dict | None:
    """CPU per group over the window between two snapshots (percent of one core), the machine's busy percent of
    all cores and the web processes' CPU milliseconds per request. Processes that ended inside the window are
    missed (gunicorn recycles a worker after ~5,000 requests: rare within a minute)."""
    if first is None or last is None or last[0] <= first[0]:
        return None
    seconds = last[0] - first[0]
    groups: dict[str, float] = {}
    for key, spent in last[1].items():
        groups[key[0]] = groups.get(key[0], 0.0) + spent - first[1].get(key, 0.0)
    delta = [b - a for a, b in zip(first[2], last[2], strict=False)]
    total = sum(delta) or 1
    idle = delta[3] + (delta[4] if len(delta) > 4 else 0)  # idle + iowait
    web = groups.get("gunicorn", 0.0)
    return {
        "seconds": round(seconds, 1),
        "cores": cores,
        "percent_of_a_core": {
            group: round(100 * groups.get(group, 0.0) / seconds, 1)
            for group, _ in (*CPU_GROUPS, ("other", ""))
        },
        "machine_busy_percent": round(100 * (total - idle) / total, 1),
        "web_cpu_ms_per_request": round(1000 * web / requests, 1) if requests else None,
    }


class CpuWatch(threading.Thread):
    """Snapshots the CPU of the stack's processes every second, so the measured phase's window (known only
    when Locust ends) can be cut out afterwards."""

    def __init__(self, interval: float = 1.0):
        super().__init__(daemon=True)
        self.interval, self.snapshots, self.running = interval, [], True

    def run(self):
        while self.running:
            snap = cpu_snapshot()
            if snap is None:
                return
            self.snapshots.append(snap)
            time.sleep(self.interval)

    def window(self, start: float, end: float, requests: int) -> dict | None:
        """`cpu_between` the snapshots nearest inside [start, end]."""
        inside = [s for s in self.snapshots if start <= s[0] <= end]
        if len(inside) < 2:
            return None
        return cpu_between(inside[0], inside[-1], requests, os.cpu_count() or 1)


def calibrate(iterations: int = 200_000, runs: int = 5) -> float:
    """This machine's speed at the moment: median CPU milliseconds of one PBKDF2-SHA256 of `iterations`
    (the password hash's primitive), so runs on different or busy machines can be compared."""
    import hashlib
    import statistics

    samples = []
    for _ in range(runs):
        started = time.process_time()
        hashlib.pbkdf2_hmac("sha256", b"loadtest", b"calibration", iterations)
        samples.append(1000 * (time.process_time() - started))
    return round(statistics.median(samples), 1)
