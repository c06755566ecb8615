"""Time the order lists (pages) and the orders API lists as the demo personas, over repeated runs.

    python manage.py bench_lists [--runs 15] [--warmup 2]

Prints, per list, the median and 95th percentile of the full request time (middleware, view, queries,
template or serializer) next to a baseline page in the same run, and the number of queries. Uses the demo
personas of `seed_demo`; meant for a database filled with `generate_demo_orders`.
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
from devtools.management.commands.bench_dashboards import p95
from matchmaking.models import Order

PERSONAS = ("admin", "city_quanzhou", "county_jinjiang", "body_kjt", "bank_cib")


def lists() -> list[tuple[str, str, str]]:
    """(label, persona, URL) of every timed list; the first is the baseline."""
    api = reverse("api:order-list")
    return [
        ("baseline: dashboards index", "admin", reverse("dashboards:index")),
        ("page 全部需求 (admin)", "admin", reverse("orders:list")),
        ("page 全部需求 p.50 (admin)", "admin", reverse("orders:list") + "?page=50"),
        ("page 全部需求 state=published (admin)", "admin", reverse("orders:list") + "?state=published"),
        ("page 待审核 (admin)", "admin", reverse("orders:moderation")),
        ("page 所辖县域 (city)", "city_quanzhou", reverse("orders:city")),
        ("page 我的需求 (county)", "county_jinjiang", reverse("orders:county")),
        ("page 待接单 (body)", "body_kjt", reverse("orders:queue")),
        ("page 本部门接单 (body)", "body_kjt", reverse("orders:taken")),
        ("page 可响应 (provider)", "bank_cib", reverse("orders:open")),
        ("api orders (admin)", "admin", api),
        ("api orders p.50 (admin)", "admin", api + "?page=50"),
        ("api orders state=published (admin)", "admin", api + "?state=published"),
        ("api orders (city)", "city_quanzhou", api),
        ("api orders (county)", "county_jinjiang", api),
        ("api orders (body)", "body_kjt", api),
        ("api orders (provider)", "bank_cib", api),
    ]


class Command(BaseCommand):
    help = "测量需求列表页面和需求 API 列表的服务端耗时（中位数与 P95），并与同一轮中的基准页面对比。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15, help="每个列表计时的请求次数（≥10）")
        parser.add_argument("--warmup", type=int, default=2, help="计时前的预热请求次数")

    def handle(self, *args, runs, warmup, **options):
        if runs < 1:
            raise CommandError("--runs 必须大于 0。")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        clients = {}
        for name in PERSONAS:
            user = User.objects.filter(username=name).first()
            if user is None:
                raise CommandError(f"缺少演示账号 {name}：请先运行 seed_demo。")
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            clients[name] = client
        self.stdout.write(
            f"database: {connection.vendor}; orders: {Order.objects.count()}; runs: {runs}, warm-up: {warmup}"
        )
        self.stdout.write(f"{'list':<40} {'median ms':>10} {'p95 ms':>10} {'cpu med ms':>10} {'queries':>8}")
        for label, who, url in lists():
            client = clients[who]
            for _ in range(warmup):
                self._get(client, url)
            wall, cpu = [], []
            for _ in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                self._get(client, url)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                self._get(client, url)
            self.stdout.write(
                f"{label:<40} {statistics.median(wall):>10.1f} {p95(wall):>10.1f} "
                f"{statistics.median(cpu):>10.1f} {len(ctx.captured_queries):>8}"
            )

    def _get(self, client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} 返回 {response.status_code}")
        return response
