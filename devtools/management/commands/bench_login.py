"""The login capacity of one core: CPU time of a password check and of a whole login through the login form.

    DEMO_PASSWORD=… python manage.py bench_login [--runs 20] [--username county_jinjiang]

Prints, as median and p95 in CPU milliseconds (`time.process_time`, robust on a busy machine) and wall
milliseconds: `check_password` alone (the configured password hasher, production strength), then a full login
POST through the Django test client (form, axes, the login audit row, session) and its SQL queries, and the
logins per second one core sustains (1000 / median CPU ms of the login POST). Uses a demo persona of
`seed_demo` and DEMO_PASSWORD; the persona's lockout state is reset before and after.
"""

import os
import re
import statistics
import time

from axes.utils import reset
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.models import User
from devtools.management.commands.bench_pages import QueryTimer, p95

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Command(BaseCommand):
    help = "测量登录容量：每次密码校验与整个登录请求的 CPU 时间，以及单核每秒可处理的登录数。"

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="计时次数")
        parser.add_argument("--username", default="county_jinjiang", help="演示账号")

    def handle(self, *args, runs, username, **options):
        password = os.environ.get("DEMO_PASSWORD", "")
        user = User.objects.filter(username=username).first()
        if user is None or not password or not user.check_password(password):
            raise CommandError("需要 seed_demo 的演示账号与建库时的 DEMO_PASSWORD。")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        hasher = get_hasher()
        self.stdout.write(
            f"hasher: {hasher.algorithm}, iterations: {getattr(hasher, 'iterations', '-')}; runs: {runs}"
        )
        self.stdout.write(f"{'step':<28} {'cpu med':>8} {'cpu p95':>8} {'wall med':>9} {'queries':>8}")
        cpu, wall = [], []
        for _ in range(runs):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            user.check_password(password)
            cpu.append((time.process_time() - cpu0) * 1000)
            wall.append((time.perf_counter() - wall0) * 1000)
        self.row("check_password", cpu, wall, 0)
        reset(username=username)
        cpu, wall, queries = [], [], []
        for _ in range(runs):
            client = Client(enforce_csrf_checks=True)
            page = client.get("/accounts/login/")
            token = CSRF.search(page.content.decode()).group(1)
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                cpu0, wall0 = time.process_time(), time.perf_counter()
                response = client.post(
                    "/accounts/login/",
                    {"username": username, "password": password, "csrfmiddlewaretoken": token},
                )
                cpu.append((time.process_time() - cpu0) * 1000)
                wall.append((time.perf_counter() - wall0) * 1000)
            if response.status_code != 302:
                raise CommandError(f"登录失败（{response.status_code}）")
            queries.append(timer.count)
        reset(username=username)
        self.row("login POST", cpu, wall, statistics.median(queries))
        self.stdout.write(f"logins per second per core: {1000 / statistics.median(cpu):.1f}")

    def row(self, label, cpu, wall, queries):
        self.stdout.write(
            f"{label:<28} {statistics.median(cpu):>8.1f} {p95(cpu):>8.1f} {statistics.median(wall):>9.1f} "
            f"{queries:>8.0f}"
        )
