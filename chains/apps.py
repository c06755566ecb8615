"""App config for regions, chains and the resource catalog."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    """Prefectures, counties, chain types and links, county key chains, the resource catalog."""

    name = "chains"
    verbose_name = _("产业链与资源库")
