"""App config for what every app shares."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Base models, the audit log, the API error shape, dispatch of tasks on commit."""

    name = "core"
    verbose_name = _("平台公共")

    def ready(self):
        """Make DRF's text fields refuse JSON numbers and booleans (the schema says strings); draw CSRF tokens
        with one read of the random source (core.randomstrings)."""
        # Imported in ready(): apischema reads DRF's serializer fields, which need the settings loaded.
        from core import apischema, randomstrings

        apischema.strict_text_fields()
        randomstrings.faster_csrf_strings()
