"""Entry point of the Celery processes the fault tests start: the real `celery` command, plus injected faults.

`python -m tests.faults.worker -A config worker …` behaves exactly like `celery -A config worker …`
unless one of these environment variables is set (they only exist for the tests):

- `FAULT_RANK_DELAY=<seconds>`: ranking an order takes this long (a window to kill the worker mid-task);
- `FAULT_RANK_ERROR=1`: ranking raises a database `OperationalError` every time (a task that keeps failing);
- `FAULT_MATCH_MAX_RETRIES=<n>`: `match_order` gives up after n retries instead of its production count;
- `FAULT_RUNNING_TIMEOUT=<seconds>`: `MATCH_RUNNING_TIMEOUT` (a task's lease) below the settings' minimum of
  30 s, so a test of a dead worker's lease running out takes seconds.
"""

import os
import sys
import time

from celery.signals import worker_init


@worker_init.connect(dispatch_uid="fault-injection")
def install_faults(**kwargs) -> None:
    """Patch the ranking step in the worker (before the pool forks, so every child inherits it)."""
    delay = float(os.environ.get("FAULT_RANK_DELAY", "0") or 0)
    failing = os.environ.get("FAULT_RANK_ERROR") == "1"
    retries = os.environ.get("FAULT_MATCH_MAX_RETRIES")
    lease = os.environ.get("FAULT_RUNNING_TIMEOUT")
    if lease:
        from django.conf import settings

        settings.MATCH_RUNNING_TIMEOUT = int(lease)
    from django.db import OperationalError

    from matchmaking import matching
    from matchmaking.tasks.matching import match_order

    if retries:
        match_order.max_retries = int(retries)
    if not (delay or failing):
        return
    real_rank = matching.rank_order

    def rank_order(order, index=None, top=None):
        print(f"fault: ranking order {order.pk} (delay {delay}s, failing {failing})", flush=True)
        if delay:
            time.sleep(delay)
        if failing:
            raise OperationalError("injected fault: the database went away while ranking")
        return real_rank(order, index, top)

    matching.rank_order = rank_order


def main() -> None:
    """Run the celery command line with this module's signal handler connected."""
    from celery.bin.celery import main as celery_main

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(celery_main())


if __name__ == "__main__":
    main()
