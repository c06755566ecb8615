"""Order helpers of the matchmaking tests, shared with the operations tests."""

from tests.matchmaking.conftest import drive, make_order  # noqa: F401
