"""对接活动: docking events with invitations from matching, scheduled 1:1 meetings and recorded outcomes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """The events app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "events"
    verbose_name = _("对接活动")
