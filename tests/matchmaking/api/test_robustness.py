"""Issue 12 part 3 on the API: never a 500 from a race or a body. Idempotency-Key replays, 409 on a uniqueness
rule (the response race), 400 for malformed or absurdly nested JSON."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import IdempotencyRecord
from matchmaking.choices import OrderState
from matchmaking.models import Order, Proposal
from tests.faults.stack import REQUIRED
from tests.matchmaking.api.conftest import payload

ERROR_KEYS = {"detail", "code", "fields"}
PROPOSAL = {"proposal": "我校纺织学院组建专班，三个月内完成中试。"}

pytestmark = pytest.mark.django_db


def session_client(user) -> APIClient:
    """A client signed in with a session (what the middleware sees, like a token would be)."""
    client = APIClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- Idempotency-Key -----------------------------------------------------------------------------------


def test_same_key_and_body_replays_the_first_answer(county_jinjiang):
    client = session_client(county_jinjiang)
    body = payload(county_jinjiang)
    first = client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
    # Without the header, or with another key, a POST is a new order.
    client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert Order.objects.count() == 2


def test_same_key_other_body_is_422(county_jinjiang):
    client = session_client(county_jinjiang)
    client.post(reverse("api:order-list"), payload(county_jinjiang), format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = client.post(
        reverse("api:order-list"),
        payload(county_jinjiang, title="另一个需求标题：功能面料"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert other.status_code == 422 and set(other.json()) == ERROR_KEYS
    assert other.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_same_key_while_in_flight_is_409(county_jinjiang):
    client = session_client(county_jinjiang)
    body = payload(county_jinjiang)
    client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyRecord.objects.update(status_code=None)  # as while the first request is still being processed
    response = client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 409 and set(response.json()) == ERROR_KEYS
    assert response.json()["code"] == "idempotency_in_flight"
    assert Order.objects.count() == 1


def test_keys_are_per_user_and_expire(county_jinjiang, county_luoyuan, settings):
    one, two = session_client(county_jinjiang), session_client(county_luoyuan)
    one.post(reverse("api:order-list"), payload(county_jinjiang), format="json", HTTP_IDEMPOTENCY_KEY="k")
    answer = two.post(
        reverse("api:order-list"), payload(county_luoyuan), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Order.objects.count() == 2
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    again = one.post(
        reverse("api:order-list"), payload(county_jinjiang), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Order.objects.count() == 3
    assert settings.IDEMPOTENCY_KEY_TTL_HOURS == 24


def test_errors_are_replayed_but_not_server_errors(county_jinjiang):
    client = session_client(county_jinjiang)
    bad = payload(county_jinjiang, contact_phone="abc")
    first = client.post(reverse("api:order-list"), bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = client.post(reverse("api:order-list"), bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert (
        client.post(reverse("api:order-list"), bad, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256).status_code
        == 400
    )


def test_idempotency_with_a_token(county_jinjiang, settings):
    """The header works for token clients (the middleware authenticates as the API does)."""
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(county_jinjiang)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = payload(county_jinjiang)
    first = client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="t")
    again = client.post(reverse("api:order-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="t")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_the_record_admin_is_read_only(personas):
    client = Client()
    client.force_login(personas["admin"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/core/idempotencyrecord/add/").status_code in (403, 302)


# --- 409 on a uniqueness rule -------------------------------------------------------------------------


@pytest.fixture
def published(make_order, drive):
    return drive(make_order(), OrderState.PUBLISHED)


def test_a_second_response_is_409(api, published, inst_dhu):
    url = reverse("api:order-responses", args=[published.pk])
    assert api(inst_dhu).post(url, PROPOSAL, format="json").status_code == 201
    second = api(inst_dhu).post(url, PROPOSAL, format="json")
    assert second.status_code == 409 and set(second.json()) == ERROR_KEYS
    assert second.json()["code"] == "duplicate"


def test_a_response_past_the_services_check_is_409(api, published, inst_dhu, monkeypatch):
    """The check in the service passed (a concurrent request), the unique rule decides: 409, not 500."""
    api(inst_dhu).post(reverse("api:order-responses", args=[published.pk]), PROPOSAL, format="json")
    real_filter = Proposal.objects.filter

    class Blind:
        def exists(self):
            return False

    monkeypatch.setattr(
        Proposal.objects,
        "filter",
        lambda *a, **kw: Blind() if {"order", "provider_org_id"} <= set(kw) else real_filter(*a, **kw),
    )
    second = api(inst_dhu).post(reverse("api:order-responses", args=[published.pk]), PROPOSAL, format="json")
    assert second.status_code == 409 and second.json()["code"] == "duplicate"


def test_any_integrity_error_of_a_unique_rule_is_409():
    from django.db import IntegrityError
    from rest_framework.views import APIView

    from core.errors import api_exception_handler

    cause = Exception()
    cause.sqlstate = "23505"
    exc = IntegrityError('duplicate key value violates unique constraint "x"')
    exc.__cause__ = cause
    answer = api_exception_handler(exc, {"view": APIView()})
    assert answer.status_code == 409 and answer.data["code"] == "duplicate"
    other = IntegrityError("NOT NULL constraint failed: x")
    assert api_exception_handler(other, {"view": APIView()}) is None  # not a uniqueness rule: left to Django


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        reason = "the race needs concurrent transactions with real row locks: set DATABASE_URL to PostgreSQL"
        if REQUIRED:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twelve_parallel_responses_give_one_201_and_eleven_409(on_postgresql, make_order, drive, inst_dhu):
    order = drive(make_order(), OrderState.PUBLISHED)
    url = reverse("api:order-responses", args=[order.pk])
    barrier = threading.Barrier(12)
    answers = []

    def post():
        from django.db import connections

        client = APIClient()
        client.force_authenticate(inst_dhu)
        try:
            barrier.wait()
            response = client.post(url, PROPOSAL, format="json")
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [409] * 11, answers
    assert all(
        set(body) == ERROR_KEYS and body["code"] == "duplicate" for status, body in answers if status == 409
    )
    assert Proposal.objects.filter(order=order).count() == 1


# --- malformed and nested JSON ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000,
        "{" * 50_000,
        '{"a":' * 50_000,
        "{not json",
        '{"title": NaN}',
        "\xff\xfe",
        '{"a": "\\ud800"',
    ],
    ids=["brackets", "braces", "objects", "malformed", "nan", "bad-bytes", "unterminated"],
)
def test_bad_json_is_400_in_the_error_shape(api, county_jinjiang, body):
    response = api(county_jinjiang).post(
        reverse("api:order-list"), body.encode("latin-1", errors="ignore"), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:200]
    assert set(response.json()) == ERROR_KEYS and response.json()["code"] == "parse_error"


def test_ordinary_nesting_still_parses(api, county_jinjiang, reference):
    firm = reference.Enterprise.objects.filter(county_id=county_jinjiang.organization.county_id).first()
    response = api(county_jinjiang).post(
        reverse("api:order-list"),
        payload(county_jinjiang, beneficiaries=[{"enterprise": firm.pk}]),
        format="json",
    )
    assert response.status_code == 201, response.content


def test_nesting_depth_is_counted_outside_strings():
    from core.parsers import nesting_depth

    assert nesting_depth('{"a": "[[[[[[[[", "b": [1, [2]]}') == 3
    assert nesting_depth('["\\"[[["]') == 1
