"""The county key chain development index (县域重点产业链发展指数): indicators, yearly values, scores, tiers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevindexConfig(AppConfig):
    """发展指数 app; registers its tiers as county groups that order lists and dashboards can filter by."""

    name = "devindex"
    verbose_name = _("发展指数")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported in ready(): the module reads models, which Django has loaded only now.
        from devindex import tiers

        tiers.register_county_groups()
