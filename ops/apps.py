"""App config for the operations area."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Health checks, metrics, request ids in logs, progress of background jobs, the development server."""

    name = "ops"
    verbose_name = _("运行维护")

    def ready(self):
        """Count Celery tasks (every process) and start the worker heartbeat (worker processes)."""
        from ops import metrics, worker

        metrics.connect_signals()
        worker.connect_signals()
