"""Structured logs: JSON lines with the request id, user and order ids, carried into Celery tasks."""

import io
import json
import logging
import shutil

import pytest
from django.urls import reverse

from ops.logconfig import build_logging
from ops.logcontext import ContextFilter, request_id_var
from tests.faults import stack

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Root logging also goes, as the production JSON formatter writes it, into a buffer: returns a reader."""
    import logging.config

    config = build_logging(fmt="json")
    formatter = logging.config.DictConfigurator(config).configure_custom(dict(config["formatters"]["json"]))
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_plain_text_in_development_json_in_production():
    assert build_logging(fmt="plain")["handlers"]["console"]["formatter"] == "plain"
    assert build_logging(fmt="json")["handlers"]["console"]["formatter"] == "json"
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        build_logging(fmt="xml")


def test_a_json_line_has_the_fields(json_lines):
    token = request_id_var.set("req-0000-1111")
    try:
        logging.getLogger("matchmaking.test").warning("匹配完成 %s", 3)
    finally:
        request_id_var.reset(token)
    (line,) = [entry for entry in json_lines() if entry["logger"] == "matchmaking.test"]
    assert line["message"] == "匹配完成 3"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "req-0000-1111"
    assert line["timestamp"].startswith("20") and "T" in line["timestamp"]
    assert {"user_id", "order_id", "task", "task_id"} <= set(line)


def test_requests_get_an_id_with_the_user_and_order(
    client, settings, json_lines, county_jinjiang, make_order
):
    settings.LOG_REQUESTS = True
    order = make_order()
    client.force_login(county_jinjiang, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("orders:detail", args=[order.pk]), HTTP_X_REQUEST_ID="proxy-req-12345678")
    assert response["X-Request-ID"] == "proxy-req-12345678"  # the proxy's id is kept
    fresh = client.get(reverse("home"), HTTP_X_REQUEST_ID="bad id!")
    assert len(fresh["X-Request-ID"]) == 32 and fresh["X-Request-ID"] != "bad id!"  # replaced when malformed

    lines = [entry for entry in json_lines() if entry["logger"] == "ops.request"]
    detail, home = lines
    assert detail["request_id"] == "proxy-req-12345678"
    assert detail["user_id"] == county_jinjiang.pk
    assert detail["order_id"] == order.pk
    assert detail["status"] == 200 and detail["method"] == "GET" and detail["ms"] > 0
    assert home["request_id"] == fresh["X-Request-ID"]
    assert home["order_id"] is None


def test_the_request_id_is_in_the_task_log(json_lines, county_jinjiang, make_order, monkeypatch):
    """The worker side: a task whose message carries the request id logs with it (and its order id)."""
    from matchmaking import matching, services
    from matchmaking.tasks.matching import match_order

    order = make_order()
    services.submit_order(order, by=county_jinjiang)

    def rank_and_log(order_id):
        logging.getLogger("matchmaking.matching").info("ranked order %s", order_id)
        return "done"

    monkeypatch.setattr(matching, "match_and_store", rank_and_log)  # one known line (the index may be built)
    match_order.apply(
        args=(order.pk,), headers={"request_id": "web-req-abcdef12", "user_id": county_jinjiang.pk}
    )
    task_lines = [entry for entry in json_lines() if entry.get("task") == match_order.name]
    assert task_lines, json_lines()
    assert {entry["request_id"] for entry in task_lines} == {"web-req-abcdef12"}
    assert {entry["order_id"] for entry in task_lines} == {order.pk}
    assert {entry["user_id"] for entry in task_lines} == {county_jinjiang.pk}
    assert f"ranked order {order.pk}" in [entry["message"] for entry in task_lines]
    assert request_id_var.get() is None  # nothing leaks past the task


def test_the_request_id_travels_in_the_message(county_jinjiang, make_order, settings):
    """The web side: a task enqueued while serving a request is published with the request's id."""
    if not shutil.which("redis-server"):
        stack.unavailable("redis-server is not installed")
    import redis

    from matchmaking.tasks.matching import match_order

    server = stack.RedisServer().start()
    try:
        with stack.real_broker(server.url):
            token = request_id_var.set("web-req-87654321")
            try:
                match_order.delay(123)
            finally:
                request_id_var.reset(token)
        (raw,) = redis.Redis.from_url(server.url).lrange("celery", 0, -1)
        headers = json.loads(raw)["headers"]
        assert headers["request_id"] == "web-req-87654321"
        assert headers["task"] == match_order.name
    finally:
        server.stop()
