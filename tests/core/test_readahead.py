"""core.readahead: values read ahead are handed over once, only whole, and never after an invalidation."""

import pytest
from django.core.cache import cache

from core import readahead
from core.exactcache import ExactCache


@pytest.fixture
def _store():
    readahead.begin()
    yield
    readahead.end()


@pytest.mark.usefixtures("_store")
def test_taken_once_and_only_when_every_key_was_read():
    cache.set("ra-a", 1)
    assert readahead.read(["ra-a", "ra-b"]) == {"ra-a": 1}
    assert readahead.take(["ra-a", "ra-c"]) is None
    assert readahead.take(["ra-a", "ra-b"]) == {"ra-a": 1}
    assert readahead.take(["ra-a"]) is None


def test_nothing_is_kept_outside_a_request():
    cache.set("ra-a", 1)
    assert readahead.read(["ra-a"]) == {"ra-a": 1}
    assert readahead.take(["ra-a"]) is None


@pytest.mark.usefixtures("_store")
def test_an_exact_cache_serves_what_was_read_ahead():
    exact = ExactCache("t-ahead", 60)
    assert exact.get_or_load(1, lambda: "first") == "first"
    readahead.read(exact.read_keys(1))
    cache.delete("t-ahead:1")  # gone from the cache: the value read ahead is still served, once
    assert exact.get_or_load(1, lambda: "loaded") == "first"
    assert exact.get_or_load(1, lambda: "loaded") == "loaded"


@pytest.mark.django_db  # an invalidation is repeated when the transaction commits
@pytest.mark.usefixtures("_store")
def test_an_invalidation_drops_the_values_read_ahead():
    exact = ExactCache("t-ahead-write", 60)
    exact.get_or_load(1, lambda: "old")
    readahead.read(exact.read_keys(1))
    exact.invalidate([1])
    assert exact.get_or_load(1, lambda: "new") == "new"
