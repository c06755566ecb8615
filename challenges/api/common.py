"""What the challenge API shares: limits, error responses, the filter mixin and the service call."""

from core.errors import Conflict, error_responses, from_service_error
from core.errors import ServiceError as WorkflowError

MAX_AMOUNT = 10**15

ERRORS = error_responses(400, 401, 403, 404, 409)

READ_ERRORS = error_responses(401, 404)

LIST_ERRORS = error_responses(400, 401, 404)


class ListFiltersOnly:
    """Filters, search and ordering apply to the list only (not to detail lookups or detail actions)."""

    def filter_queryset(self, queryset):
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)


def call(service, *args, **kwargs):
    """Run a service, turning its WorkflowError into the API's error (a late bid: 409 deadline_passed)."""
    try:
        return service(*args, **kwargs)
    except WorkflowError as exc:
        if exc.code == "deadline_passed":
            raise Conflict(exc.message, code="deadline_passed") from exc
        raise from_service_error(exc) from exc


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []
