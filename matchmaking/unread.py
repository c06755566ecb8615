"""A user's number of unread messages (the navigation badge, the workbench), kept in the shared cache.

Exact (core.exactcache): every write that can change a recipient's count outdates that recipient's entry, now
and again once the writing transaction commits:
`Notification.save()` and `delete()` (signals), and the queryset's `bulk_create()` and `update()` of
`read_at` or the recipient (matchmaking.models.notifications.NotificationQuerySet), which send no signal.
Used only where the default cache is shared by every web process (UNREAD_CACHE, on with Redis).
"""

from collections.abc import Iterable

from django.conf import settings

from core.exactcache import ExactCache

counts = ExactCache("unread", 24 * 3600)


def enabled() -> bool:
    """Whether unread counts are cached (the default cache is shared by every web process)."""
    return settings.UNREAD_CACHE


def unread_count(user) -> int:
    """The user's number of unread notifications."""
    # Imported here: the models module imports this one for its invalidation hooks.
    from matchmaking.models import Notification

    def count() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return counts.get_or_load(user.pk, count) if enabled() else count()


def invalidate(user_ids: Iterable[int]) -> None:
    """Outdate the counts of these users, now and when the current transaction commits."""
    counts.invalidate(user_ids)
