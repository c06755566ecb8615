"""Services reach Celery through here: a task is named, not imported, and sent once the transaction commits.

So no service module imports a tasks module (tasks import services, never the reverse) and there is no import
cycle between them. Without REDIS_URL the task runs in-process after the commit (CELERY_TASK_ALWAYS_EAGER).
"""

from importlib import import_module

from celery import current_app
from django.db import transaction


def task(name: str):
    """The registered Celery task called `name` (its dotted path, e.g. "matchmaking.tasks.matching.match_order")."""
    registry = current_app.tasks
    if name not in registry:
        # A process that never imported the task's module yet (a web process): importing it registers the task.
        import_module(name.rpartition(".")[0])
    return registry[name]


def enqueue(name: str, *args, queue: str | None = None, **kwargs) -> None:
    """Send the task `name` with these arguments now (outside a transaction, or when the caller holds the commit)."""
    if queue:
        task(name).apply_async(args, kwargs, queue=queue)
    else:
        task(name).delay(*args, **kwargs)


def enqueue_on_commit(name: str, *args, queue: str | None = None, **kwargs) -> None:
    """Send the task `name` after the current transaction commits; nothing is sent if it rolls back.

    An unreachable broker is logged, not raised (`robust`): the committed change must not become an error page,
    and the periodic sweepers pick the work up again.
    """
    transaction.on_commit(lambda: enqueue(name, *args, queue=queue, **kwargs), robust=True)
