"""`python manage.py loadtest`: the Locust scenario against a production-like stack on this machine.

    python manage.py loadtest --users 50 [--spawn-rate 3] --duration 60 [--orders 2000] [--json]

Builds a PostgreSQL database (migrations, reference data, personas with DEMO_PASSWORD, the demo orders and
`generate_demo_orders N`, then VACUUM ANALYZE for planner statistics), collects static files, and starts —
all on 127.0.0.1 only — a private `redis-server` (broker and cache; or `--redis-url`), a Celery worker and
beat (the worker at nice 10, `--worker-nice`, as docs/deployment.md advises on a shared machine), and gunicorn
(DEBUG off, HTTPS with a throwaway certificate so the secure session cookies work; keep-alive 75 s, like the
TLS proxy it stands in for). It waits until the matching of the seeded data has settled: no order pending
and none matched for two sweep intervals (the synthetic matches of `generate_demo_orders` predate the
catalog, so the sweeper first re-matches every open demo order, ~40 s of worker time for 2000 orders). Then
it runs `locust` headless (`tests/load/locustfile.py`) in two phases:

- warm-up: the users are spawned at `--spawn-rate` and each logs in through the login form (production
  password hashing, deliberately slow), then waits. The default rate (SPAWN_RATE) stays within what this
  machine's cores hash (`manage.py bench_login`: ~3.7 logins per second per core), so logins are not queued
  behind each other; a higher rate measures the login queue, not the site; it ends when the last user has logged in (at most
  `--warmup-timeout` seconds);
- measured: the statistics are reset and every user, starting at a random point of one think time (1–3 s),
  browses and acts for `--duration` seconds.

It prints requests, requests/s, p50/p95/p99, max and error rate per endpoint and per kind: `page`, `api`
(lists) and `action` (posts) from the measured phase, `login` (the login page and the login post) from the
warm-up, on their own lines and not counted in the page/API goals; errors of both phases count against the
zero-error goal. Then it waits for the backlog of matching to drain and reports how long that took and the
slowest time-to-match of the orders placed during the run, the CPU of each part of the stack over the measured
phase (`devtools.loadtest.CpuWatch`: gunicorn, PostgreSQL, Celery, Locust, Redis, the machine's busy cores, web CPU
per request) and the machine's speed (`calibrate`: PBKDF2 CPU ms), so that runs on machines of different speed or
load can be compared. Everything it started is stopped at the end; the
database is kept for inspection (re-created next run, or reused with `--reuse-db` and the DEMO_PASSWORD it
was built with); `--keep` keeps the run folder (logs, Locust CSVs, `requests.csv` with one line per request).

The personas are shared by many simulated users, so the per-user API throttles are raised for the run
(`THROTTLE_USER`, `THROTTLE_ORDER_CREATE`), and so is the per-address login throttle (`THROTTLE_LOGIN`: every
simulated user logs in from 127.0.0.1); login otherwise stays as in production (slow password hashing).
"""

import json
import os
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from devtools.loadtest import (
    GOALS,
    KINDS,
    LOGIN_PATH,
    CpuWatch,
    MatchWatch,
    Stack,
    calibrate,
    endpoint_kind,
    figures,
    free_port,
)

# Users spawned (so logins) per second by default. One login costs ~270 ms of CPU (PBKDF2, 1,000,000
# iterations; `manage.py bench_login`), ~3.7 per second per core: 3 per second keeps the warm-up's logins on
# about one of two cores, leaving the other to the database and Locust, so they are served, not queued.
SPAWN_RATE = 3.0


class Command(BaseCommand):
    """Run the Locust scenario against gunicorn + PostgreSQL + Redis + Celery on this machine."""

    help = "压测：在本机启动 gunicorn、PostgreSQL 数据库、Redis、Celery，运行 Locust 场景并按接口报告吞吐与延迟。"

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50, help="并发用户数（默认 50）")
        parser.add_argument(
            "--spawn-rate",
            type=float,
            default=SPAWN_RATE,
            help=f"每秒新增（登录）用户数（默认 {SPAWN_RATE}：低于本机登录容量，见 bench_login）",
        )
        parser.add_argument(
            "--duration", type=int, default=60, help="计量阶段时长（秒；全部用户登录完成后开始）"
        )
        parser.add_argument(
            "--warmup-timeout", type=int, default=300, help="预热阶段（全部用户登录）最长秒数"
        )
        parser.add_argument(
            "--orders", type=int, default=2000, help="预先生成的示例需求数（generate_demo_orders）"
        )
        parser.add_argument(
            "--workers", type=int, default=0, help="gunicorn 进程数（默认同 gunicorn.conf.py：每核 2 个）"
        )
        parser.add_argument(
            "--threads", type=int, default=0, help="每个 gunicorn 进程的线程数（默认同 gunicorn.conf.py）"
        )
        parser.add_argument("--celery-concurrency", type=int, default=2, help="Celery worker 并发数")
        parser.add_argument(
            "--worker-nice", type=int, default=10, help="Celery worker 的 nice 值（0：与 Web 进程同优先级）"
        )
        parser.add_argument(
            "--postgres", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL 服务器"
        )
        parser.add_argument("--database", default="silian_loadtest", help="压测用数据库名（每次重建）")
        parser.add_argument(
            "--reuse-db",
            action="store_true",
            help="数据库已准备好时跳过重建与填充（须用建库时的 DEMO_PASSWORD）",
        )
        parser.add_argument("--redis-url", default="", help="使用已有 Redis（默认启动一个私有 redis-server）")
        parser.add_argument("--drain-timeout", type=int, default=180, help="等待匹配积压清空的最长秒数")
        parser.add_argument(
            "--keep", action="store_true", help="保留运行目录（日志、CSV、逐个请求的 requests.csv）"
        )
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **opts):
        if not opts["postgres"].startswith(("postgres://", "postgresql://")):
            raise CommandError("--postgres must be a PostgreSQL URL.")
        for binary in ("openssl", *(() if opts["redis_url"] else ("redis-server",))):
            if not shutil.which(binary):
                raise CommandError(f"{binary} is not installed.")
        if opts["reuse_db"] and not os.environ.get("DEMO_PASSWORD"):
            raise CommandError(
                "--reuse-db needs DEMO_PASSWORD: the demo password the database was built with."
            )
        run_dir = Path(tempfile.mkdtemp(prefix="silian-loadtest-"))
        try:
            with ExitStack() as cleanup:
                report = self.run_load(run_dir, cleanup, opts)
        finally:
            if not opts["keep"]:
                shutil.rmtree(run_dir, ignore_errors=True)
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.print_report(report)
        if not report["goals"]["met"]:
            sys.exit(1)

    # ---- the run -------------------------------------------------------------------------------------
    def note(self, opts, text: str) -> None:
        if not opts["json"]:
            self.stderr.write(text)

    def run_load(self, run_dir: Path, cleanup: ExitStack, opts) -> dict:
        database_url = f"{opts['postgres'].rstrip('/')}/{opts['database']}"
        port = free_port()
        host = f"https://127.0.0.1:{port}"
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(16)
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "STATIC_ROOT": str(run_dir / "static"),
            "MEDIA_ROOT": str(run_dir / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "DEMO_PASSWORD": password,
            "THROTTLE_USER": "1000000/hour",
            "THROTTLE_ORDER_CREATE": "1000000/hour",
            # Every simulated user logs in from 127.0.0.1: one address, far above a real office's logins.
            "THROTTLE_LOGIN": "1000000/min",
            "MATCH_SWEEP_SECONDS": "5",
            "MATCH_SWEEP_GRACE": "15",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        stack = Stack(run_dir, env)
        cleanup.callback(stack.stop)
        python = sys.executable
        manage = [python, "manage.py"]

        redis_url = opts["redis_url"]
        if not redis_url:
            redis_port = free_port()
            stack.start(
                "redis",
                [
                    "redis-server",
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
            )
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        env["REDIS_URL"] = redis_url

        started = time.monotonic()
        if not opts["reuse_db"]:
            self.note(opts, f"准备数据库 {opts['database']} …")
            self.recreate_database(opts["postgres"], opts["database"])
            # Seeding runs its tasks in-process, with the development tools that hold the seeding commands
            # (the site itself then runs without them, as in production).
            stack.env = {**env, "REDIS_URL": "", "DEVTOOLS": "1"}
            stack.run("migrate", [*manage, "migrate", "--noinput"])
            stack.run("load_reference_data", [*manage, "load_reference_data"])
            stack.run("seed_demo", [*manage, "seed_demo"])
            stack.run("seed_demo_orders", [*manage, "seed_demo_orders"])
            if opts["orders"]:
                stack.run("generate_demo_orders", [*manage, "generate_demo_orders", str(opts["orders"])])
            stack.env = env
        else:
            # seed_demo only creates missing personas: the existing ones keep the password the database was
            # built with, which DEMO_PASSWORD must give (checked in handle). Lockouts of earlier runs go.
            stack.env = {**env, "DEVTOOLS": "1"}
            stack.run("seed_demo", [*manage, "seed_demo"])
            stack.env = env
            stack.run("axes_reset", [*manage, "axes_reset"])
        self.analyze(database_url)
        self.note(opts, "收集静态文件 …")
        stack.run("collectstatic", [*manage, "collectstatic", "--noinput"])
        openssl = [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ]
        keys = ["-keyout", str(run_dir / "key.pem"), "-out", str(run_dir / "cert.pem")]
        subprocess.run([*openssl, *keys], check=True, capture_output=True)  # noqa: S603
        setup_seconds = time.monotonic() - started

        self.note(opts, "启动 Celery 与 gunicorn …")
        worker_opts = [f"--concurrency={opts['celery_concurrency']}", "--without-gossip", "--without-mingle"]
        # Below the web processes in CPU priority, as docs/deployment.md advises where they share a machine:
        # a burst of tasks (publishing five orders fans out into matching, notifications, e-mails) then waits for
        # idle CPU instead of taking it from page requests.
        nice = ["nice", "-n", str(opts["worker_nice"])] if opts["worker_nice"] else []
        stack.start(
            "worker",
            [*nice, python, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", *worker_opts],
            LOG_LEVEL="INFO",
        )
        stack.start(
            "beat",
            [python, "-m", "celery", "-A", "config", "beat", f"--schedule={run_dir / 'beat-schedule'}"],
        )
        gunicorn = stack.start(
            "gunicorn",
            [python, "-m", "gunicorn", "--config", str(settings.BASE_DIR / "gunicorn.conf.py")],
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(opts["workers"] or 2 * len(os.sched_getaffinity(0))),
            **({"GUNICORN_THREADS": str(opts["threads"])} if opts["threads"] else {}),
            GUNICORN_CERTFILE=str(run_dir / "cert.pem"),
            GUNICORN_KEYFILE=str(run_dir / "key.pem"),
            # gunicorn stands in for the TLS proxy here, whose browser connections stay open (nginx: 75 s): with
            # gunicorn's 5 s every user waiting for the last login reconnected at once, a TLS handshake each.
            GUNICORN_KEEPALIVE="75",
        )
        self.wait_for_site(host, gunicorn, stack)
        self.wait_for(lambda: " ready." in stack.log("worker"), 90, "the Celery worker", stack, "worker")

        watch = MatchWatch(database_url)
        cleanup.callback(watch.conn.close)
        self.note(opts, f"等待预置数据的匹配完成（积压 {watch.backlog()} 条，另有清扫补做的过期匹配）…")
        pre_started = time.monotonic()
        quiet = 2 * int(env["MATCH_SWEEP_SECONDS"])
        self.wait_for(
            lambda: watch.backlog() == 0 and watch.recently_matched(quiet) == 0,
            opts["drain_timeout"],
            "the initial match backlog",
            stack,
            "worker",
        )
        pre_drain = time.monotonic() - pre_started

        self.note(
            opts,
            f"Locust：{opts['users']} 个用户先登录（预热），再计量 {opts['duration']} 秒，{host} …",
        )
        calibration_ms = calibrate()
        watch.since = time.time()
        watch.start()
        cpu = CpuWatch()
        cpu.start()
        locust_started = time.monotonic()
        locustfile = str(settings.BASE_DIR / "tests" / "load" / "locustfile.py")
        phases_file = run_dir / "locust-phases.json"
        # The locustfile ends the run `duration` seconds after the last login; --run-time only caps it.
        cap = opts["warmup_timeout"] + opts["duration"]
        users = ["-u", str(opts["users"]), "-r", str(opts["spawn_rate"]), "-t", f"{cap}s"]
        output = [
            "--csv",
            str(run_dir / "locust"),
            "--only-summary",
            "--stop-timeout",
            "10",
            "--loglevel",
            "WARNING",
        ]
        locust = subprocess.run(  # noqa: S603
            [python, "-m", "locust", "-f", locustfile, "--headless", *users, "--host", host, *output],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DEMO_PASSWORD": password,
                "LOADTEST_STATS_FILE": str(phases_file),
                "LOADTEST_MEASURE_SECONDS": str(opts["duration"]),
                **({"LOADTEST_REQUEST_LOG": str(run_dir / "requests.csv")} if opts["keep"] else {}),
            },
            capture_output=True,
            text=True,
            timeout=cap + 120,
        )
        (run_dir / "locust.log").write_text(locust.stdout + locust.stderr)
        cpu.running = False
        stopped = time.monotonic()
        backlog_at_stop = watch.backlog()
        self.wait_for(
            lambda: watch.backlog() == 0, opts["drain_timeout"], "the match backlog", stack, "worker"
        )
        drain_seconds = time.monotonic() - stopped
        watch.poll()
        watch.running = False
        times = watch.times_to_match()
        phases = json.loads(phases_file.read_text()) if phases_file.exists() else None
        if not phases or not phases["warmup"]["endpoints"]:
            raise CommandError(
                f"Locust wrote no statistics:\n{locust.stdout[-3000:]}\n{locust.stderr[-3000:]}"
            )
        if phases["measured"] is None:
            raise CommandError(
                f"only {phases['users_logged_in']} of {opts['users']} users had logged in after "
                f"{opts['warmup_timeout']} s (--warmup-timeout); nothing was measured:\n{locust.stderr[-3000:]}"
            )
        endpoints, kinds = self.read_stats(phases)
        measured = phases["measured"]
        requests = next(e["requests"] for e in endpoints if e["kind"] == "total")
        cpu_figures = cpu.window(measured["started"], measured["started"] + measured["seconds"], requests)
        return self.build_report(
            opts,
            endpoints,
            kinds,
            times,
            {
                "setup_seconds": round(setup_seconds, 1),
                "initial_backlog_seconds": round(pre_drain, 1),
                "locust_seconds": round(stopped - locust_started, 1),
                "warmup_seconds": phases["warmup"]["seconds"],
                "measured_seconds": phases["measured"]["seconds"],
                "errors": phases["warmup"]["errors"] + phases["measured"]["errors"],
                "backlog_at_stop": backlog_at_stop,
                "drain_seconds": round(drain_seconds, 1),
                "server_errors_logged": stack.log("gunicorn").count("Traceback"),
                "run_dir": str(run_dir) if opts["keep"] else "",
                "host": host,
                "calibration_ms": calibration_ms,
                "cpu": cpu_figures,
            },
        )

    def analyze(self, database_url: str) -> None:
        """Planner statistics for the freshly loaded tables, as after any bulk load: until autovacuum gets to
        them (never, on a server running with autovacuum off) PostgreSQL plans as if they were nearly empty."""
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")

    def recreate_database(self, server: str, name: str) -> None:
        with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def wait_for(self, predicate, timeout: float, what: str, stack: Stack, log: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise CommandError(f"timed out waiting for {what}:\n{stack.log(log)[-3000:]}")
            time.sleep(0.5)

    def wait_for_site(self, host: str, proc, stack: Stack) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # our own throwaway certificate on the loopback address

        def up():
            if proc.poll() is not None:
                raise CommandError(f"gunicorn exited:\n{stack.log('gunicorn')[-3000:]}")
            try:
                url = f"{host}/accounts/login/"  # https on the loopback address only
                with urllib.request.urlopen(url, context=context, timeout=5) as response:  # noqa: S310
                    return response.status == 200
            except OSError:
                return False

        self.wait_for(up, 90, "gunicorn", stack, "gunicorn")

    # ---- the report ----------------------------------------------------------------------------------
    def read_stats(self, phases: dict) -> tuple[list[dict], dict[str, dict]]:
        """Per endpoint and per kind: logins from the warm-up, everything else from the measured phase.

        The warm-up holds only logins (users wait for the last login before browsing); should anything else
        appear there it is left out, as it was measured under the login load."""
        warmup, measured = phases["warmup"], phases["measured"]
        rows = [
            (e, "login", warmup["seconds"]) for e in warmup["endpoints"] if e["name"].startswith(LOGIN_PATH)
        ]
        rows += [
            (e, endpoint_kind(e["name"], e["method"]), measured["seconds"]) for e in measured["endpoints"]
        ]
        endpoints = [figures(e["name"], e["method"], kind, [e], seconds) for e, kind, seconds in rows]
        kinds = {}
        for kind in KINDS:
            members = [e for e, k, _ in rows if k == kind]
            seconds = warmup["seconds"] if kind == "login" else measured["seconds"]
            if members:
                kinds[kind] = figures(kind, "", kind, members, seconds)
        measured_rows = [e for e, k, _ in rows if k != "login"]
        endpoints.append(figures("Aggregated", "", "total", measured_rows, measured["seconds"]))
        return endpoints, kinds

    def build_report(self, opts, endpoints, kinds, times, run) -> dict:
        matched = [t for t in times.values() if t is not None]
        missing = [pk for pk, t in times.items() if t is None]
        slow_pages = [e["name"] for e in endpoints if e["kind"] == "page" and e["p95"] > GOALS["page_p95_ms"]]
        slow_api = [e["name"] for e in endpoints if e["kind"] == "api" and e["p95"] > GOALS["api_p95_ms"]]
        slow_actions = [
            e["name"] for e in endpoints if e["kind"] == "action" and e["p95"] > GOALS["action_p95_ms"]
        ]
        failures = sum(e["failures"] for e in endpoints if e["kind"] != "total")  # logins included
        max_match = max(matched) if matched else 0.0
        goals = {
            "pages_p95_under_300ms": not slow_pages,
            "api_lists_p95_under_200ms": not slow_api,
            "actions_p95_under_300ms": not slow_actions,
            "zero_errors": failures == 0 and run["server_errors_logged"] == 0,
            "orders_matched_within_10s": not missing and max_match <= GOALS["match_seconds"],
            "backlog_drained": True,
        }
        return {
            "users": opts["users"],
            "duration": opts["duration"],
            "endpoints": endpoints,
            "kinds": kinds,
            "orders_placed": len(times),
            "orders_unmatched": missing,
            "time_to_match_max_s": round(max_match, 2),
            "time_to_match_p50_s": round(sorted(matched)[len(matched) // 2], 2) if matched else None,
            "slow_pages": slow_pages,
            "slow_api": slow_api,
            "slow_actions": slow_actions,
            "run": run,
            "goals": {**goals, "met": all(goals.values())},
        }

    def print_report(self, report) -> None:
        out = self.stdout.write
        run = report["run"]
        out(
            f"\nLocust: {report['users']} users against {run['host']}: warm-up (every user logs in) "
            f"{run['warmup_seconds']} s, then measured {run['measured_seconds']} s"
        )
        header = (
            f"{'kind':<6} {'reqs':>6} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>6} {'err%':>6}"
        )
        out(f"{'endpoint':<44} {header}")
        order = {kind: i for i, kind in enumerate((*KINDS, "total"))}
        for e in sorted(report["endpoints"], key=lambda e: (order[e["kind"]], e["name"], e["method"])):
            name = f"{e['method']} {e['name']}" if e["kind"] != "total" else "TOTAL (measured phase)"
            out(f"{name[:44]:<44} {self.row(e)}")
        out("\nper kind (logins: warm-up phase, not in the page/API goals; the rest: measured phase)")
        out(f"{'':<44} {header}")
        for kind, e in report["kinds"].items():
            out(f"{kind:<44} {self.row(e)}")
        out("\n(latencies in ms)")
        for error in run["errors"]:
            out(f"error: {error['occurrences']} × {error['method']} {error['name']}: {error['error'][:200]}")
        out(
            f"orders placed during the run: {report['orders_placed']}, time to match max "
            f"{report['time_to_match_max_s']} s, median {report['time_to_match_p50_s']} s, "
            f"unmatched {len(report['orders_unmatched'])}"
        )
        out(
            f"match backlog at stop: {run['backlog_at_stop']}, drained in {run['drain_seconds']} s; "
            f"server tracebacks: {run['server_errors_logged']}; setup {run['setup_seconds']} s"
        )
        out(
            f"machine speed: PBKDF2-SHA256 x 200,000 = {run['calibration_ms']} ms CPU "
            "(lower is faster; compare runs on different machines by it)"
        )
        cpu = run.get("cpu")
        if cpu:
            groups = ", ".join(f"{group} {pct} %" for group, pct in cpu["percent_of_a_core"].items())
            out(
                f"CPU in the measured phase ({cpu['seconds']} s, % of one core): {groups}; the {cpu['cores']} cores "
                f"{cpu['machine_busy_percent']} % busy; web CPU per request {cpu['web_cpu_ms_per_request']} ms"
            )
        for goal, met in report["goals"].items():
            if goal != "met":
                out(f"  [{'OK' if met else 'MISSED'}] {goal}")
        slow = report["slow_pages"] + report["slow_api"] + report["slow_actions"]
        if slow:
            out(f"  slow: {', '.join(slow)}")

    @staticmethod
    def row(e: dict) -> str:
        return (
            f"{e['kind']:<6} {e['requests']:>6} {e['rps']:>7.2f} {e['p50']:>6.0f} {e['p95']:>6.0f} "
            f"{e['p99']:>6.0f} {e['max']:>6.0f} {e['error_pct']:>6.2f}"
        )
