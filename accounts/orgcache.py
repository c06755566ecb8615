"""The signed-in user's organisation (with its county and provincial body), kept in the shared cache.

Every signed-in page builds the user's Scope from their organisation: without this, one SELECT with two joins
per request. The cached copy is exact: every entry carries the directory version it was read under, and any
write to an organisation, county or provincial body (save, delete, `Organization.objects.update()`, a
migration) sets a new version, also once the writing transaction commits, so a request that read the row
before the commit cannot keep its stale copy. Used only where the default cache is shared by all web processes
(ORG_CACHE, on with Redis): a per-process cache would miss other processes' writes.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "scope-org:version"
ENTRY_KEY = "scope-org:{}"
ENTRY_SECONDS = 24 * 3600


def enabled() -> bool:
    """Whether organisations are cached (the default cache is shared by every web process)."""
    return settings.ORG_CACHE


def get(org_id: int):
    """The cached organisation (county and provincial body attached), or None when absent or outdated."""
    found = cache.get_many([VERSION_KEY, ENTRY_KEY.format(org_id)])
    version, entry = found.get(VERSION_KEY), found.get(ENTRY_KEY.format(org_id))
    if version is None or entry is None or entry[0] != version:
        return None
    return entry[1]


def store(org) -> None:
    """Keep the organisation as read under the current version (starting a version if there is none)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            return  # another process started one meanwhile: store next time
    cache.set(ENTRY_KEY.format(org.pk), (version, org), ENTRY_SECONDS)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def bump(**kwargs) -> None:
    """Invalidate every cached organisation now and again when the current transaction commits."""
    _new_version()
    transaction.on_commit(_new_version)
