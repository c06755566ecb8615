"""Celery application: broker from REDIS_URL, or in-process execution when it is unset."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _read_local_env(**kwargs) -> None:
    """`celery -A config …`: read the checkout's .env.local before the settings (one line if they fail)."""
    from ops.localenv import load_local_env_before_settings

    load_local_env_before_settings()
