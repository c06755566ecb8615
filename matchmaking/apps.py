"""App config for the orders and matching domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    """Orders, workflow, matching, notifications."""

    name = "matchmaking"
    verbose_name = _("供需对接")

    def ready(self):
        """Connect the catalog-change signals, the summary-table receivers, the chain-registry notifications and
        the matching check; read the unread count ahead with the session user (accounts.usercache)."""
        # Imported once the models are ready (Django's way of registering receivers, hooks and checks).
        from accounts import usercache
        from matchmaking import chain_notifications, chain_page, match_index, signals, tally_signals, unread  # noqa: F401

        usercache.read_along(unread.counts, unread.enabled)
