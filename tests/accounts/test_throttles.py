"""Login, sign-up and password-reset throttles: keyed on the real client address, shared by every process,
one counter for the web login form and the API token endpoint."""

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from rest_framework.test import APIClient

from accounts.models import SharedCacheEntry, User
from accounts.throttling import client_ip
from tests.accounts.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def rates(settings):
    """Small limits, so a test reaches them in a few requests."""

    def set_rates(**scoped):
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **scoped}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rates


def _token(client, username="county_jinjiang", password="wrong-password-123", **meta):  # noqa: S107
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **meta)


def test_a_spoofed_forwarded_address_gets_no_fresh_counter(personas, rates):
    rates(login="3/min")
    client = APIClient()
    for n in range(3):
        assert _token(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 400
    refused = _token(client, HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "请求过于频繁" in refused.json()["detail"]
    # Another real address still gets in.
    assert _token(client, REMOTE_ADDR="192.0.2.50").status_code == 400


def test_behind_one_proxy_the_address_the_proxy_saw_counts(personas, rates, settings):
    settings.NUM_PROXIES = 1
    rates(login="2/min")
    client = APIClient()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # The client prepends made-up addresses; the proxy appends the one it saw (198.51.100.9).
    for n in range(2):
        assert _token(client, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.9", **proxy).status_code == 400
    assert _token(client, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.9", **proxy).status_code == 429
    # Somebody else behind the same proxy is not affected.
    assert _token(client, HTTP_X_FORWARDED_FOR="198.51.100.10", **proxy).status_code == 400


@pytest.mark.parametrize(
    ("num_proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.1", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.1, 198.51.100.9", "198.51.100.9"),
        (2, "203.0.113.1, 198.51.100.9, 10.1.1.1", "198.51.100.9"),
        (1, "", "10.0.0.2"),  # reached without the proxy
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_client_ip(rf, settings, num_proxies, forwarded, expected):
    settings.NUM_PROXIES = num_proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_web_form_and_the_token_endpoint_share_one_counter(client, personas, rates):
    rates(login="4/min")
    for _ in range(2):
        assert (
            client.post(LOGIN, {"username": "county_jinjiang", "password": "nope-nope-123"}).status_code
            == 200
        )
    api = APIClient()
    for _ in range(2):
        assert _token(api).status_code == 400
    # Both are used up now, for both.
    page = client.post(LOGIN, {"username": "county_jinjiang", "password": PASSWORD})
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert "请求过于频繁" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert _token(api, password=PASSWORD).status_code == 429


def test_login_counters_live_in_the_database_cache_every_process_reads(client, personas, rates):
    rates(login="2/min")
    shared = caches["shared"]
    assert isinstance(shared, DatabaseCache)  # no REDIS_URL in the test settings
    client.post(LOGIN, {"username": "county_jinjiang", "password": "nope-nope-123"})
    assert SharedCacheEntry.objects.filter(cache_key__contains="throttle_login_127.0.0.1").count() == 1
    # A second process (another cache object over the same table) sees the same count and refuses.
    other_process = DatabaseCache(shared._table, {})
    assert len(other_process.get("throttle_login_127.0.0.1")) == 1
    client.post(LOGIN, {"username": "county_jinjiang", "password": "nope-nope-123"})
    assert len(other_process.get("throttle_login_127.0.0.1")) == 2
    assert client.post(LOGIN, {"username": "county_jinjiang", "password": PASSWORD}).status_code == 429


def _application(n):
    return {
        "username": f"applicant{n}", "last_name": "林", "first_name": "清", "phone": "13912345678",
        "email": f"applicant{n}@example.com", "password1": PASSWORD, "password2": PASSWORD,
        "org_kind": "provider", "organization": "",
    }  # fmt: skip


def test_sign_up_is_throttled_per_address(client, personas, rates):
    rates(signup="2/hour")
    bank = personas["bank_cib"].organization.pk
    for n in range(2):
        assert client.post("/accounts/signup/", {**_application(n), "organization": bank}).status_code == 302
    refused = client.post("/accounts/signup/", {**_application(2), "organization": bank})
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode()
    assert not User.objects.filter(username="applicant2").exists()
    # From another address the form still works.
    other = client.post(
        "/accounts/signup/", {**_application(3), "organization": bank}, REMOTE_ADDR="192.0.2.8"
    )
    assert other.status_code == 302


def test_password_reset_is_throttled_per_target_address(client, personas, rates):
    rates(password_reset_email="2/hour", password_reset="100/hour")
    for _ in range(2):
        assert client.post("/accounts/password/reset/", {"email": "firm_demo@example.com"}).status_code == 302
    assert len(mail.outbox) == 2
    # From anywhere, the same mailbox gets no third message within the hour …
    refused = client.post(
        "/accounts/password/reset/", {"email": "FIRM_demo@example.com"}, REMOTE_ADDR="192.0.2.9"
    )
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode()
    assert len(mail.outbox) == 2
    # … the limit is the same for an address nobody registered (the answer reveals nothing) …
    for _ in range(2):
        client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert client.post("/accounts/password/reset/", {"email": "nobody@example.com"}).status_code == 429
    # … and other mailboxes are not affected.
    assert client.post("/accounts/password/reset/", {"email": "inst_dhu@example.com"}).status_code == 302
    assert len(mail.outbox) == 3


def test_password_reset_is_throttled_per_address(client, personas, rates):
    rates(password_reset="3/hour")
    for n in range(3):
        assert client.post("/accounts/password/reset/", {"email": f"x{n}@example.com"}).status_code == 302
    refused = client.post("/accounts/password/reset/", {"email": "firm_demo@example.com"})
    assert refused.status_code == 429
    assert mail.outbox == []
    assert (
        client.post(
            "/accounts/password/reset/", {"email": "firm_demo@example.com"}, REMOTE_ADDR="192.0.2.10"
        ).status_code
        == 302
    )
