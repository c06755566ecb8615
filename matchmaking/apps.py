"""App config for the orders and matching domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    """Orders, workflow, matching, notifications."""

    name = "matchmaking"
    verbose_name = _("供需对接")

    def ready(self):
        """Connect the catalog-change signals and the matching configuration check."""
        # Imported once the models are ready (Django's way of registering receivers and checks).
        from matchmaking import match_index, signals  # noqa: F401
