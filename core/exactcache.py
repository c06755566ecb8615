"""Cached database reads that a write never leaves stale: entries tagged with versions read before the database.

Each entry is stored with the current values of two tags: the cache's own (a write that concerns every entry
changes it) and its key's (a write that concerns one key changes it). A read takes the tags and the entry in one
round trip and uses the entry only when both tags still match; on a miss it reads the database and stores the
value under the tags it read *before* that read. A write changes the tags at once and again when its
transaction commits, so no interleaving keeps a value read before the commit: a reader that saw the old tags
stores under them (already replaced), one that saw the first new tags is outdated by the commit's. A missing tag
(a new key, an eviction) is started with a random value, never reused, so an old entry cannot match it again.
"""

import uuid
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

from core import readahead


class ExactCache:
    """Values of one kind (say the users' rows, by primary key) in the default cache, invalidated by tags."""

    def __init__(self, name: str, seconds: int):
        self.name, self.seconds = name, seconds
        self.all_key = f"{name}:tag"

    def _keys(self, key) -> tuple[str, str]:
        return f"{self.name}:tag:{key}", f"{self.name}:{key}"

    def read_keys(self, key) -> list[str]:
        """The cache keys `get_or_load(key)` reads (for core.readahead)."""
        return [self.all_key, *self._keys(key)]

    @staticmethod
    def _start(tag_key: str):
        cache.add(tag_key, uuid.uuid4().hex, None)
        return cache.get(tag_key)

    def get_or_load(self, key, load: Callable):
        """The cached value of the key, else `load()` (kept unless None)."""
        tag_key, entry_key = self._keys(key)
        keys = [self.all_key, tag_key, entry_key]
        found = readahead.take(keys)
        if found is None:
            found = cache.get_many(keys)
        tags, entry = (found.get(self.all_key), found.get(tag_key)), found.get(entry_key)
        if None in tags:
            tags = (tags[0] or self._start(self.all_key), tags[1] or self._start(tag_key))
        elif entry is not None and entry[0] == tags:
            return entry[1]
        value = load()
        if value is not None and None not in tags:
            cache.set(entry_key, (tags, value), self.seconds)
        return value

    def invalidate(self, keys: Iterable) -> None:
        """Outdate the entries of these keys, now and when the current transaction commits."""
        tag_keys = [self._keys(key)[0] for key in {key for key in keys if key is not None}]
        if tag_keys:
            self._retag(tag_keys)
            transaction.on_commit(lambda: self._retag(tag_keys))

    def invalidate_all(self, **kwargs) -> None:
        """Outdate every entry, now and when the current transaction commits (also a signal receiver)."""
        self._retag([self.all_key])
        transaction.on_commit(lambda: self._retag([self.all_key]))

    @staticmethod
    def _retag(tag_keys: list[str]) -> None:
        readahead.forget()
        cache.set_many({key: uuid.uuid4().hex for key in tag_keys}, None)
