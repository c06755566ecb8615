"""WSGI entry point (gunicorn matchmaking.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchmaking.settings")
application = get_wsgi_application()
