"""The signed-in user's row, kept in the shared cache for the session check of each request.

Every signed-in request loads its user (`django.contrib.auth.get_user`: a SELECT by primary key) before Django
compares the session's hash with the password and checks `is_active`. That load alone is served from the cache
(accounts.middleware.AuthenticationMiddleware sets `loading()` around it; `UserManager.get(pk=…)` asks here), and the check
itself stays Django's. Exact (core.exactcache): a user's save or deletion outdates their entry, `update()` or
`bulk_update()` on users and migrations every entry, at once and when the transaction commits, so a password
change, a deactivation or a new role reaches the next request. Entries live 5 minutes. Only where the default
cache is shared by all web processes (USER_CACHE, on with Redis).

Read ahead (core.readahead): a signed-in request's first cache reads — its session, its user's entry, their
organisation's (accounts.orgcache) and, on pages, the per-user entries other apps register here
(`read_along`: matchmaking.unread's count) — go out in one round trip instead of one each. The user and the
organisation are named from what the previous request of the same session found (kept per process); a guess
that no longer holds only means its keys are not the ones then asked for, which are read as before.
"""

import contextvars
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSession
from django.core.cache import DEFAULT_CACHE_ALIAS

from accounts import orgcache
from core import readahead
from core.exactcache import ExactCache

# Short, so that even a write whose invalidation Redis lost (a crash before its AOF fsync) reaches sessions soon.
users = ExactCache("session-user", 300)
_loading = contextvars.ContextVar("session_user_loading", default=False)
# Per-user caches of other apps read on pages (not under /api/), each with its on/off switch: read ahead with
# the user (read_along).
_along: list[tuple[ExactCache, Callable[[], bool]]] = []
# Session key -> (user pk, organisation pk) found by the session's last request in this process.
_hints: dict[str, tuple] = {}
HINTS_MAX = 20_000  # sessions remembered per process; the table starts over beyond (only guesses are lost)


def enabled() -> bool:
    """Whether session users are cached (the default cache is shared by every web process)."""
    return settings.USER_CACHE


def loading() -> bool:
    """Whether the request's user is being loaded for its session right now."""
    return _loading.get()


@contextmanager
def loading_session_user():
    """Mark the block as the loading of the request's user for its session."""
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


def forget_user(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a user: outdate their entry."""
    users.invalidate([instance.pk])


def forget_all(**kwargs) -> None:
    """Outdate every entry (update() or bulk_update() on users, a migration)."""
    users.invalidate_all()


def read_along(per_user: ExactCache, enabled: Callable[[], bool]) -> None:
    """Read this cache's entry of the session user ahead with the user's own on every page while `enabled()`
    (idempotent)."""
    if all(known is not per_user for known, _enabled in _along):
        _along.append((per_user, enabled))


def read_ahead(request) -> None:
    """One round trip for the session, its user's entry, their organisation's and the per-user entries of
    `read_along` (pages only), named from the session's previous request; nothing without one."""
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    hint = _hints.get(session_key) if session_key else None
    if hint is None:
        return
    user_pk, org_pk = hint
    keys = users.read_keys(user_pk)
    if orgcache.enabled() and org_pk is not None:
        keys += orgcache.organizations.read_keys(org_pk)
    if not request.path.startswith("/api/"):
        for per_user, along in _along:
            if along():
                keys += per_user.read_keys(user_pk)
    session_cached = (
        type(session) is CachedDbSession
        and settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS
        and not hasattr(session, "_session_cache")
    )
    if session_cached:
        keys.append(session.cache_key)
    found = readahead.read(keys)
    if session_cached and session.cache_key in found:
        # What cached_db's load() returns on a cache hit, without asking the cache again.
        session._session_cache = found[session.cache_key]


def remember(request, user) -> None:
    """Keep the session's user and organisation as the guess for its next request (forget a signed-out one)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if not session_key:
        return
    if not getattr(user, "is_authenticated", False):
        _hints.pop(session_key, None)
        return
    if len(_hints) >= HINTS_MAX and session_key not in _hints:
        _hints.clear()
    _hints[session_key] = (user.pk, user.organization_id)
