"""The load test's report: logins are their own kind (warm-up phase, outside the page/API goals) and still count
against the zero-error goal; percentiles are Locust's, over its rounded buckets."""

from devtools.loadtest import endpoint_kind, percentile
from devtools.management.commands.loadtest import Command


def entry(name, method="GET", requests=0, failures=0, histogram=None):
    histogram = histogram or {}
    return {
        "method": method,
        "name": name,
        "requests": requests,
        "failures": failures,
        "max_ms": max(histogram, default=0),
        "histogram": {str(ms): n for ms, n in histogram.items()},
    }


def phases(login_failures=0):
    return {
        "users_logged_in": 2,
        "warmup": {
            "started": 0,
            "seconds": 10.0,
            "endpoints": [
                entry("/accounts/login/", requests=2, histogram={300: 2}),
                entry(
                    "/accounts/login/ [POST]",
                    "POST",
                    requests=2,
                    failures=login_failures,
                    histogram={9000: 2},
                ),
            ],
            "errors": [],
        },
        "measured": {
            "started": 10,
            "seconds": 20.0,
            "endpoints": [
                entry("/orders/county/", requests=40, histogram={100: 39, 400: 1}),
                entry("/", requests=20, histogram={50: 20}),
                entry("/api/v1/orders/", requests=10, histogram={80: 10}),
                entry("/orders/new/ [POST]", "POST", requests=4, histogram={200: 4}),
            ],
            "errors": [],
        },
    }


def report(data):
    command = Command()
    endpoints, kinds = command.read_stats(data)
    opts = {"users": 2, "duration": 20}
    run = {"server_errors_logged": 0}
    return command.build_report(opts, endpoints, kinds, {1: 2.0}, run)


def test_endpoint_kinds():
    assert endpoint_kind("/accounts/login/", "GET") == "login"
    assert endpoint_kind("/accounts/login/ [POST]", "POST") == "login"
    assert endpoint_kind("/orders/county/", "GET") == "page"
    assert endpoint_kind("/api/v1/orders/?state", "GET") == "api"
    assert endpoint_kind("/orders/[id]/claim/ [POST]", "POST") == "action"


def test_percentile_follows_locust_buckets():
    histogram = {100: 39, 400: 1}
    assert percentile(histogram, 40, 0.50) == 100
    assert percentile(histogram, 40, 0.95) == 100
    assert percentile(histogram, 40, 0.99) == 400
    assert percentile({100: 19, 400: 1}, 20, 0.95) == 400  # the slowest 5 % starts at the 20th request
    assert percentile({}, 0, 0.95) == 0


def test_logins_are_reported_apart_from_the_goals():
    result = report(phases())
    logins = [e for e in result["endpoints"] if e["kind"] == "login"]
    assert {e["name"] for e in logins} == {"/accounts/login/", "/accounts/login/ [POST]"}
    assert result["kinds"]["login"]["requests"] == 4
    assert result["kinds"]["login"]["p95"] == 9000
    assert result["kinds"]["login"]["rps"] == 0.4  # over the warm-up's 10 s
    # 9 s logins do not make the pages or API lists slow
    assert result["goals"]["pages_p95_under_300ms"]
    assert result["goals"]["api_lists_p95_under_200ms"]
    assert result["kinds"]["page"]["requests"] == 60
    assert result["kinds"]["page"]["p95"] == 100
    total = next(e for e in result["endpoints"] if e["kind"] == "total")
    assert total["requests"] == 74  # the measured phase only
    assert result["goals"]["met"]


def test_failed_logins_break_the_zero_error_goal():
    result = report(phases(login_failures=1))
    assert result["kinds"]["login"]["error_pct"] == 25.0
    assert not result["goals"]["zero_errors"]
    assert not result["goals"]["met"]


def test_a_slow_page_misses_its_goal():
    data = phases()
    data["measured"]["endpoints"][0]["histogram"] = {"100": 10, "500": 10}
    result = report(data)
    assert result["slow_pages"] == ["/orders/county/"]
    assert not result["goals"]["pages_p95_under_300ms"]


def test_a_slow_action_misses_its_goal():
    data = phases()
    data["measured"]["endpoints"][3]["histogram"] = {"900": 4}
    result = report(data)
    assert result["slow_actions"] == ["/orders/new/ [POST]"]
    assert not result["goals"]["actions_p95_under_300ms"]
    assert not result["goals"]["met"]


def test_cpu_groups_by_command_line():
    from devtools.loadtest import cpu_group

    assert cpu_group("/venv/bin/python -m gunicorn --config gunicorn.conf.py") == "gunicorn"
    assert cpu_group("python -m celery -A config worker --loglevel=INFO") == "worker"
    assert cpu_group("python -m celery -A config beat --schedule=x") == "beat"
    assert cpu_group("python -m locust -f tests/load/locustfile.py") == "locust"
    assert cpu_group("redis-server 127.0.0.1:6380") == "redis"
    assert cpu_group("postgres: postgres silian_loadtest 127.0.0.1(5000) idle") == "postgres"
    assert cpu_group("sshd: root") == "other"


def test_cpu_window_is_per_group_per_core_and_per_request():
    from devtools.loadtest import cpu_between

    # 10 s apart: gunicorn's two processes used 6 s + 4 s, one of them new in the window; postgres 2 s.
    first = (100.0, {("gunicorn", "1"): 50.0, ("postgres", "9"): 7.0}, [1000, 0, 0, 1000, 0])
    last = (
        110.0,
        {("gunicorn", "1"): 56.0, ("gunicorn", "2"): 4.0, ("postgres", "9"): 9.0},
        [2500, 0, 0, 1500, 0],  # user +1500, idle +500 jiffies: 75 % busy
    )
    cpu = cpu_between(first, last, requests=500, cores=2)
    assert cpu["percent_of_a_core"]["gunicorn"] == 100.0
    assert cpu["percent_of_a_core"]["postgres"] == 20.0
    assert cpu["percent_of_a_core"]["worker"] == 0.0
    assert cpu["machine_busy_percent"] == 75.0
    assert cpu["web_cpu_ms_per_request"] == 20.0  # 10 s of web CPU over 500 requests
    assert cpu_between(first, first, requests=500, cores=2) is None


def test_cpu_snapshot_reads_this_process_where_there_is_proc():
    import os

    import pytest

    from devtools.loadtest import calibrate, cpu_snapshot

    snap = cpu_snapshot()
    if snap is None:
        pytest.skip("no /proc on this system: the load test reports no CPU figures here")
    assert any(pid == str(os.getpid()) for _, pid in snap[1])
    assert calibrate(iterations=1000, runs=1) >= 0
