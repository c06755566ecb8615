"""The signed-in user's row, kept in the shared cache for the session check of each request.

Every signed-in request loads its user (`django.contrib.auth.get_user`: a SELECT by primary key) before Django
compares the session's hash with the password and checks `is_active`. That load alone is served from the cache
(accounts.middleware.AuthenticationMiddleware sets `loading()` around it; `UserManager.get(pk=…)` asks here), and the check
itself stays Django's. Exact: a user's save or deletion drops their entry, `update()`/`bulk_update()` on users
and migrations start a new version of every entry, each now and again when the writing transaction commits, so a
password change, a deactivation or a new role reaches the next request. Only where the default cache is shared
by all web processes (USER_CACHE, on with Redis).
"""

import contextvars
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "session-user:version"
ENTRY_KEY = "session-user:{}"
# Short, so that even a write whose invalidation Redis lost (a crash before its AOF fsync) reaches sessions soon.
ENTRY_SECONDS = 300
_loading = contextvars.ContextVar("session_user_loading", default=False)


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


def fetch(pk, load):
    """The user with this primary key from the cache, else `load()` (kept for the next requests)."""
    found = cache.get_many([VERSION_KEY, ENTRY_KEY.format(pk)])
    version, entry = found.get(VERSION_KEY), found.get(ENTRY_KEY.format(pk))
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    user = load()
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            return user  # another process started a version meanwhile: keep the user next time
    cache.set(ENTRY_KEY.format(pk), (version, user), ENTRY_SECONDS)
    return user


def forget(pk) -> None:
    """Drop one user's entry, now and when the current transaction commits."""
    key = ENTRY_KEY.format(pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_user(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a user."""
    forget(instance.pk)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def forget_all(**kwargs) -> None:
    """Drop every entry (a new version), now and when the current transaction commits."""
    _new_version()
    transaction.on_commit(_new_version)
