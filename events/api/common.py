"""What the event API shares: limits, actions, the service call and the read policy."""

from core.errors import ServiceError, from_service_error
from events import policy

MAX_AMOUNT = 10**15


def call(service, *args, **kwargs):
    """Run a service, turning its WorkflowError into the API's error for it."""
    try:
        return service(*args, **kwargs)
    except ServiceError as exc:  # the events' own and the order services' (an outcome moving an order)
        raise from_service_error(exc) from exc


def _read(serializer, event) -> policy.EventReadPolicy:
    cache = serializer.context.setdefault("event_policies", {})
    if event.pk not in cache:
        cache[event.pk] = policy.for_event(serializer.context["request"].user, event)
    return cache[event.pk]
