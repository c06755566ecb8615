"""揭榜挂帅: challenge lists, sealed bids, expert review, awards, milestones and the achievements supply list."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    """The challenges domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "challenges"
    verbose_name = _("揭榜挂帅")
