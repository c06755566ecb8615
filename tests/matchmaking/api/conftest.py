"""API test helpers: clients per persona, order payloads with ids, and the order fixtures of the domain tests."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from matchmaking.choices import OrderKind
from tests.matchmaking.conftest import drive, make_order, order_data  # noqa: F401 (fixtures re-used here)


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache: start every API test without earlier tests' requests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """`api(user)` → an APIClient authenticated as the user; `api(None)` → anonymous."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def payload(county_user, kind=OrderKind.INNOVATION, **overrides) -> dict:
    """A valid JSON body for POST /api/v1/orders/ for the user's county."""
    data = order_data(county_user, kind)
    data["chain"] = data["chain"].pk
    data["link"] = data["link"].pk
    data["due_date"] = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    data.update(overrides)
    return data


@pytest.fixture
def no_scope_user(db):
    """An authenticated user with no organization: sees nothing, may do nothing."""
    from accounts.models import User

    return User.objects.create_user("drifter", email="drifter@example.com", password="x")


@pytest.fixture
def gxt_user(db, personas):
    """A member of 省工信厅 (also takes innovation needs): the second body in claim races."""
    from accounts.models import User

    # the demo persona of 省工信厅 (it also confirms county key chains)
    return User.objects.select_related("organization").get(username="body_gxt")
