"""Where sessions are read from: Redis (written through to the database) when it is configured, else the database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("redis_url", "engine"),
    [
        ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db"),
        ("", "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_cached_only_in_a_shared_cache(redis_url, engine):
    # Settings only (no connection): a local-memory cache is per process, so without Redis sessions stay in
    # the database alone (a logout in one process must reach every other).
    env = {**os.environ, "DEBUG": "1", "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == engine, out.stderr[-2000:]
