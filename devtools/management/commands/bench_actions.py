"""CPU time and SQL per workflow action of the load test (create+submit, moderate, respond, claim), in-process.

    python manage.py bench_actions [--runs 20] [--warmup 2] [--profile-dir DIR]

Replays the form posts of `tests/load/locustfile.py` with the Django test client as the personas who make them
(force_login): per run the county opens the new-order form (GET /orders/new/) and submits a new order
(POST /orders/new/ with `submit`), the administrator publishes it (POST /orders/[id]/moderate/), a provider
responds (POST /orders/[id]/respond/) and the routed body claims it (POST /orders/[id]/claim/). It prints per
action the CPU milliseconds of this process (`time.process_time`) as median and p95, the wall median, the
number of SQL queries and their summed wall time, like `bench_pages`. It writes to the database (new orders,
responses, notifications): run it on a copy. The order-creation rate limit is reset before each post (outside
the timing). `--profile-dir DIR` writes a cProfile file per action over the timed runs.
"""

import cProfile
import datetime
import random
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.models import User
from chains.models import ProvincialBody
from devtools.management.commands.bench_pages import QueryTimer, p95, slug
from matchmaking.forms import OrderForm
from matchmaking.models import Order
from matchmaking.throttling import OrderCreationThrottle

# As in the locustfile: the kinds' own fields of a new order.
KIND_FIELDS = {
    "innovation": {"tech_field": "纺织材料", "expected_outcome": "形成可量产的工艺方案"},
    "capital": {"amount_yuan": "5000000", "financing_type": "loan"},
    "talent": {"headcount": "3", "talent_profile": "纺织工程高级工程师"},
    "industry": {"wanted_link": "upstream", "products": "再生涤纶长丝"},
}
RESPONSE = {
    "proposal": "我单位可提供相关技术团队与设备支持，建议先开展现场对接，两周内给出联合攻关方案。",
    "amount_yuan": "3000000",
    "rate_percent": "3.45",
    "term_months": "36",
    "experts": "纺织材料团队 3 人",
    "terms": "",
}
ACTIONS = (
    "GET /orders/new/",
    "POST /orders/new/ (create+submit)",
    "POST /orders/[id]/moderate/",
    "POST /orders/[id]/respond/",
    "POST /orders/[id]/claim/",
)
PERSONAS = ("county_jinjiang", "admin", "bank_cib", "body_kjt", "body_jrb", "body_gxt")


class Command(BaseCommand):
    help = "测量压测场景中各工作流操作（开单提交、审核、响应、接单）的服务端 CPU 时间与 SQL 查询（进程内）。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="计时的轮数（每轮每个操作一次）")
        parser.add_argument("--warmup", type=int, default=2, help="计时前的预热轮数")
        parser.add_argument("--profile-dir", default="", help="把每个操作的 cProfile 结果写入此目录")

    def handle(self, *args, runs, warmup, profile_dir, **options):
        if runs < 1:
            raise CommandError("--runs 必须大于 0。")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.users, self.clients = {}, {}
        for who in PERSONAS:
            user = User.objects.filter(username=who).first()
            if user is None:
                raise CommandError(f"缺少演示账号 {who}：请先运行 seed_demo。")
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            self.users[who], self.clients[who] = user, client
        self.bodies = {
            who: ProvincialBody.objects.get(pk=self.users[who].organization.provincial_body_id)
            for who in ("body_kjt", "body_jrb", "body_gxt")
        }
        county_id = self.users["county_jinjiang"].organization.county_id
        self.chains = [c.pk for c in OrderForm(county_id=county_id).fields["chain"].queryset]
        self.random = random.Random(7)
        if profile_dir:
            Path(profile_dir).mkdir(parents=True, exist_ok=True)
        self.stdout.write(
            f"database: {connection.vendor}; orders: {Order.objects.count()}; runs: {runs}, warm-up: {warmup}; "
            f"cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        self.samples = {label: ([], [], []) for label in ACTIONS}
        self.profilers = {label: cProfile.Profile() for label in ACTIONS} if profile_dir else {}
        for _ in range(warmup):
            self._round(timed=False)
        for _ in range(runs):
            self._round(timed=True)
        self.stdout.write(
            f"{'action':<38} {'cpu med':>8} {'cpu p95':>8} {'wall med':>9} {'queries':>8} {'sql ms':>7}"
        )
        for label in ACTIONS:
            cpu, wall, timers = self.samples[label]
            if label in self.profilers:
                self.profilers[label].dump_stats(str(Path(profile_dir) / f"{slug(label)}.prof"))
            self.stdout.write(
                f"{label:<38} {statistics.median(cpu):>8.1f} {p95(cpu):>8.1f} {statistics.median(wall):>9.1f} "
                f"{statistics.median(t.count for t in timers):>8.0f} "
                f"{statistics.median(t.seconds * 1000 for t in timers):>7.1f}"
            )

    def _round(self, timed: bool) -> None:
        """One order through the actions: form, create+submit, publish, a response, the claim."""
        county = self.clients["county_jinjiang"]
        self._request(timed, ACTIONS[0], county.get, "/orders/new/", expect=200)
        kind = self.random.choice(list(KIND_FIELDS))
        data = {
            "kind": kind,
            "chain": self.random.choice(self.chains),
            "title": f"压测开单（{self.random.randint(1000, 9999)}）",
            "description": "本县纺织企业急需功能性面料的关键工艺突破，希望与高校院所联合攻关。",
            "keywords": "压测；对接",
            "due_date": str(datetime.date.today() + datetime.timedelta(days=365)),
            "contact_name": "陈主任",
            "contact_phone": "13905950000",
            "visibility": "open",
            "submit": "1",
            **KIND_FIELDS[kind],
        }
        throttle = OrderCreationThrottle()
        caches["shared"].delete(
            throttle.cache_format % {"scope": throttle.scope, "ident": self.users["county_jinjiang"].pk}
        )
        response = self._request(timed, ACTIONS[1], county.post, "/orders/new/", data)
        pk = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
        self._request(
            timed, ACTIONS[2], self.clients["admin"].post, f"/orders/{pk}/moderate/", {"decision": "approve"}
        )
        self._request(timed, ACTIONS[3], self.clients["bank_cib"].post, f"/orders/{pk}/respond/", RESPONSE)
        handling = ProvincialBody.objects.handling(kind)
        body = next(who for who, b in self.bodies.items() if handling.filter(pk=b.pk).exists())
        handler = self.users[body].pk
        self._request(
            timed, ACTIONS[4], self.clients[body].post, f"/orders/{pk}/claim/", {"handler": handler}
        )
        state = Order.objects.filter(pk=pk).values_list("state", flat=True).get()
        if state != "claimed":
            raise CommandError(f"订单 {pk} 未被接单（状态 {state}）")

    def _request(self, timed, label, method, path, data=None, expect=302):
        timer = QueryTimer()
        profiler = self.profilers.get(label) if timed else None
        with connection.execute_wrapper(timer):
            if profiler:
                profiler.enable()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            response = method(path) if data is None else method(path, data)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            if profiler:
                profiler.disable()
        if response.status_code != expect:
            raise CommandError(f"{label} {path} 返回 {response.status_code}")
        if timed:
            samples = self.samples[label]
            samples[0].append(cpu * 1000)
            samples[1].append(wall * 1000)
            samples[2].append(timer)
        return response
