"""core.exactcache: a value read before a write is never served after it."""

import pytest
from django.db import transaction

from core.exactcache import ExactCache

pytestmark = pytest.mark.django_db


def test_a_hit_does_not_load_again():
    cache = ExactCache("t-hit", 60)
    assert cache.get_or_load(1, lambda: "first") == "first"
    assert cache.get_or_load(1, lambda: "second") == "first"
    assert cache.get_or_load(2, lambda: "other") == "other"


def test_a_write_during_the_load_outdates_what_the_load_read():
    cache = ExactCache("t-race", 60)
    cache.get_or_load(1, lambda: "cached")

    def load_while_a_writer_commits():
        cache.invalidate([1])  # the writer's change lands after the reader took the tags
        return "read before the write"

    cache.invalidate([1])
    assert cache.get_or_load(1, load_while_a_writer_commits) == "read before the write"
    assert cache.get_or_load(1, lambda: "after the write") == "after the write"


def test_invalidating_all_outdates_every_key():
    cache = ExactCache("t-all", 60)
    cache.get_or_load(1, lambda: "a")
    cache.get_or_load(2, lambda: "b")
    cache.invalidate([1])
    assert cache.get_or_load(1, lambda: "a2") == "a2"
    assert cache.get_or_load(2, lambda: "b2") == "b"
    cache.invalidate_all()
    assert cache.get_or_load(2, lambda: "b3") == "b3"


def test_a_write_is_invalidated_again_when_its_transaction_commits(django_capture_on_commit_callbacks):
    cache = ExactCache("t-commit", 60)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        cache.invalidate([1])
        # A reader inside the writer's window caches the row as it was before the commit.
        assert cache.get_or_load(1, lambda: "before commit") == "before commit"
    assert cache.get_or_load(1, lambda: "committed") == "committed"
