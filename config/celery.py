"""Celery application: broker from REDIS_URL, or in-process execution when it is unset."""

import logging
import os

from celery import Celery
from celery.signals import setup_logging, worker_init

from config.warmup import preload_indexes
from ops.localenv import load_local_env_before_settings
from ops.logconfig import configure_worker_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _read_local_env(**kwargs) -> None:
    """`celery -A config …`: read the checkout's .env.local before the settings (one line if they fail)."""
    load_local_env_before_settings()


@setup_logging.connect
def _same_logging_as_the_web(**kwargs) -> None:
    """Workers log with the settings' LOGGING (JSON lines with request ids in production), not Celery's own."""
    configure_worker_logging()


@worker_init.connect
def _preload_before_forking(sender=None, **kwargs) -> None:
    """A prefork worker builds the matching index in its main process before the pool forks the children, which
    then share it (`MATCH_PRELOAD_INDEX`); solo and thread pools warm it when ready (matchmaking.tasks.matching)."""
    pool = getattr(sender, "pool_cls", None) or app.conf.worker_pool
    name = pool if isinstance(pool, str) else getattr(pool, "__module__", "")
    if "prefork" in name:
        logging.getLogger(__name__).info(
            "matching index preloaded before forking: %s", preload_indexes(web=False)
        )
