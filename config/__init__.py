"""四链对接平台's project package: settings, URLs, the API router, WSGI/ASGI, the Celery app, middleware, warm-up.

The domains live in their own apps beside it (core, chains, accounts, matchmaking, reports, devtools);
see docs/architecture.md.
"""

from config.celery import app as celery_app

__all__ = ["celery_app"]
