"""First run: the local environment file, one shared demo password, quiet in-process tasks, one-line errors."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from dotenv import dotenv_values

from accounts.models import User
from devtools.personas import PERSONA_USERNAMES, all_personas
from ops.localenv import ensure_local_env, load_local_env
from ops.logconfig import build_logging

ROOT = Path(__file__).resolve().parents[2]


def _clean_env(**extra) -> dict:
    """The test process's environment without the development defaults pytest adds (DEBUG, …)."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DEMO_PASSWORD", "SITE_URL"}
    }
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_local_env_file_is_written_once_and_follows_the_served_address(tmp_path):
    path = tmp_path / ".env.local"
    first = ensure_local_env(path, site_url="http://127.0.0.1:8000")
    assert first["DEBUG"] == "1"
    assert len(first["SECRET_KEY"]) >= 50
    assert first["DEMO_PASSWORD"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    second = ensure_local_env(path, site_url="http://127.0.0.1:9000")
    # Generated once: the key and the demo password survive a second `make run`; the address follows PORT.
    assert second["SECRET_KEY"] == first["SECRET_KEY"]
    assert second["DEMO_PASSWORD"] == first["DEMO_PASSWORD"]
    assert dotenv_values(path)["SITE_URL"] == "http://127.0.0.1:9000"


def test_the_environment_wins_over_the_local_file(tmp_path, monkeypatch):
    path = tmp_path / "env"
    path.write_text("DEMO_PASSWORD=from-file\nLOCAL_ONLY_SETTING=yes\n")
    monkeypatch.setenv("DEMO_PASSWORD", "from-environment")
    monkeypatch.delenv("LOCAL_ONLY_SETTING", raising=False)
    assert load_local_env(path)
    assert os.environ["DEMO_PASSWORD"] == "from-environment"
    assert os.environ["LOCAL_ONLY_SETTING"] == "yes"
    monkeypatch.delenv("LOCAL_ONLY_SETTING")


def test_manage_py_reads_the_local_file_and_fails_in_one_line_without_it(tmp_path):
    path = tmp_path / ".env.local"
    ensure_local_env(path, site_url="http://127.0.0.1:8123")
    shown = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG, settings.SITE_URL)",
        env=_clean_env(LOCAL_ENV_FILE=str(path)),
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().endswith("True http://127.0.0.1:8123")

    missing = _manage("check", env=_clean_env(LOCAL_ENV_FILE=""))
    assert missing.returncode == 1
    assert "Traceback" not in missing.stderr
    lines = [line for line in missing.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "SECRET_KEY is required when DEBUG is off" in lines[0]
    assert "make run" in lines[0]


def test_celery_reads_the_local_file(tmp_path):
    path = tmp_path / ".env.local"
    ensure_local_env(path, site_url="http://127.0.0.1:8124")
    report = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "report"],
        cwd=ROOT,
        env=_clean_env(LOCAL_ENV_FILE=str(path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert "SITE_URL: 'http://127.0.0.1:8124'" in report.stdout


def test_in_process_tasks_log_warnings_only_in_development():
    quiet = build_logging(level="INFO", quiet_in_process=True)["loggers"]
    assert quiet["celery"]["level"] == quiet["kombu"]["level"] == "WARNING"
    # A real worker (broker configured) keeps Celery's own level: its `--loglevel` decides.
    assert "celery" not in build_logging(level="INFO", quiet_in_process=False)["loggers"]
    assert settings.CELERY_BROKER_URL.startswith(
        "memory://localhost"
    )  # no "No hostname was supplied" warning


@pytest.mark.django_db
def test_seed_demo_one_shared_password_printed_again_and_reset(personas, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Shared-Demo-2026!")
    out = StringIO()
    call_command("seed_demo", "--reset-passwords", stdout=out)
    usernames = [username for username, _label in all_personas()]
    existing = User.objects.filter(username__in=usernames)
    assert f"已把 {existing.count()} 个演示账号的密码改为共用演示密码" in out.getvalue()
    for user in existing:
        assert user.check_password("Shared-Demo-2026!"), user.username

    again = StringIO()
    call_command("seed_demo", stdout=again)
    text = again.getvalue()
    assert "演示账号已存在，未做改动。" in text
    assert text.count("Shared-Demo-2026!") == 1  # one table, one password
    for username in PERSONA_USERNAMES:
        assert f" {username} " in text
    assert f"{settings.SITE_URL}/admin/" in text


@pytest.mark.django_db
def test_seed_demo_says_when_the_accounts_use_another_password(personas, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Not-The-Accounts-Password-1")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "与现有演示账号不一致" in out.getvalue()
    assert "seed_demo --reset-passwords" in out.getvalue()


@pytest.mark.django_db
def test_industry_orders_reach_a_demo_persona(personas):
    """省工信厅 takes industry orders: its demo persona sees a published one in its queue and claims it."""
    from matchmaking import services
    from matchmaking.choices import OrderKind
    from matchmaking.models import Order
    from tests.matchmaking.conftest import order_data

    county, admin, gxt = personas["county_jinjiang"], personas["admin"], personas["body_gxt"]
    assert gxt.organization.provincial_body.short_name == "省工信厅"
    order = services.create_order(by=county, data=order_data(county, OrderKind.INDUSTRY))
    services.submit_order(order, by=county)
    services.approve_order(Order.objects.get(pk=order.pk), by=admin)
    assert Order.objects.visible_to(gxt).filter(pk=order.pk).exists()
    claimed = services.claim_order(Order.objects.get(pk=order.pk), by=gxt)
    assert claimed.state == "claimed"
