"""App config for the development tools (installed only with DEBUG=1 or DEVTOOLS=1)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Demo personas and data, the load test, benchmarks and the matching evaluation."""

    name = "devtools"
    verbose_name = _("开发工具")
