"""Schemathesis against the app's own OpenAPI schema, in-process (WSGI), as the county, body and provider.

For every GET/POST/PATCH operation, positive and negative cases are generated from the schema (bounded and
derandomized so the run is repeatable and short); path ids are drawn mostly from real objects in every
state so the calls reach the services, not only the 404 branch. Every response must be: not a 5xx, a
documented status, the documented content type, and valid against the documented schema.
"""

from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from matchmaking import services
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Notification, Order, Proposal

EXAMPLES = 10  # per operation, persona and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
METHODS = {"GET", "POST", "PATCH"}
# Catalog operations behave the same for every logged-in persona: only the county persona runs them.
SCOPED_PREFIXES = ("/api/v1/orders/", "/api/v1/responses/", "/api/v1/notifications/")
# Kind-specific inputs, so that generated orders also get past the kind's required fields.
KIND_FIELDS = {
    "innovation": {"tech_field": "纺织材料", "expected_outcome": "形成可量产的工艺方案"},
    "capital": {"amount_yuan": 5_000_000, "financing_type": "loan"},
    "talent": {"headcount": 3, "talent_profile": "纺织工程高级工程师"},
    "industry": {"wanted_link": "upstream", "products": "再生涤纶长丝"},
}
# Figures of the last run, printed at the end of the module (`pytest -s` shows them).
FIGURES: dict[str, dict[str, int]] = {}
STATUSES: dict[str, Counter] = {}

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, keeping the test transaction's connection open across requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def schema(wsgi_app, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "order_create": "100000/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    cache.clear()
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    cache.clear()


@pytest.fixture
def world(make_order, drive, county_luoyuan, bank_cib, personas):
    """Orders in every state of the loop (plus a capital one and another county's), responses, messages."""
    orders = [
        drive(make_order(), state)
        for state in (
            OrderState.DRAFT,
            OrderState.SUBMITTED,
            OrderState.PUBLISHED,
            OrderState.CLAIMED,
            OrderState.DOCKING,
        )
    ]
    orders.append(drive(make_order(kind=OrderKind.CAPITAL, amount_yuan=3_000_000), OrderState.PUBLISHED))
    orders.append(make_order(by=county_luoyuan))
    services.respond(orders[2], by=bank_cib, proposal="可提供科技贷款支持联合攻关。")
    return {
        "chain": orders[0].chain_id,
        "orders": [o.pk for o in Order.objects.order_by("pk")],
        "responses": list(Proposal.objects.values_list("pk", flat=True)),
        "notifications": list(Notification.objects.values_list("pk", flat=True)),
    }


def _ids_for(path: str, world) -> list[int]:
    if path.startswith("/api/v1/orders/"):
        return world["orders"]
    if path.startswith("/api/v1/responses/"):
        return world["responses"]
    if path.startswith("/api/v1/notifications/"):
        return world["notifications"]
    return []


def _with_own_chain(world):
    """Point a generated order body at a chain of 晋江市 (random ids almost never name one)."""

    def fix(case):
        if isinstance(case.body, dict):
            kind = case.body.get("kind") if case.body.get("kind") in KIND_FIELDS else "innovation"
            case.body = {
                **case.body,
                "kind": kind,
                "chain": world["chain"],
                "link": None,
                **KIND_FIELDS[kind],
            }
        return case

    return fix


def _strategy(operation, mode, world):
    if operation.path in ("/api/v1/orders/", "/api/v1/orders/{id}/") and operation.method.upper() in (
        "POST",
        "PATCH",
    ):
        base = _plain_strategy(operation, mode, world)
        if mode is GenerationMode.POSITIVE:
            return st.one_of(base, base.map(_with_own_chain(world)))
        return base
    return _plain_strategy(operation, mode, world)


def _plain_strategy(operation, mode, world):
    ids = _ids_for(operation.path, world)
    if "{id}" not in operation.path or not ids or mode is GenerationMode.NEGATIVE:
        return operation.as_strategy(generation_mode=mode)
    real = st.sampled_from(ids).flatmap(
        lambda pk: operation.as_strategy(generation_mode=mode, path_parameters={"id": pk})
    )
    return st.one_of(real, real, real, operation.as_strategy(generation_mode=mode))


def _describe(exc) -> str:
    text = str(exc)
    for sub in getattr(exc, "exceptions", ()):
        text += "\n" + str(sub)
    return text.strip()[:3000]


def _make_check(operation, mode, world, headers, figures, statuses):
    """A bounded, derandomized Hypothesis test of one operation in one generation mode."""
    method = operation.method.upper()

    @hsettings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=_strategy(operation, mode, world))
    def check(case):
        figures["cases"] += 1
        response = case.call(headers=headers)
        statuses[f"{method} {response.status_code}"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    return check


def run_operations(schema, world, persona: str, token: str | None, include) -> list[str]:
    """Run every selected operation in both modes; return failure reports (empty = all passed)."""
    failures = []
    figures = FIGURES.setdefault(persona, {"operations": 0, "cases": 0, "failures": 0})
    statuses = STATUSES.setdefault(persona, Counter())
    headers = {"Authorization": f"Token {token}"} if token else {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in METHODS or not include(operation):
            continue
        figures["operations"] += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            check = _make_check(operation, mode, world, headers, figures, statuses)
            try:
                check()
            except Unsatisfiable:
                continue  # nothing to negate (an operation without parameters or body)
            except (Exception, BaseExceptionGroup) as exc:  # record the failure, go on with the rest
                figures["failures"] += 1
                failures.append(f"{persona} {operation.label} [{mode.value}]: {_describe(exc)}")
    return failures


def _persona_operations(persona):
    if persona == "county_jinjiang":
        return lambda op: "/auth/" not in op.path  # logging in or out is not this token's business
    return lambda op: op.path.startswith(SCOPED_PREFIXES)


@pytest.mark.parametrize("persona", ["county_jinjiang", "body_kjt", "inst_dhu"])
def test_schema_holds_for_persona(schema, world, personas, persona):
    _instance, token = AuthToken.objects.create(user=personas[persona])
    failures = run_operations(schema, world, persona, token, _persona_operations(persona))
    figures = FIGURES[persona]
    print(f"\nschemathesis {persona}: {figures} {dict(sorted(STATUSES[persona].items()))}")
    assert STATUSES[persona]["POST 200"] > 0  # some actions got through to the services
    assert figures["operations"] >= (40 if persona == "county_jinjiang" else 20) and figures["cases"] > 0
    assert not failures, "\n\n".join(failures)


def test_schema_holds_for_anonymous(schema, world):
    paths = (
        "/api/v1/auth/token/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/logout-all/",
        "/api/v1/orders/",
        "/api/v1/orders/{id}/",
        "/api/v1/notifications/",
    )
    failures = run_operations(schema, world, "anonymous", None, lambda op: op.path in paths)
    print(f"\nschemathesis anonymous: {FIGURES['anonymous']}")
    assert not failures, "\n\n".join(failures)
