"""App config for regions, chains and the resource catalog."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    """Prefectures, counties, chain types and links, county key chains, the resource catalog."""

    name = "chains"
    verbose_name = _("产业链与资源库")

    def ready(self):
        """Connect the receivers that drop the cached filter options when a region or chain type changes, and
        those that outdate the cached selects of the new-order form (chains.countychoices)."""
        # Imported once the models are ready (Django's way of registering receivers).
        from chains import countychoices, options  # noqa: F401

        countychoices.connect()
