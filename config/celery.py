"""Celery application: broker from REDIS_URL, or in-process execution when it is unset."""

import logging
import os

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun, worker_init
from django.db import close_old_connections

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


@task_prerun.connect(dispatch_uid="db-connection-prerun")
@task_postrun.connect(dispatch_uid="db-connection-postrun")
def _close_old_db_connections(sender=None, **kwargs) -> None:
    """Around a task in a worker, as around a web request: close a broken connection, or one older than
    CONN_MAX_AGE, and keep the others (CELERY_DB_REUSE_MAX). Not for an eager task, which runs inside the caller's
    (perhaps still open) transaction."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
