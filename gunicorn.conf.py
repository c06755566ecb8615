"""gunicorn settings (read automatically when gunicorn starts in the project folder; flags override them).

Threaded workers keep connections alive between requests; every value can be set from the environment:
GUNICORN_BIND (127.0.0.1:8000), GUNICORN_WORKERS (4), GUNICORN_THREADS (4), GUNICORN_TIMEOUT (60 s),
GUNICORN_CERTFILE / GUNICORN_KEYFILE (serve HTTPS directly, e.g. the load test; otherwise TLS ends at the proxy),
GUNICORN_ACCESSLOG ("-" for stdout; off by default).
"""

import os

wsgi_app = "matchmaking.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then (bounded memory), staggered by the jitter
max_requests_jitter = 500
certfile = os.environ.get("GUNICORN_CERTFILE") or None
keyfile = os.environ.get("GUNICORN_KEYFILE") or None
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
