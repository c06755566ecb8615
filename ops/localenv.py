"""The checkout's local environment file (`.env.local`, ignored by git) and a one-line start-up error.

`make run` writes `.env.local` once: development mode (`DEBUG=1`), a generated `SECRET_KEY` and a generated
`DEMO_PASSWORD`; every `make run` updates `SITE_URL` to the address it serves on. `manage.py`, the Celery app and
gunicorn read the file before the settings (variables already set in the environment win), so the README's
commands work as printed in the same checkout. `LOCAL_ENV_FILE` names another file; set it empty to read none.
Production hosts have no such file: their settings come from the real environment.

This module runs before Django is configured: it imports nothing from Django at module level.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

from dotenv import dotenv_values, load_dotenv, set_key

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FILE = BASE_DIR / ".env.local"

HEADER = (
    "# Local development settings written by `make run` (ignored by git; never use on a production host).\n"
    "# manage.py, Celery and gunicorn read this file; variables set in the environment take precedence.\n"
)


def local_env_path() -> Path | None:
    """The local environment file of this checkout (LOCAL_ENV_FILE overrides; empty: none)."""
    configured = os.environ.get("LOCAL_ENV_FILE")
    if configured is None:
        return DEFAULT_FILE
    return Path(configured) if configured.strip() else None


def load_local_env(path: Path | None = None) -> bool:
    """Put the file's variables into os.environ where not already set; return whether a file was read."""
    path = path or local_env_path()
    if path is None or not path.is_file():
        return False
    load_dotenv(path, override=False)
    return True


def ensure_local_env(path: Path, site_url: str | None = None) -> dict[str, str]:
    """Create the file with development defaults if missing, fill in missing keys, set SITE_URL; return it."""
    if not path.exists():
        path.write_text(HEADER, encoding="utf-8")
        path.chmod(0o600)
    values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    defaults = {
        "DEBUG": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Shared by every demo account; a real environment variable DEMO_PASSWORD wins over it.
        "DEMO_PASSWORD": "Demo-" + secrets.token_urlsafe(9),
    }
    for key, value in defaults.items():
        if not values.get(key):
            set_key(path, key, value, quote_mode="never")
            values[key] = value
    if site_url and values.get("SITE_URL") != site_url:
        set_key(path, "SITE_URL", site_url, quote_mode="never")
        values["SITE_URL"] = site_url
    return values


def load_local_env_before_settings() -> None:
    """Read the local file unless the settings are loaded already (a test process, or after manage.py did)."""
    from django.conf import settings

    if not settings.configured:
        load_local_env()
        settings_or_exit()


def settings_or_exit() -> None:
    """Load the settings now; a missing or bad setting ends the process with one clear line, not a traceback."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - imports the settings module
    except ImproperlyConfigured as exc:
        raise SystemExit(f"配置错误 / configuration error: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    """`python -m ops.localenv [--site-url URL]`: create or update the checkout's local environment file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-url", help="the address `make run` serves on (SITE_URL in e-mail links)")
    args = parser.parse_args(argv)
    path = local_env_path()
    if path is None:
        return 0
    existed = path.exists()
    ensure_local_env(path, site_url=args.site_url)
    if not existed:
        print(f"已创建本地开发配置 {path.name}（开发模式、随机 SECRET_KEY 和演示账号密码；已被 git 忽略）。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
