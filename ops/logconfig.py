"""The LOGGING dictionary of the settings: plain text lines in development, JSON lines in production."""

# Loggers that only chatter at INFO when tasks run inside a management command or the development server
# (no broker): one line per task, about a hundred while the demo orders are loaded.
IN_PROCESS_QUIET = ("celery", "kombu", "axes", "django.utils.autoreload")


def build_logging(*, level: str = "INFO", quiet_in_process: bool = False) -> dict:
    """Console logging at `level`; with `quiet_in_process` Celery, kombu and axes log only warnings."""
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
    if quiet_in_process:
        for name in IN_PROCESS_QUIET:
            config["loggers"][name] = {"level": "WARNING"}
    return config
