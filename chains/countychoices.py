"""The new-order form's selects of a county (its orderable chains, their links, its catalogue's firms), kept in the
shared cache: the form page read them with three queries on every request, for rows that change a few times a
year.

Exact (core.exactcache): any write to a county chain, chain type, chain link or enterprise outdates every entry, at
once and when its transaction commits: a save or deletion (signals, chains.signals), the querysets' `update()`,
`bulk_create()` and `bulk_update()` (chains.models.ChoiceRowsQuerySet), a migration. Used only where the default
cache is shared by all web processes (ORG_CACHE, on with Redis): a per-process cache would miss other processes'
writes.
"""

from django.conf import settings

from core.exactcache import ExactCache

county_choices = ExactCache("county-choices", 24 * 3600)


def enabled() -> bool:
    """Whether the selects are cached (the default cache is shared by every web process)."""
    return settings.ORG_CACHE


def bump(**kwargs) -> None:
    """Outdate every cached select (a signal receiver too)."""
    county_choices.invalidate_all()


def connect() -> None:
    """Outdate the cached selects on every save or deletion of their rows, and after a migration."""
    from django.db.models.signals import post_delete, post_migrate, post_save

    # chains.models imports this module: its models are imported when the signals are connected
    from chains.models import ChainLink, ChainType, CountyChain, Enterprise

    for model in (ChainLink, ChainType, CountyChain, Enterprise):
        post_save.connect(bump, sender=model, dispatch_uid=f"countychoices_save_{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"countychoices_delete_{model.__name__}")
    post_migrate.connect(bump, dispatch_uid="countychoices_migrate")
