"""CPU time, wall time and SQL per request kind of the load test's browsing mix, in-process (Django test client).

    python manage.py bench_pages [--runs 30] [--warmup 3] [--only matched] [--profile-dir DIR] [--explain]

Replays the GET endpoints of `tests/load/locustfile.py` as the persona who requests them (force_login, so no
password hashing) and prints per endpoint the CPU milliseconds of this process (`time.process_time`: the
middleware, views, ORM and templates, without the database server's own work) as median and p95, the wall
milliseconds (median), the number of SQL queries and their summed wall time. CPU time is robust on a busy
machine where wall time is not; the first line is a baseline (the login page, anonymous) measured in the same
run. Run it on a database built like the load test's (`migrate`, `load_reference_data`, `seed_demo`,
`seed_demo_orders`, `generate_demo_orders 2000`, `VACUUM ANALYZE`); with `REDIS_URL` set the caches are Redis, as
in the load test.

`--profile-dir DIR` writes a cProfile file per endpoint (`<slug>.prof`, over the timed runs); `--explain`
prints EXPLAIN ANALYZE of the slowest query of the five endpoints with the most CPU time.
"""

import cProfile
import re
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.models import User
from matchmaking.models import Order


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank) of the samples."""
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered) + 0.5) - 1)]


class QueryTimer:
    """A connection.execute_wrapper counting the queries of a request and summing their wall time."""

    def __init__(self):
        self.count, self.seconds, self.slowest = 0, 0.0, (0.0, "", None)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.count += 1
            self.seconds += spent
            if spent > self.slowest[0]:
                self.slowest = (spent, sql, params)


# (label, persona, path): the GET endpoints of the locust mix; "{order}" is an order the persona may read.
ENDPOINTS = [
    ("baseline: login page (anonymous)", None, "/accounts/login/"),
    ("home /", "county_jinjiang", "/"),
    ("home / (provider)", "bank_cib", "/"),
    ("/orders/inbox/", "county_jinjiang", "/orders/inbox/"),
    ("/orders/inbox/ (provider)", "bank_cib", "/orders/inbox/"),
    ("/api/v1/notifications/", "county_jinjiang", "/api/v1/notifications/"),
    ("/api/v1/notifications/ (provider)", "bank_cib", "/api/v1/notifications/"),
    ("/orders/county/", "county_jinjiang", "/orders/county/"),
    ("/api/v1/orders/ (county)", "county_jinjiang", "/api/v1/orders/"),
    ("/orders/[id]/ (county)", "county_jinjiang", "/orders/{order}/"),
    ("/dashboards/ (county)", "county_jinjiang", "/dashboards/"),
    ("/orders/new/", "county_jinjiang", "/orders/new/"),
    ("/orders/moderation/", "admin", "/orders/moderation/"),
    ("/api/v1/orders/?state=submitted (admin)", "admin", "/api/v1/orders/?state=submitted"),
    ("/dashboards/province/ (admin)", "admin", "/dashboards/province/"),
    ("/orders/queue/", "body_kjt", "/orders/queue/"),
    ("/orders/taken/", "body_kjt", "/orders/taken/"),
    ("/api/v1/orders/?state=published (body)", "body_kjt", "/api/v1/orders/?state=published"),
    ("/orders/[id]/ (body)", "body_kjt", "/orders/{order}/"),
    ("/orders/open/", "bank_cib", "/orders/open/"),
    ("/orders/matched/", "bank_cib", "/orders/matched/"),
    ("/orders/matched/ (institution)", "inst_dhu", "/orders/matched/"),
    ("/orders/responses/", "bank_cib", "/orders/responses/"),
    ("/api/v1/orders/?state=published (provider)", "bank_cib", "/api/v1/orders/?state=published"),
    ("/orders/[id]/ (provider)", "bank_cib", "/orders/{order}/"),
]


def slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "root"


class Command(BaseCommand):
    help = "测量压测场景中各 GET 接口的服务端 CPU 时间、耗时与 SQL 查询（进程内，按角色登录）。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30, help="每个接口计时的请求次数")
        parser.add_argument("--warmup", type=int, default=3, help="计时前的预热请求次数")
        parser.add_argument("--only", default="", help="只测标签中含此文字的接口")
        parser.add_argument("--profile-dir", default="", help="把每个接口的 cProfile 结果写入此目录")
        parser.add_argument(
            "--explain", action="store_true", help="对 CPU 最高的五个接口的最慢查询运行 EXPLAIN"
        )

    def handle(self, *args, runs, warmup, only, profile_dir, explain, **options):
        if runs < 1:
            raise CommandError("--runs 必须大于 0。")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        clients: dict[str | None, Client] = {None: Client()}
        orders: dict[str, int] = {}
        for _label, who, _path in ENDPOINTS:
            if who is None or who in clients:
                continue
            user = User.objects.filter(username=who).first()
            if user is None:
                raise CommandError(f"缺少演示账号 {who}：请先运行 seed_demo。")
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[who] = client
            order = Order.objects.visible_to(user).filter(is_sample=False).order_by("-pk").first()
            order = order or Order.objects.visible_to(user).order_by("-pk").first()
            if order is not None:
                orders[who] = order.pk
        if profile_dir:
            Path(profile_dir).mkdir(parents=True, exist_ok=True)
        self.stdout.write(
            f"database: {connection.vendor}; orders: {Order.objects.count()}; runs: {runs}, warm-up: {warmup}; "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        header = (
            f"{'endpoint':<46} {'cpu med':>8} {'cpu p95':>8} {'wall med':>9} {'queries':>8} {'sql ms':>7}"
        )
        self.stdout.write(header)
        selected = []
        for label, who, path in ENDPOINTS:
            if only and only not in label:
                continue
            if "{order}" in path:
                if who not in orders:
                    continue
                path = path.format(order=orders[who])
            selected.append((label, clients[who], path))
        for _ in range(warmup):
            for _label, client, path in selected:
                self._get(client, path)
        # Round robin: each run requests every endpoint once, so a busy spell of the machine spreads over all.
        samples = {label: ([], [], []) for label, _client, _path in selected}
        profilers = {label: cProfile.Profile() for label, _client, _path in selected} if profile_dir else {}
        for _ in range(runs):
            for label, client, path in selected:
                cpu, wall, timers = samples[label]
                timer = QueryTimer()
                profiler = profilers.get(label)
                with connection.execute_wrapper(timer):
                    if profiler:
                        profiler.enable()
                    cpu0, wall0 = time.process_time(), time.perf_counter()
                    self._get(client, path)
                    cpu.append((time.process_time() - cpu0) * 1000)
                    wall.append((time.perf_counter() - wall0) * 1000)
                    if profiler:
                        profiler.disable()
                timers.append(timer)
        results = []
        for label, _client, _path in selected:
            cpu, wall, timers = samples[label]
            if label in profilers:
                profilers[label].dump_stats(str(Path(profile_dir) / f"{slug(label)}.prof"))
            queries = statistics.median(t.count for t in timers)
            sql_ms = statistics.median(t.seconds * 1000 for t in timers)
            results.append((statistics.median(cpu), label, max(timers, key=lambda t: t.slowest[0]).slowest))
            self.stdout.write(
                f"{label:<46} {statistics.median(cpu):>8.1f} {p95(cpu):>8.1f} {statistics.median(wall):>9.1f} "
                f"{queries:>8.0f} {sql_ms:>7.1f}"
            )
        mean = statistics.fmean(
            statistics.median(samples[label][0]) for label, _c, _p in selected[1:] or selected
        )
        self.stdout.write(f"{'mean of the endpoint medians (no baseline)':<46} {mean:>8.1f}")
        if explain:
            for cpu_ms, label, (seconds, sql, params) in sorted(results, reverse=True)[:5]:
                if not sql:
                    continue
                self.stdout.write(
                    f"\n== {label} (cpu {cpu_ms:.1f} ms): slowest query {seconds * 1000:.1f} ms"
                )
                self.stdout.write(sql[:2000])
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                        self.stdout.write("\n".join(row[0] for row in cursor.fetchall()))

    def _get(self, client, path):
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path} 返回 {response.status_code}")
        return response
