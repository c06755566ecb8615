"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from ops.localenv import load_local_env, settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
load_local_env()  # .env.local of this checkout, written by `make run`
settings_or_exit()
application = get_asgi_application()
