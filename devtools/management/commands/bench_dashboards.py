"""Time each dashboard's server-side rendering (in-process, Django test client) over repeated runs.

    python manage.py bench_dashboards [--runs 15] [--warmup 2]

    python manage.py bench_dashboards --no-cache   # every request recomputes the aggregates

Prints, per page, the median and 95th percentile of the full request time (middleware, views, queries,
templates) next to a baseline page in the same run, and the number of orders counted. Uses the demo
personas of `seed_demo` (admin, city_quanzhou, county_jinjiang, body_kjt).
"""

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from chains.models import County, Prefecture
from matchmaking.models import Order


def p95(samples: list[float]) -> float:
    """The 95th percentile (nearest rank) of the samples."""
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered) + 0.5) - 1)]


class Command(BaseCommand):
    help = "测量各数据看板的服务端耗时（中位数与 P95），并与同一轮中的基准页面对比。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15, help="每个页面计时的请求次数（≥10）")
        parser.add_argument("--warmup", type=int, default=2, help="计时前的预热请求次数")
        parser.add_argument(
            "--no-cache",
            action="store_true",
            help="关闭看板缓存（DASHBOARD_CACHE_SECONDS=0），每次都重新计算",
        )

    def handle(self, *args, runs, warmup, no_cache, **options):
        if runs < 1:
            raise CommandError("--runs 必须大于 0。")
        if no_cache:
            settings.DASHBOARD_CACHE_SECONDS = 0
        cache_seconds = int(getattr(settings, "DASHBOARD_CACHE_SECONDS", 60))
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        users = {
            name: User.objects.filter(username=name).first()
            for name in ("admin", "city_quanzhou", "county_jinjiang", "body_kjt")
        }
        missing = [name for name, user in users.items() if user is None]
        if missing:
            raise CommandError(f"缺少演示账号 {', '.join(missing)}：请先运行 seed_demo。")
        quanzhou = Prefecture.objects.get(name="泉州市")
        jinjiang = County.objects.get(name="晋江市")
        pages = [
            ("baseline: dashboards index", "admin", reverse("dashboards:index")),
            ("province (admin)", "admin", reverse("dashboards:province")),
            ("province (body 省科技厅)", "body_kjt", reverse("dashboards:province")),
            ("province, filtered (kind=capital)", "admin", reverse("dashboards:province") + "?kind=capital"),
            ("city 泉州市 (city)", "city_quanzhou", reverse("dashboards:city", args=[quanzhou.pk])),
            ("county 晋江市 (county)", "county_jinjiang", reverse("dashboards:county", args=[jinjiang.pk])),
            (
                "chain map 纺织鞋服 (admin)",
                "admin",
                reverse("dashboards:chain_map", args=["textile-apparel"]),
            ),
            (
                "chain map 纺织鞋服 · 晋江市 (county)",
                "county_jinjiang",
                reverse("dashboards:chain_map", args=["textile-apparel"]) + f"?county={jinjiang.pk}",
            ),
        ]
        clients = {}
        for name, user in users.items():
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[name] = client
        vendor = connection.vendor
        self.stdout.write(
            f"database: {vendor}; orders: {Order.objects.count()} (示例 {Order.objects.filter(is_sample=True).count()}); "
            f"runs: {runs}, warm-up: {warmup}; dashboard cache: {cache_seconds or 'off'} s"
        )
        self.stdout.write(f"{'page':<40} {'median ms':>10} {'p95 ms':>10} {'max ms':>10} {'queries':>8}")
        for label, who, url in pages:
            client = clients[who]
            for _ in range(warmup):
                self._get(client, url)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                self._get(client, url)
                samples.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                self._get(client, url)
            queries = len(ctx.captured_queries)
            self.stdout.write(
                f"{label:<40} {statistics.median(samples):>10.1f} {p95(samples):>10.1f} {max(samples):>10.1f} {queries:>8}"
            )

    def _get(self, client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} 返回 {response.status_code}")
        return response
