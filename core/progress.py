"""Progress of background jobs (exports, imports): `done` of `total`, kept in the shared cache.

The worker reports through `Reporter` (at most a few writes a second, always the last one); the job's page
polls a small fragment with htmx every second and shows a progress bar until the job has finished. The
shared cache is Redis with REDIS_URL, else a database table: web and worker processes see the same numbers.
"""

import time

from django.core.cache import caches

KEY = "ops:progress:{}"
TTL = 24 * 3600


def set_progress(job_id, done: int, total: int) -> None:
    """Record that `done` of `total` items are processed."""
    caches["shared"].set(KEY.format(job_id), {"done": int(done), "total": int(total)}, TTL)


def get_progress(job_id) -> dict:
    """{"done", "total", "percent"} (zeros before the job reported anything)."""
    value = caches["shared"].get(KEY.format(job_id)) or {"done": 0, "total": 0}
    total, done = value["total"], min(value["done"], value["total"]) if value["total"] else value["done"]
    return {"done": done, "total": total, "percent": int(done * 100 / total) if total else 0}


class Reporter:
    """`reporter(done)` from the job's loop: writes at most every `interval` seconds; `finish()` writes the end."""

    def __init__(self, job_id, total: int, interval: float = 0.5):
        self.job_id, self.total, self.interval = job_id, total, interval
        self._last = 0.0
        set_progress(job_id, 0, total)

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            set_progress(self.job_id, done, self.total)

    def finish(self) -> None:
        """Everything processed."""
        set_progress(self.job_id, self.total, self.total)
