"""The API test helpers (clients per persona, fresh throttles; tests/matchmaking/api/conftest.py) here too."""

from tests.matchmaking.api.conftest import api, fresh_throttles, gxt_user, no_scope_user  # noqa: F401
from tests.matchmaking.conftest import drive, make_order  # noqa: F401 (fixtures re-used here)
