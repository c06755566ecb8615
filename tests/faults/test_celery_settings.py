"""The Celery settings the fault tests rely on, asserted (no services needed).

- late acknowledgement: a task is acknowledged after it ran, so a task lost with its worker runs again;
- reject on worker loss: a pool process killed mid-task (SIGKILL, OOM) puts the message back in the queue;
- prefetch 1: a worker holds one unstarted message per process, so a dead worker strands almost nothing;
- visibility timeout longer than any countdown: Redis redelivers an unacknowledged message after the
  visibility timeout, so a retry waiting for its countdown (or a running task) must never exceed it, or it
  would run twice at once;
- the sweeper is on the beat schedule every `MATCH_SWEEP_SECONDS`;
- bulk re-matching has its own queue, consumed (in turn with the default one) by a worker without -Q.
"""

from pathlib import Path
from types import SimpleNamespace

from celery import signals
from django.apps import apps
from django.conf import settings

from config import celery as celery_config
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def project_tasks():
    """The registered tasks of the project's own apps (matchmaking.*, accounts.*, reports.*, ...)."""
    app.loader.import_default_modules()
    own = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    return {name: task for name, task in app.tasks.items() if name.split(".")[0] in own}


def test_late_ack_reject_on_worker_lost_and_prefetch_one():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    tasks = project_tasks()
    assert "matchmaking.tasks.matching.match_order" in tasks
    assert "reports.tasks.export_orders_job" in tasks
    early = [name for name, task in tasks.items() if not task.acks_late]
    assert not early, f"tasks acknowledged before they run: {early}"


def test_visibility_timeout_is_longer_than_any_countdown_and_the_running_lease():
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    waits = {}
    for name, task in project_tasks().items():
        if getattr(task, "autoretry_for", ()) or task.max_retries:
            backoff_max = (
                getattr(task, "retry_backoff_max", 600) if getattr(task, "retry_backoff", False) else 0
            )
            waits[name] = max(backoff_max, task.default_retry_delay or 0)
    assert waits, "the project's tasks retry"
    longest = max(waits.values())
    assert timeout > longest, f"visibility timeout {timeout}s <= a retry countdown {longest}s: {waits}"
    # the lease a retrying match_order holds: MATCH_RUNNING_TIMEOUT + 60 s per attempt
    match_order = project_tasks()["matchmaking.tasks.matching.match_order"]
    assert timeout > settings.MATCH_RUNNING_TIMEOUT + 60 * match_order.max_retries


def test_sweeper_runs_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-matches"]
    assert entry["task"] == "matchmaking.tasks.matching.sweep_matches"
    assert entry["schedule"] == settings.MATCH_SWEEP_SECONDS
    assert settings.MATCH_SWEEP_SECONDS < settings.MATCH_RUNNING_TIMEOUT


def test_rematches_have_their_own_queue_that_a_default_worker_consumes():
    """Sweeps and catalog changes re-match on their own queue; a worker started without -Q consumes both."""
    queues = {queue.name for queue in app.conf.task_queues}
    assert queues == {app.conf.task_default_queue, settings.MATCH_REMATCH_QUEUE}
    assert len(queues) == 2


def test_a_worker_keeps_its_database_connection_between_tasks(monkeypatch):
    """Celery's Django fix-up would close it around every task; config.celery closes only a broken or old one."""
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX >= 100
    calls = []
    monkeypatch.setattr(celery_config, "close_old_connections", lambda: calls.append(1))
    worker_task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    eager_task = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    celery_config._close_old_db_connections(sender=worker_task)
    assert calls == [1]
    celery_config._close_old_db_connections(sender=eager_task)  # inside the caller's transaction: left alone
    assert calls == [1]
    receivers = {uid for uid, _ in signals.task_prerun.receivers} | {
        uid for uid, _ in signals.task_postrun.receivers
    }
    assert {"db-connection-prerun", "db-connection-postrun"} <= {uid[0] for uid in receivers}
