"""The production stack end to end: gunicorn (DEBUG off, collected static files served by whitenoise) on the
test PostgreSQL database, Redis as broker and cache, a real Celery worker and beat — an API client places
and submits an order over HTTP and the worker stores its matches."""

import datetime
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from matchmaking.choices import MatchState
from tests.conftest import PASSWORD
from tests.faults import stack

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SECRET = "production-stack-test-secret-key-" + "x" * 40


def _production_env(redis_url, static_root):
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": stack.database_url(),
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(static_root),
        "SECURE_SSL_REDIRECT": "0",  # TLS ends at the proxy in production; this test talks plain HTTP
        "STATIC_COMPRESS": "0",  # hashed names as in production, without minutes of brotli compression
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }


def _call(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def gunicorn(redis_server, tmp_path):
    """collectstatic, then gunicorn on a free loopback port with production settings; stopped afterwards."""
    env = _production_env(redis_server.url, tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=stack.ROOT, env=env, check=True, timeout=300,
    )  # fmt: skip
    port = stack.free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
        cwd=stack.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return _call("GET", f"{base}/")[0] == 200
        except OSError:
            return False

    try:
        stack.wait_until(up, timeout=60, interval=0.3, what="gunicorn to serve the home page")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_gunicorn_worker_and_beat_serve_the_whole_loop(gunicorn, redis_server, celery_procs, county_jinjiang):
    # The suite stores passwords with a fast test hasher the production settings don't accept: re-hash.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from chains.models import CountyChain
    from matchmaking.models import Match, Order

    county_jinjiang.password = PBKDF2PasswordHasher().encode(PASSWORD, "stacktestsalt", iterations=1000)
    county_jinjiang.save(update_fields=["password"])
    celery_procs.worker(redis_server.url).wait_for("ready")
    celery_procs.beat(redis_server.url)

    # Pages: production headers, and the hashed, compressed static files of collectstatic.
    status, headers, body = _call("GET", f"{gunicorn}/chains/")
    assert status == 200
    assert "Content-Security-Policy" in headers and headers["X-Frame-Options"] == "DENY"
    html = body.decode()
    css = next(part.split('"')[0] for part in html.split('href="') if "bootstrap.min." in part.split('"')[0])
    assert css.startswith("/static/vendor/bootstrap/bootstrap.min.") and css.endswith(".css")  # manifest hash
    status, headers, _body = _call("GET", f"{gunicorn}{css}")
    assert status == 200 and "max-age" in headers.get("Cache-Control", "")

    # API: token login, create, submit — matched by the real worker through Redis.
    status, _h, body = _call(
        "POST", f"{gunicorn}/api/v1/auth/token/", {"username": "county_jinjiang", "password": PASSWORD}
    )
    assert status == 200, body
    token = json.loads(body)["token"]
    chain = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
    order = {
        "kind": "innovation", "chain": chain.pk, "title": "运动面料抗菌整理工艺联合攻关",
        "description": "晋江运动鞋服企业需要耐水洗的抗菌整理工艺，现有工艺洗涤 20 次后功能明显下降，希望联合高校攻关。",
        "keywords": "抗菌；功能性面料；染整", "tech_field": "纺织材料", "expected_outcome": "可量产工艺包",
        "due_date": str(datetime.date.today() + datetime.timedelta(days=365)), "contact_name": "陈主任", "contact_phone": "13905950000", "visibility": "open",
    }  # fmt: skip
    status, _h, body = _call("POST", f"{gunicorn}/api/v1/orders/", order, token)
    assert status == 201, body
    pk = json.loads(body)["id"]
    status, _h, body = _call("POST", f"{gunicorn}/api/v1/orders/{pk}/submit/", {}, token)
    assert status == 200, body

    stack.wait_until(
        lambda: Order.objects.filter(pk=pk, match_state=MatchState.DONE).exists(),
        timeout=20,
        what="the worker to match the order submitted through gunicorn",
    )
    assert Match.objects.filter(order_id=pk).exists()
    status, _h, body = _call("GET", f"{gunicorn}/api/v1/orders/{pk}/matches/", token=token)
    assert status == 200
    matches = json.loads(body)
    ranked = matches["results"] if isinstance(matches, dict) else matches
    assert ranked and ranked[0]["reasons"]
