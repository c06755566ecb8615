"""Request ids in every log line, from the web request into the Celery tasks it enqueues.

- `RequestIdMiddleware` takes the proxy's `X-Request-ID` (letters, digits and dashes, 8–64 characters) or makes
  one, answers with it in `X-Request-ID`, and keeps it — with the user id and, on order pages, the order id — in
  context variables for the request. With LOG_REQUESTS it logs one line per request (method, path, status, ms).
- `ContextFilter` copies them onto every log record (`request_id`, `user_id`, `order_id`, `task`, `task_id`),
  so the JSON formatter (python-json-logger) writes them as fields.
- Celery: `before_task_publish` adds `request_id` and `user_id` to the message headers; `task_prerun` restores
  them in the worker (with the order id when the task's first argument is `order_id`) and `task_postrun`
  clears them. Tasks run in-process (no broker) simply keep the request's context.
"""

import contextvars
import inspect
import logging
import re
import time
import uuid

from django.conf import settings

request_id_var = contextvars.ContextVar("request_id", default=None)
user_id_var = contextvars.ContextVar("user_id", default=None)
order_id_var = contextvars.ContextVar("order_id", default=None)
task_var = contextvars.ContextVar("task", default=None)
task_id_var = contextvars.ContextVar("task_id", default=None)

FIELDS = {
    "request_id": request_id_var,
    "user_id": user_id_var,
    "order_id": order_id_var,
    "task": task_var,
    "task_id": task_id_var,
}
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
request_logger = logging.getLogger("ops.request")


class ContextFilter(logging.Filter):
    """Adds the current request and task context to every record (None where unknown)."""

    def filter(self, record):
        for name, var in FIELDS.items():
            if not hasattr(record, name):
                setattr(record, name, var.get())
        return True


def new_request_id() -> str:
    """A fresh request id (32 hex digits)."""
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id (and user and order ids once known) for the request's logs and answers with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if VALID_REQUEST_ID.match(incoming) else new_request_id()
        tokens = [
            (request_id_var, request_id_var.set(request.request_id)),
            (user_id_var, user_id_var.set(None)),
            (order_id_var, order_id_var.set(None)),
        ]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            if settings.LOG_REQUESTS:
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            for var, token in reversed(tokens):
                var.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """After authentication and URL resolution: the user id, and the order id on order pages."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)
        match = request.resolver_match
        if match is not None and "order_id" in view_kwargs:
            order_id_var.set(view_kwargs["order_id"])
        elif match is not None and "orders" in match.namespaces and "pk" in view_kwargs:
            order_id_var.set(view_kwargs["pk"])
        return None


# --- Celery ------------------------------------------------------------------------------------------


def add_context_headers(headers=None, **kwargs) -> None:
    """before_task_publish: the publishing request's ids travel with the message."""
    if headers is None:
        return
    for name in ("request_id", "user_id"):
        value = FIELDS[name].get()
        if value is not None and name not in headers:
            headers[name] = value


def _header(task, name):
    request = task.request
    value = getattr(request, name, None)
    if value is None and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(name)
    return value


def _order_id(task, args, kwargs):
    if kwargs and "order_id" in kwargs:
        return kwargs["order_id"]
    try:
        first = next(iter(inspect.signature(task.run).parameters))
    except (StopIteration, TypeError, ValueError):
        return None
    return args[0] if args and first == "order_id" else None


_task_tokens: dict[str, list] = {}


def enter_task(task_id=None, task=None, args=None, kwargs=None, **extra) -> None:
    """task_prerun: the task's own context (ids from the message headers, else the in-process request's)."""
    tokens = [(task_var, task_var.set(task.name)), (task_id_var, task_id_var.set(task_id))]
    for name in ("request_id", "user_id"):
        value = _header(task, name)
        if value is not None:
            tokens.append((FIELDS[name], FIELDS[name].set(value)))
    order_id = _order_id(task, args or (), kwargs or {})
    if order_id is not None:
        tokens.append((order_id_var, order_id_var.set(order_id)))
    _task_tokens[task_id] = tokens


def leave_task(task_id=None, **extra) -> None:
    """task_postrun: back to the context from before the task (nothing, in a worker)."""
    for var, token in reversed(_task_tokens.pop(task_id, [])):
        try:
            var.reset(token)
        except ValueError:
            var.set(None)  # set in another context (a different thread ran the task)


def connect_signals() -> None:
    """Hook into Celery's publish and task signals (idempotent)."""
    from celery import signals

    signals.before_task_publish.connect(add_context_headers, dispatch_uid="ops-log-publish", weak=False)
    signals.task_prerun.connect(enter_task, dispatch_uid="ops-log-prerun", weak=False)
    signals.task_postrun.connect(leave_task, dispatch_uid="ops-log-postrun", weak=False)
