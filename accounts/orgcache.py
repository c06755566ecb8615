"""The signed-in user's organisation (with its county and provincial body), kept in the shared cache.

Every signed-in page builds the user's Scope from their organisation: without this, one SELECT with two joins
per request. Exact (core.exactcache): any write to an organisation, county or provincial body (save, delete,
`Organization.objects.update()`, a migration) outdates every entry, at once and when its transaction commits.
Used only where the default cache is shared by all web processes (ORG_CACHE, on with Redis): a per-process
cache would miss other processes' writes.
"""

from django.conf import settings

from core.exactcache import ExactCache

organizations = ExactCache("scope-org", 24 * 3600)


def enabled() -> bool:
    """Whether organisations are cached (the default cache is shared by every web process)."""
    return settings.ORG_CACHE


def bump(**kwargs) -> None:
    """Outdate every cached organisation (a signal receiver too)."""
    organizations.invalidate_all()
