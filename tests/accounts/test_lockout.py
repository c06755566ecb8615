"""Lockout keyed on username and address together, plus a per-address limit: a stranger cannot lock anyone out."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from rest_framework.test import APIClient

from accounts.choices import LoginEventKind
from accounts.models import LoginEvent
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
A = {"REMOTE_ADDR": "203.0.113.66"}  # the stranger
B = {"REMOTE_ADDR": "198.51.100.20"}  # the account's owner


@pytest.fixture(autouse=True)
def generous_rate(settings):
    """The per-address rate limit is tested elsewhere; here only the lockout counts."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "1000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _post(client, username, password, meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


@pytest.mark.parametrize("username", ["admin", "county_jinjiang"])
def test_a_stranger_cannot_lock_a_user_out(client, personas, username):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post(client, username, "wrong-password-123", A).status_code == 200
    locked = _post(client, username, "wrong-password-123", A)
    assert locked.status_code == 429
    assert "账号已临时锁定" in locked.content.decode()
    # Brute force from A is stopped: even the right password is refused there …
    assert _post(client, username, PASSWORD, A).status_code == 429
    assert "_auth_user_id" not in client.session
    # … while the owner, elsewhere, logs in as usual.
    owner = _post(client, username, PASSWORD, B)
    assert owner.status_code == 302
    assert client.session["_auth_user_id"] == str(personas[username].pk)
    assert LoginEvent.objects.filter(
        kind=LoginEventKind.LOCKED_OUT, username=username, ip_address=A["REMOTE_ADDR"]
    )


def test_the_token_endpoint_follows_the_same_rule(personas):
    api = APIClient()
    body = {"username": "county_luoyuan", "password": "wrong-password-123"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post("/api/v1/auth/token/", body, format="json", **A).status_code == 400
    assert api.post("/api/v1/auth/token/", body, format="json", **A).json()["code"] == "locked_out"
    good = {"username": "county_luoyuan", "password": PASSWORD}
    assert api.post("/api/v1/auth/token/", good, format="json", **A).status_code == 403
    assert api.post("/api/v1/auth/token/", good, format="json", **B).status_code == 200


def test_password_spraying_from_one_address_is_stopped(client, personas, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    usernames = ["county_jinjiang", "county_luoyuan", "city_quanzhou", "body_kjt", "body_jrb", "bank_cib"]
    # One wrong password per account: no account reaches its own limit …
    for username in usernames[:-1]:
        assert _post(client, username, "wrong-password-123", A).status_code == 200
    # … but the address reaches its limit, and then no username gets in from there.
    stopped = _post(client, usernames[-1], "wrong-password-123", A)
    assert stopped.status_code == 429
    assert "暂时不能从这里登录任何账号" in stopped.content.decode()
    assert _post(client, "inst_dhu", PASSWORD, A).status_code == 429
    per_account = AccessAttempt.objects.filter(ip_address=A["REMOTE_ADDR"]).values_list(
        "failures_since_start", flat=True
    )
    assert max(per_account) == 1  # no account was near its own limit
    # Every one of these users still logs in from their own address.
    assert _post(client, "county_jinjiang", PASSWORD, B).status_code == 302


def test_a_success_clears_only_the_failures_at_that_address(client, personas):
    for _ in range(2):
        _post(client, "firm_demo", "wrong-password-123", A)
    for _ in range(2):
        _post(client, "firm_demo", "wrong-password-123", B)
    assert _post(client, "firm_demo", PASSWORD, B).status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [
        (A["REMOTE_ADDR"], 2)
    ]
