"""App config for the operations area."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Health checks, metrics, request ids in logs, the background import page, the local environment."""

    name = "ops"
    verbose_name = _("运行维护")

    def ready(self):
        """Request ids into tasks, task counters (every process), the worker heartbeat (worker processes)."""
        # Imported in ready(): the module reads models, which Django has loaded only now.
        from ops import logcontext, metrics, worker

        logcontext.connect_signals()
        metrics.connect_signals()
        worker.connect_signals()
