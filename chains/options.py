"""The regions and chain types as (value, name) options for the order lists' filter bars, cached briefly.

Every order list page offered them with three queries; they are reference data that change a few times a year.
The lists are kept in the default cache for OPTIONS_SECONDS and dropped when a prefecture, county or chain type
is saved or deleted through the ORM (bulk writes, which send no signal, show after at most OPTIONS_SECONDS).
Each computation of the lists carries a new "version", so what is derived from them (the order lists' blank
filter bar, matchmaking.filtersets) can be kept by that version.
"""

import uuid

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chains.models import ChainType, County, Prefecture

OPTIONS_KEY = "chains:filter-options:v2"
OPTIONS_SECONDS = 60


def filter_options() -> dict:
    """{"prefecture": [(pk, name)…], "county": [(pk, name)…], "chain_type": [(code, name)…]}, in display order,
    and "version": a token new with every computation of the lists."""
    options = cache.get(OPTIONS_KEY)
    if options is None:
        options = {
            "prefecture": list(Prefecture.objects.values_list("pk", "name")),
            "county": list(County.objects.values_list("pk", "name")),
            "chain_type": list(ChainType.objects.values_list("code", "name")),
            "version": uuid.uuid4().hex,
        }
        cache.set(OPTIONS_KEY, options, OPTIONS_SECONDS)
    return options


@receiver(post_save, sender=Prefecture, dispatch_uid="chains_options_prefecture_saved")
@receiver(post_delete, sender=Prefecture, dispatch_uid="chains_options_prefecture_deleted")
@receiver(post_save, sender=County, dispatch_uid="chains_options_county_saved")
@receiver(post_delete, sender=County, dispatch_uid="chains_options_county_deleted")
@receiver(post_save, sender=ChainType, dispatch_uid="chains_options_chain_type_saved")
@receiver(post_delete, sender=ChainType, dispatch_uid="chains_options_chain_type_deleted")
def forget_filter_options(sender, **kwargs):
    """A region or chain type changed: the next filter bar reads the lists again."""
    cache.delete(OPTIONS_KEY)
