"""Default-cache reads made ahead, together, in one round trip: for a request that will read several keys it
can name at its start (the session, the session user's row, their organisation and unread count), one
`get_many` instead of one round trip each (~0.06-0.08 ms of CPU apiece).

`read(keys)` fetches the keys and keeps what it found (and what it did not) for the current context; `take(keys)`
hands the kept values over, once, when every one of the keys was read ahead, else None (the caller then reads
the cache itself). Kept values are only those of the current request: `begin()` starts an empty store,
`end()` drops it, and any invalidation of a core.exactcache entry drops it too (`forget()`), so a value read
ahead is never used after a write in the same request. Reading ahead only moves reads a moment earlier in the
same request; what each reader does with the values (core.exactcache's tag checks) is unchanged.
"""

import contextvars
from collections.abc import Iterable

from django.core.cache import cache

_MISSING = object()
_ahead: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cache_read_ahead", default=None)


def begin() -> None:
    """Start an empty store for the current request."""
    _ahead.set({})


def end() -> None:
    """Drop the current request's store."""
    _ahead.set(None)


def forget() -> None:
    """Drop every value read ahead (a cached entry is being outdated)."""
    store = _ahead.get()
    if store:
        store.clear()


def read(keys: Iterable[str]) -> dict:
    """Fetch the keys in one round trip and keep them for `take`; the values found, as `cache.get_many`."""
    keys = list(keys)
    found = cache.get_many(keys)
    store = _ahead.get()
    if store is not None:
        store.update({key: found.get(key, _MISSING) for key in keys})
    return found


def take(keys: list[str]) -> dict | None:
    """The values of the keys as `cache.get_many` would answer, if all of them were read ahead (each handed
    over once); else None."""
    store = _ahead.get()
    if not store or any(key not in store for key in keys):
        return None
    values = [(key, store.pop(key)) for key in keys]
    return {key: value for key, value in values if value is not _MISSING}
