"""A user's number of unread messages (the navigation badge, the workbench), kept in the shared cache.

Exact: every write that can change a recipient's count drops that recipient's entry, now and again once the
writing transaction commits (so a request that counted before the commit cannot keep the old figure):
`Notification.save()` and `delete()` (signals), and the queryset's `bulk_create()` and `update()` of
`read_at` or the recipient (matchmaking.models.notifications.NotificationQuerySet), which send no signal.
Used only where the default cache is shared by every web process (UNREAD_CACHE, on with Redis).
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

KEY = "unread:{}"
SECONDS = 24 * 3600


def enabled() -> bool:
    """Whether unread counts are cached (the default cache is shared by every web process)."""
    return settings.UNREAD_CACHE


def unread_count(user) -> int:
    """The user's number of unread notifications."""
    # Imported here: the models module imports this one for its invalidation hooks.
    from matchmaking.models import Notification

    if not enabled():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    key = KEY.format(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, SECONDS)
    return count


def _drop(keys: list[str]) -> None:
    cache.delete_many(keys)


def invalidate(user_ids: Iterable[int]) -> None:
    """Forget the counts of these users, now and when the current transaction commits."""
    keys = [KEY.format(pk) for pk in {pk for pk in user_ids if pk is not None}]
    if not keys:
        return
    _drop(keys)
    transaction.on_commit(lambda: _drop(keys))
