"""The signed-in user's row, kept in the shared cache for the session check of each request.

Every signed-in request loads its user (`django.contrib.auth.get_user`: a SELECT by primary key) before Django
compares the session's hash with the password and checks `is_active`. That load alone is served from the cache
(accounts.middleware.AuthenticationMiddleware sets `loading()` around it; `UserManager.get(pk=…)` asks here), and the check
itself stays Django's. Exact (core.exactcache): a user's save or deletion outdates their entry, `update()` or
`bulk_update()` on users and migrations every entry, at once and when the transaction commits, so a password
change, a deactivation or a new role reaches the next request. Entries live 5 minutes. Only where the default
cache is shared by all web processes (USER_CACHE, on with Redis).
"""

import contextvars
from contextlib import contextmanager

from django.conf import settings

from core.exactcache import ExactCache

# Short, so that even a write whose invalidation Redis lost (a crash before its AOF fsync) reaches sessions soon.
users = ExactCache("session-user", 300)
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


def forget_user(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a user: outdate their entry."""
    users.invalidate([instance.pk])


def forget_all(**kwargs) -> None:
    """Outdate every entry (update() or bulk_update() on users, a migration)."""
    users.invalidate_all()
