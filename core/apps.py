"""App config for what every app shares."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Base models, the audit log, the API error shape, dispatch of tasks on commit."""

    name = "core"
    verbose_name = _("平台公共")

    def ready(self):
        """Make DRF's text fields refuse JSON numbers and booleans (the schema says strings)."""
        # Imported in ready(): apischema reads DRF's serializer fields, which need the settings loaded.
        from core import apischema

        apischema.strict_text_fields()
