"""资料维护: approved providers keep their own catalog entries, moderated by administrators (issue 15 part 6)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    """The profiles domain app (may import chains, accounts and matchmaking's services and dispatch)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "profiles"
    verbose_name = _("资料维护")
