"""Settings come from the environment through typed helpers that fail fast on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent


def test_env_bool(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")


def test_env_int_and_float(monkeypatch):
    monkeypatch.setenv("X_NUM", "42")
    assert env_int("X_NUM", 1) == 42
    monkeypatch.setenv("X_NUM", "4x2")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUM", 5, minimum=1)
    monkeypatch.setenv("X_NUM", "0.25")
    assert env_float("X_NUM", 1.0) == 0.25
    monkeypatch.setenv("X_NUM", "abc")
    with pytest.raises(ImproperlyConfigured):
        env_float("X_NUM", 1.0)


def test_env_str_and_list(monkeypatch):
    monkeypatch.delenv("X_TEXT", raising=False)
    assert env_str("X_TEXT", "d") == "d"
    with pytest.raises(ImproperlyConfigured, match="required"):
        env_str("X_TEXT", required=True)
    monkeypatch.setenv("X_TEXT", " a.example , b.example,, ")
    assert env_list("X_TEXT") == ["a.example", "b.example"]


def _manage(*args, **env):
    drop = {
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # the last one is set by browser tests
    base = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_requires_a_secret_key():
    result = _manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_bad_value_fails_at_start():
    result = _manage("check", DEBUG="1", EMAIL_PORT="twenty-five")
    assert result.returncode != 0
    assert "EMAIL_PORT" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="x" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="silian.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_only_i18n_and_static_are_template_libraries_named_twice():
    """templates.W003 is silenced for the deliberate mapping of `i18n` and `static` to the cached libraries;
    any other library name used by two modules must still be reported."""
    from django.core.checks.templates import check_templates

    warnings = [warning for warning in check_templates(None) if warning.id == "templates.W003"]
    duplicated = {warning.msg.split("'")[1]: warning.msg for warning in warnings}
    assert set(duplicated) == {"i18n", "static"}
    assert "core.templatetags.i18n_cached" in duplicated["i18n"]
    assert "core.templatetags.static_cached" in duplicated["static"]


def _installed(**env) -> str:
    code = "from django.conf import settings; print('devtools' in settings.INSTALLED_APPS)"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "silian.example.gov.cn",
}


def test_development_tools_are_not_installed_in_production(monkeypatch):
    monkeypatch.delenv("DEVTOOLS", raising=False)
    assert _installed(**PRODUCTION) == "False"
    listed = _manage("help", "--commands", **PRODUCTION)
    assert listed.returncode == 0, listed.stderr
    commands = set(listed.stdout.split())
    assert {"migrate", "load_reference_data", "compile_locale", "match"} <= commands
    assert not commands & {
        "seed_demo",
        "seed_demo_orders",
        "generate_demo_orders",
        "loadtest",
        "bench_matching",
    }


def test_development_tools_come_with_debug_or_devtools(monkeypatch):
    monkeypatch.delenv("DEVTOOLS", raising=False)
    assert _installed(DEBUG="1") == "True"
    assert _installed(**PRODUCTION, DEVTOOLS="1") == "True"


def _database_options(**env) -> str:
    code = "from django.conf import settings; print(sorted(settings.DATABASES['default']['OPTIONS'].items()))"
    result = _manage("shell", "-c", code, DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_prepares_repeated_queries_unless_turned_off():
    url = "postgres://someone@db.invalid:5432/silian"
    options = _database_options(DATABASE_URL=url)
    assert "('prepare_threshold', 5)" in options and "('server_side_binding', True)" in options
    options = _database_options(DATABASE_URL=url, DB_SERVER_SIDE_BINDING="0")
    assert "prepare_threshold" not in options and "server_side_binding" not in options
    assert "server_side_binding" not in _database_options(DATABASE_URL="sqlite:///:memory:")
