"""The LOGGING dictionary of the settings: plain text lines in development, JSON lines in production.

JSON lines (python-json-logger) carry `timestamp`, `level`, `logger`, `message` and the context that
`ops.logcontext.ContextFilter` adds to every record: `request_id`, `user_id`, `order_id`, `task`, `task_id`
(request lines also `method`, `path`, `status`, `ms`). Celery workers use the same configuration
(`configure_worker_logging`, connected to Celery's `setup_logging` signal in config/celery.py).
"""

import logging.config

# Loggers that only chatter at INFO when tasks run inside a management command or the development server
# (no broker): one line per task, about a hundred while the demo orders are loaded.
IN_PROCESS_QUIET = ("celery", "kombu", "axes", "django.utils.autoreload")
FORMATS = ("plain", "json")


def build_logging(*, level: str = "INFO", fmt: str = "plain", quiet_in_process: bool = False) -> dict:
    """Console logging at `level` as `fmt` lines; with `quiet_in_process` Celery, kombu and axes warn only."""
    if fmt not in FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT={fmt!r} must be one of {', '.join(FORMATS)}.")
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "ops.logcontext.ContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["levelname", "name", "message"],
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,  # ISO 8601 with the time zone
                "json_ensure_ascii": False,
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
    if quiet_in_process:
        for name in IN_PROCESS_QUIET:
            config["loggers"][name] = {"level": "WARNING"}
    return config


def configure_worker_logging(**kwargs) -> None:
    """Celery's `setup_logging`: the worker logs exactly like the web processes (LOGGING of the settings)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
