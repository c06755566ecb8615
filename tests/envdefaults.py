"""Loaded by pytest before Django: development defaults so a bare `pytest` runs (tests force DEBUG off)."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("AXES_ENABLED", "1")
# Processes the tests start (manage.py, Celery, gunicorn) never read the developer's .env.local.
os.environ.setdefault("LOCAL_ENV_FILE", "")
