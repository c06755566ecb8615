"""Locust scenario for 四链对接平台: county officials browse and place orders, the platform administrator
publishes them, provincial bodies browse and claim, providers browse and respond.

Run through `python manage.py loadtest` (which builds the database, starts gunicorn, Celery and Redis and
reports per endpoint), or by hand against a running site on this machine:

    DEMO_PASSWORD=… locust -f tests/load/locustfile.py --headless -u 50 -r 3 -t 60s --host https://127.0.0.1:8443

Every simulated user logs in through the web login form as one of the demo personas (`seed_demo` with
`DEMO_PASSWORD`); several simulated users share a persona, each with its own session. Requests are grouped
by endpoint name (ids replaced by `[id]`) so the report has one line per page or API list.

The users are Locust's FastHttpUser (geventhttpclient; certificate checks off for gunicorn's throwaway
certificate): the load generator shares the machine with the site, and the `requests`-based HttpUser spent about
1.8 ms of CPU per request (11 % of a core at 63 requests/s), CPU the site under test then did not have.

Two phases. Warm-up: users are spawned and log in (a deliberately slow password hash each), then wait. When
the last one has logged in, the login figures are set aside, the statistics are reset and the users start
browsing: the measured phase, which ends after LOADTEST_MEASURE_SECONDS (unset: at Locust's --run-time). At
exit both phases' raw figures (counts, failures, Locust's response-time histograms) are written as JSON to
LOADTEST_STATS_FILE when set; `manage.py loadtest` reads them and reports the logins on their own lines.
"""

import datetime
import json
import os
import random
import re
import time

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("DEMO_PASSWORD", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTIONS = r'<select name="{name}"[^>]*>(.*?)</select>'
VALUE = re.compile(r'<option value="(\d+)"( selected)?')

TITLES = [
    (
        "innovation",
        "功能性面料关键工艺联合攻关",
        "本县纺织企业急需抗菌、凉感功能性面料的关键工艺突破，希望与高校院所联合攻关。",
    ),
    (
        "capital",
        "智能织造设备技改融资",
        "辖区规上企业计划更新智能织造设备，需要中长期技改贷款支持，希望银行给出方案。",
    ),
    (
        "talent",
        "高级工程师柔性引进",
        "园区企业需要纺织工程、自动化方向的高级工程师三名，支持柔性引进和项目合作。",
    ),
    (
        "industry",
        "再生涤纶长丝上游配套",
        "下游织造企业需要稳定的再生涤纶长丝供应，寻找上游配套企业落地或供货合作。",
    ),
]
KIND_FIELDS = {
    "innovation": {"tech_field": "纺织材料", "expected_outcome": "形成可量产的工艺方案"},
    "capital": {"amount_yuan": "5000000", "financing_type": "loan"},
    "talent": {"headcount": "3", "talent_profile": "纺织工程高级工程师"},
    "industry": {"wanted_link": "upstream", "products": "再生涤纶长丝"},
}


class Phases:
    """Warm-up (logins) and measured phase: counts the logins, resets the statistics after the last one."""

    def __init__(self):
        self.ready = Event()
        self.logged_in = 0
        self.warmup = None  # the statistics of the warm-up, set aside at the switch
        self.measured_from = None

    def login_done(self, environment) -> None:
        """One user has finished logging in (successfully or not); the last one starts the measured phase."""
        self.logged_in += 1
        runner = environment.runner
        if self.ready.is_set() or runner is None or self.logged_in < runner.target_user_count:
            return
        self.warmup = snapshot(environment.stats)
        environment.stats.reset_all()
        self.measured_from = time.time()
        self.ready.set()
        if MEASURE_SECONDS > 0:
            gevent.spawn_later(MEASURE_SECONDS, runner.quit)


PHASES = Phases()
MEASURE_SECONDS = float(os.environ.get("LOADTEST_MEASURE_SECONDS") or 0)
STATS_FILE = os.environ.get("LOADTEST_STATS_FILE", "")


def entry_figures(entry) -> dict:
    """The raw figures of one Locust stats entry (its response-time histogram in Locust's rounded buckets)."""
    return {
        "method": entry.method,
        "name": entry.name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "max_ms": entry.max_response_time,
        "histogram": {str(ms): count for ms, count in entry.response_times.items()},
    }


def snapshot(stats) -> dict:
    """Every endpoint's figures, the window they cover, and the distinct errors."""
    last = stats.total.last_request_timestamp or time.time()
    return {
        "started": stats.total.start_time,
        "seconds": round(max(0.0, last - stats.total.start_time), 2),
        "endpoints": [entry_figures(e) for e in stats.entries.values() if e.num_requests or e.num_failures],
        "errors": [
            {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
    }


@events.quitting.add_listener
def write_phases(environment, **_kwargs):
    """Write both phases' figures for `manage.py loadtest` (the warm-up only, if it never completed)."""
    if not STATS_FILE:
        return
    measured = snapshot(environment.stats) if PHASES.ready.is_set() else None
    warmup = PHASES.warmup if PHASES.ready.is_set() else snapshot(environment.stats)
    report = {"users_logged_in": PHASES.logged_in, "warmup": warmup, "measured": measured}
    with open(STATS_FILE, "w") as handle:
        json.dump(report, handle)


def options(html: str, name: str) -> list[tuple[str, bool]]:
    """The (value, selected) pairs of a <select name=…> in a page."""
    match = re.search(OPTIONS.format(name=name), html, re.S)
    return [(v, bool(s)) for v, s in VALUE.findall(match.group(1))] if match else []


THINK_MIN, THINK_MAX = 1, 3  # seconds between two tasks of a user


class Persona(FastHttpUser):
    """A logged-in persona; subclasses name the accounts and the tasks."""

    abstract = True
    wait_time = between(THINK_MIN, THINK_MAX)
    usernames: tuple[str, ...] = ()

    def on_start(self):
        """Log in (warm-up), wait until every user has, then start at a random point of one think time
        (users in a steady state are spread over it; 50 users starting at once would be a burst that a
        real site never sees after its users have logged in)."""
        self.username = random.choice(self.usernames)
        try:
            self.log_in()
        finally:
            PHASES.login_done(self.environment)
        PHASES.ready.wait()
        gevent.sleep(random.uniform(0, THINK_MAX))

    def log_in(self):
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        token = CSRF.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers=self.referer("/accounts/login/"),
            name="/accounts/login/ [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} failed ({response.status_code})")

    def referer(self, path: str) -> dict:
        """Django checks the Referer of HTTPS form posts."""
        return {"Referer": f"{self.host}{path}"}

    def csrf_token(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def post_form(self, path: str, data: dict, name: str):
        """Post a form the way a browser does; a redirect (302) is success, an error page a failure."""
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": self.csrf_token()},
            headers=self.referer(path),
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"{response.status_code}")
            return response

    def api_ids(self, query: str = "") -> list[int]:
        """Order ids from the API list (first page), as a client app would get them."""
        response = self.client.get(f"/api/v1/orders/{query}", name=f"/api/v1/orders/{query.split('=')[0]}")
        if response.status_code != 200:
            return []
        return [row["id"] for row in response.json().get("results", [])]

    def detail(self, pk: int) -> str:
        return self.client.get(f"/orders/{pk}/", name="/orders/[id]/").text

    @task(2)
    def home(self):
        self.client.get("/", name="/")

    @task(2)
    def inbox(self):
        self.client.get("/orders/inbox/", name="/orders/inbox/")

    @task(2)
    def notifications_api(self):
        self.client.get("/api/v1/notifications/", name="/api/v1/notifications/")


class CountyOfficial(Persona):
    """县域官员: their county's orders, the dashboard, the API list; places new orders (开单)."""

    weight = 4
    usernames = ("county_jinjiang", "county_luoyuan")

    @task(4)
    def county_orders(self):
        self.client.get("/orders/county/", name="/orders/county/")

    @task(3)
    def order_detail(self):
        ids = self.api_ids()
        if ids:
            self.detail(random.choice(ids))

    @task(1)
    def county_dashboard(self):
        self.client.get("/dashboards/", name="/dashboards/")

    @task(2)
    def place_order(self):
        form = self.client.get("/orders/new/", name="/orders/new/").text
        chains = [v for v, _ in options(form, "chain")]
        if not chains:
            return
        kind, title, description = random.choice(TITLES)
        data = {
            "kind": kind,
            "chain": random.choice(chains),
            "title": f"{title}（压测 {random.randint(1000, 9999)}）",
            "description": description,
            "keywords": "压测；对接",
            "due_date": str(datetime.date.today() + datetime.timedelta(days=365)),
            "contact_name": "陈主任",
            "contact_phone": "13905950000",
            "visibility": "open",
            "submit": "1",
            **KIND_FIELDS[kind],
        }
        response = self.post_form("/orders/new/", data, "/orders/new/ [POST]")
        if response.status_code != 302:
            response.failure("order form refused")


class Administrator(Persona):
    """平台管理员: the moderation queue; publishes submitted orders so bodies and providers see them."""

    fixed_count = 1
    usernames = ("admin",)

    @task(3)
    def moderate(self):
        self.client.get("/orders/moderation/", name="/orders/moderation/")
        for pk in self.api_ids("?state=submitted")[:5]:
            self.post_form(
                f"/orders/{pk}/moderate/", {"decision": "approve"}, "/orders/[id]/moderate/ [POST]"
            )

    @task(1)
    def province_dashboard(self):
        self.client.get("/dashboards/province/", name="/dashboards/province/")


class ProvincialBody(Persona):
    """省级部门: the queue of routed orders, what they took, details; claims published orders (接单)."""

    weight = 2
    usernames = ("body_kjt", "body_jrb")

    @task(3)
    def queue(self):
        self.client.get("/orders/queue/", name="/orders/queue/")

    @task(2)
    def taken(self):
        self.client.get("/orders/taken/", name="/orders/taken/")

    @task(2)
    def claim(self):
        ids = self.api_ids("?state=published")
        if not ids:
            return
        pk = random.choice(ids)
        handlers = options(self.detail(pk), "handler")
        if handlers:
            handler = next((v for v, selected in handlers if selected), handlers[0][0])
            self.post_form(f"/orders/{pk}/claim/", {"handler": handler}, "/orders/[id]/claim/ [POST]")


class Provider(Persona):
    """资源方 (bank, institution, enterprise): open orders, matched-to-you, their responses; responds."""

    weight = 3
    usernames = ("bank_cib", "inst_dhu", "firm_demo")

    @task(3)
    def open_orders(self):
        self.client.get("/orders/open/", name="/orders/open/")

    @task(3)
    def matched(self):
        self.client.get("/orders/matched/", name="/orders/matched/")

    @task(1)
    def my_responses(self):
        self.client.get("/orders/responses/", name="/orders/responses/")

    @task(2)
    def api_open(self):
        self.api_ids("?state=published")

    @task(1)
    def respond(self):
        ids = self.api_ids("?state=published")
        if not ids:
            return
        pk = random.choice(ids)
        self.detail(pk)
        data = {
            "proposal": "我单位可提供相关技术团队与设备支持，建议先开展现场对接，两周内给出联合攻关方案。",
            "amount_yuan": "3000000",
            "rate_percent": "3.45",
            "term_months": "36",
            "experts": "纺织材料团队 3 人",
            "terms": "",
        }
        self.post_form(f"/orders/{pk}/respond/", data, "/orders/[id]/respond/ [POST]")


REQUEST_LOG = os.environ.get("LOADTEST_REQUEST_LOG", "")
if REQUEST_LOG:
    # One line per request (end time, method, endpoint, ms, failed): latency over time, e.g. a cold start.
    _request_log = open(REQUEST_LOG, "w")  # noqa: SIM115 - open for the whole run

    @events.request.add_listener
    def log_request(request_type, name, response_time, exception=None, **_kwargs):
        _request_log.write(
            f"{time.time():.3f},{request_type},{name},{response_time:.1f},{int(bool(exception))}\n"
        )
