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


class _Batch:
    """The items of one task to send after a commit, gathered from several calls (see `enqueue_batch_on_commit`)."""

    def __init__(self, name: str, queue: str | None):
        self.name, self.queue, self.items = name, queue, []
        self.__qualname__ = f"enqueue {name}"  # Django's log of a failed robust callback names it so

    def __call__(self) -> None:
        enqueue(self.name, self.items, queue=self.queue)


def enqueue_batch_on_commit(name: str, items: list, *, queue: str | None = None) -> None:
    """Send the task `name` with a list of `items` after the current transaction commits, in one message with
    the items of the other calls for the same task in this transaction (e.g. the notifications of one action).

    A call joins the batch of an earlier one only when no rollback could drop one of them but not the other:
    the earlier batch is still to run and was registered within every savepoint open now (Django drops a
    callback when a savepoint it was registered in rolls back). Otherwise it starts a batch of its own."""
    connection = transaction.get_connection()
    open_now = set(connection.savepoint_ids)
    for sids, func, _robust in reversed(connection.run_on_commit if connection.in_atomic_block else ()):
        if isinstance(func, _Batch) and func.name == name and func.queue == queue and open_now <= sids:
            func.items.extend(items)
            return
    batch = _Batch(name, queue)
    batch.items.extend(items)
    transaction.on_commit(batch, robust=True)
