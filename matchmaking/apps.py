"""App config for the orders and matching domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    """Orders, workflow, matching, notifications."""

    name = "matchmaking"
    verbose_name = _("供需对接")

    def ready(self):
        """Connect the catalog-change signals and the matching configuration check."""
        from matchmaking import matching, signals  # noqa: F401
