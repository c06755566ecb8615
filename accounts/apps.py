"""App config for users, organizations and access control."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, organizations, approval, login security and scoping."""

    name = "accounts"
    verbose_name = _("用户与组织")

    def ready(self):
        """Connect the login-event receivers."""
        # Imported once the models are ready (Django's way of registering receivers).
        from accounts import signals  # noqa: F401
