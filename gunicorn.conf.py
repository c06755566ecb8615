"""gunicorn settings (read automatically when gunicorn starts in the project folder; flags override them).

The application is loaded once in the master (`preload_app`), which also does the work a fresh process would do
on its first requests (`config.warmup`: views, translations, compiled templates, and the matching indexes with
`MATCH_PRELOAD_INDEX`, then `gc.freeze()`) before forking: workers, also those recycled after `max_requests`, start
warm and share that memory.
Threaded workers keep connections alive between requests; every value can be set from the environment:
GUNICORN_BIND (127.0.0.1:8000), GUNICORN_WORKERS (2 per CPU core), GUNICORN_THREADS (1), GUNICORN_TIMEOUT (60 s),
GUNICORN_KEEPALIVE (5 s: idle connections from the proxy), GUNICORN_CERTFILE / GUNICORN_KEYFILE (serve HTTPS
directly, e.g. the load test; otherwise TLS ends at the proxy), GUNICORN_ACCESSLOG ("-" for stdout; off by default).
In a development checkout `.env.local` (written by `make run`) is read first; the environment wins over it.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ops.localenv import load_local_env

load_local_env()  # .env.local of a development checkout (see ops/localenv.py); absent on production hosts

wsgi_app = "config.wsgi:application"
preload_app = True
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2 processes per core x 1 thread. The work is CPU-bound (Django's own work per request, the database on the same
# host): more processes than that only take turns on the cores and evict each other's caches. On this project's
# 2-core machine, the load test at 150 users (every other setting equal, runs back to back) gave 84.6 requests/s,
# pages p95 300 ms, API lists p95 240 ms, 12.2 ms of web CPU per request with 8 x 2, and 86.7 requests/s, pages p95
# 120 ms, API lists p95 110 ms, 10.3 ms of web CPU per request with 4 x 2.
# One thread per process: two threads of one process share its interpreter lock, and a thread whose query has
# returned waits for the other to give the lock up (up to 5 ms, Python's switch interval) after every query. At 150
# users (the load test with a per-request timer), a claim spent 157 ms (median) in its 29 queries with 4 x 2 and
# 35 ms with 4 x 1, the order page 43 ms and 14 ms. Runs one after another at 150 users: 4 x 2 79.6 requests/s,
# pages p95 0.71 s (two earlier 4 x 2 runs: 66 requests/s, p95 1.6 and 1.9 s); 4 x 1 83.7 requests/s, p95 0.49 s;
# 6 x 1 82.0, 0.6 s; 8 x 1 74.3, 1.3 s. On a saturated machine (all cores busy) the two were alike. A login holds its
# process for its password hash (~0.3 s of CPU), so plan the processes for peak logins too (docs/deployment.md,
# login capacity).
# The cores this process may run on (a container's CPU set), else the machine's.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * cores)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = 5000  # recycle workers now and then (bounded memory), staggered by the jitter
max_requests_jitter = 500
certfile = os.environ.get("GUNICORN_CERTFILE") or None
keyfile = os.environ.get("GUNICORN_KEYFILE") or None
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"


def when_ready(server):
    """Warm the loaded application in the master, before the workers are forked."""
    from config.warmup import preload_indexes, warm_up

    server.log.info("warmed up before forking: %s", warm_up())
    server.log.info("matching indexes preloaded before forking: %s", preload_indexes())
