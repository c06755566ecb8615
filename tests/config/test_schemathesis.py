"""Schemathesis against the app's own OpenAPI schema, in-process (WSGI), with EVERY check it has.

The county, the body and the provider each run every API operation (every method the schema lists), in
Schemathesis's two generation phases: the coverage phase (boundary values, missing and wrong-typed
parameters, undocumented methods; capped per operation, picked deterministically) and the fuzzing phase
(bounded and derandomized Hypothesis cases, positive and negative; path ids drawn mostly from real objects
in every state so the calls reach the services, not only the 404 branch). Every response goes through all
checks registered by `schemathesis.checks` (not a 5xx, a documented status, content type, headers and
body, negative data rejected, positive data accepted, undocumented methods answered 405 with `Allow`,
authentication enforced, …). A failing case is recorded, not shrunk, so one run lists every disagreement;
the figures (cases per persona, failures per check) are printed at the end (`pytest -s` shows them).
"""

import contextlib
import os
from collections import Counter, defaultdict

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import Failure
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override

from matchmaking import services
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Notification, Order, Proposal

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())
# Cases per operation: (coverage-phase cases drawn evenly from its list, fuzzing cases per generation mode,
# undocumented methods probed per path). The county runs the most; the body and the provider run every
# operation too, with fewer cases (routing and method handling do not depend on the persona).
BUDGETS = {"county_jinjiang": (4, 1, 2), "anonymous": (6, 2, 6)}
SMALL_BUDGET = (2, 1, 1)
# Probes every coverage run keeps whatever the cap: undocumented methods and missing required headers.
KEPT_SCENARIOS = {"unspecified_http_method", "missing_parameter"}
# Logging out revokes the token the persona runs with: those operations get a fresh token per case.
LOGOUT_PATHS = ("/api/v1/auth/logout/", "/api/v1/auth/logout-all/")
# Kind-specific inputs, so that generated orders also get past the kind's required fields.
KIND_FIELDS = {
    "innovation": {"tech_field": "纺织材料", "expected_outcome": "形成可量产的工艺方案"},
    "capital": {"amount_yuan": 5_000_000, "financing_type": "loan"},
    "talent": {"headcount": 3, "talent_profile": "纺织工程高级工程师"},
    "industry": {"wanted_link": "upstream", "products": "再生涤纶长丝"},
}
# Disagreements left on purpose, each with its reason (documented in the README): JSON Schema cannot say them.
KNOWN = {
    ("POST /api/v1/events/", "positive_data_acceptance"): (
        "cross-field rule: the meetings' start, count and tables go together (OpenAPI 3.0 has no dependentRequired)"
    ),
    ("POST /api/v1/auth/token/", "positive_data_acceptance"): (
        "wrong credentials answer 400 invalid_credentials: the token endpoint's contract with its clients"
    ),
}
# `SCHEMATHESIS_ONLY=/api/v1/orders/` limits a run to the paths starting with it (while fixing a disagreement).
ONLY = os.environ.get("SCHEMATHESIS_ONLY", "")
# Figures of the last run, printed at the end of each test (`pytest -s` shows them).
FIGURES: dict[str, Counter] = defaultdict(Counter)
STATUSES: dict[str, Counter] = defaultdict(Counter)
BY_CHECK: dict[str, Counter] = defaultdict(Counter)

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
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/hour")
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
    return st.one_of(real, real, operation.as_strategy(generation_mode=mode))


def _coverage_cases(operation, seen_probes: Counter, budget) -> list:
    """The coverage phase's cases for one operation: the kept probes, then an even sample of the rest."""
    generation = operation.schema.config.generation_for(operation=operation, phase="coverage")
    generator = CoverageGenerator(
        operation=operation,
        generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=generation,
        auth_storage=None,
        override=Override(),
        feedback=FeedbackSources(),
    )
    kept, rest = [], []
    for case in generator:
        scenario = getattr(getattr(case.meta.phase, "data", None), "scenario", None)
        scenario = str(getattr(scenario, "value", scenario))
        if scenario == "unspecified_http_method":
            # Probes per path, not per operation: every operation of a path would repeat them.
            if (operation.path, case.method) in seen_probes or seen_probes[operation.path] >= budget[2]:
                continue
            seen_probes[operation.path] += 1
            seen_probes[(operation.path, case.method)] += 1
        (kept if scenario in KEPT_SCENARIOS else rest).append(case)
    step = max(1, len(rest) // budget[0])
    return kept + rest[::step][: budget[0]]


def _names_missing_objects(response) -> bool:
    """A 400 whose every field error says a referenced object does not exist: data a schema cannot rule out (an
    id or code in the allowed range that names nothing), so valid-looking data the API rightly rejects."""
    if response.status_code != 400:
        return False
    try:
        fields = response.json().get("fields") or {}
    except ValueError:
        return False
    messages = [message for found in fields.values() for message in found]
    return bool(messages) and all("不存在" in message for message in messages)


class Runner:
    """Sends cases as one persona, runs every check on each response and records what fails."""

    def __init__(self, persona: str, user):
        self.persona = persona
        self.user = user
        self.token = AuthToken.objects.create(user=user)[1] if user else None
        self.figures = FIGURES[persona]
        self.statuses = STATUSES[persona]
        self.by_check = BY_CHECK[persona]
        self.failures: dict[tuple[str, str], str] = {}  # (operation, check) → first report
        self.seen_probes: Counter = Counter()
        self.budget = BUDGETS.get(persona, SMALL_BUDGET)

    def headers_for(self, operation) -> dict:
        token = self.token
        if self.user is not None and operation.path in LOGOUT_PATHS:
            token = AuthToken.objects.create(user=self.user)[1]
        return {"Authorization": f"Token {token}"} if token else {}

    def run(self, case, phase: str):
        headers = self.headers_for(case.operation)
        self.figures["cases"] += 1
        self.figures[f"cases {phase}"] += 1
        response = case.call(headers=headers)
        self.statuses[f"{response.request.method} {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=ALL_CHECKS, headers=headers)
        except (Failure, BaseExceptionGroup) as exc:
            for failure in getattr(exc, "exceptions", (exc,)):
                check = ",".join(getattr(failure, "checks", ())) or type(failure).__name__
                key = (case.operation.label, check)
                if key in KNOWN:
                    self.figures["known"] += 1
                    continue
                if check == "positive_data_acceptance" and _names_missing_objects(response):
                    self.figures["unknown references"] += 1
                    continue
                self.by_check[check] += 1
                if key not in self.failures:
                    sent = f"{response.request.method} {response.request.url} body={str(case.body)[:300]}"
                    answer = f"{response.status_code} {response.text[:300]}"
                    self.failures[key] = (
                        f"{self.persona} {key[0]} [{phase}] {check}: {str(failure)[:800]}\n  sent: {sent}"
                        f"\n  answer: {answer}"
                    )

    def fuzz(self, operation, mode, world):
        @hsettings(
            max_examples=self.budget[1],
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )
        @given(case=_strategy(operation, mode, world))
        def check(case):
            self.run(case, f"fuzzing-{mode.value}")

        with contextlib.suppress(Unsatisfiable):  # nothing to negate (no parameters, no body)
            check()

    def run_operations(self, schema, world, include) -> list[str]:
        operations = [result.ok() for result in schema.get_all_operations()]
        # Logging out (all tokens) last: it revokes the persona's own token too.
        for operation in sorted(operations, key=lambda op: op.path in LOGOUT_PATHS):
            if not include(operation) or not operation.path.startswith(ONLY):
                continue
            self.figures["operations"] += 1
            for case in _coverage_cases(operation, self.seen_probes, self.budget):
                self.run(case, "coverage")
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                self.fuzz(operation, mode, world)
        self.figures["failures"] = len(self.failures)
        return list(self.failures.values())


def _report(persona: str) -> str:
    return (
        f"\nschemathesis {persona}: {dict(FIGURES[persona])}"
        f"\n  failing cases per check: {dict(sorted(BY_CHECK[persona].items()))}"
        f"\n  statuses: {dict(sorted(STATUSES[persona].items()))}"
    )


@pytest.mark.parametrize("persona", ["county_jinjiang", "body_kjt", "inst_dhu"])
def test_schema_holds_for_persona(schema, world, personas, persona):
    runner = Runner(persona, personas[persona])
    failures = runner.run_operations(schema, world, lambda op: op.path != "/api/v1/auth/token/")
    print(_report(persona))
    figures = FIGURES[persona]
    if not ONLY:  # actions reached the services
        assert STATUSES[persona]["POST 200"] + STATUSES[persona]["POST 201"] > 0
    assert (ONLY or figures["operations"] >= 100) and figures["cases coverage"] > 0 and figures["cases"] > 0
    assert not failures, f"{len(failures)} disagreements:\n\n" + "\n\n".join(failures)


def test_schema_holds_for_anonymous(schema, world):
    paths = (
        "/api/v1/auth/token/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/logout-all/",
        "/api/v1/orders/",
        "/api/v1/orders/{id}/",
        "/api/v1/notifications/",
    )
    runner = Runner("anonymous", None)
    failures = runner.run_operations(schema, world, lambda op: op.path in paths)
    print(_report("anonymous"))
    assert not failures, f"{len(failures)} disagreements:\n\n" + "\n\n".join(failures)
