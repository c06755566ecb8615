"""WSGI entry point (gunicorn config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from ops.localenv import load_local_env, settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
load_local_env()  # .env.local of this checkout, written by `make run`
settings_or_exit()
application = get_wsgi_application()
