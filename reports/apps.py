"""App config for the reports: dashboards, the chain map, the monthly report and the XLSX exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Read-only views over every domain's data, within each user's scope."""

    name = "reports"
    verbose_name = _("数据看板与报表")

    def ready(self):
        # Imported in ready(): the module reads models, which Django has loaded only now.
        from reports import offers

        offers.register()
