"""Fixtures of the profiles tests: the order helpers of the matchmaking tests."""

from tests.matchmaking.conftest import drive, make_order  # noqa: F401
