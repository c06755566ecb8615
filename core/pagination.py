"""Page-number pagination with a client-chosen page size (bounded), strict about its two parameters."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from core import compiledsql


def _whole(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


class StandardPagination(PageNumberPagination):
    """`?page=N&page_size=M`: N ≥ 1, 1 ≤ M ≤ 200; anything else is a 400, a page past the end a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        value = _whole(raw)
        if value is None or not 1 <= value <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("每页条数应为 1 到 %(max)d 的整数。") % {"max": self.max_page_size}
                    ]
                }
            )
        return value

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and (_whole(raw) or 0) < 1:
            raise ValidationError({self.page_query_param: [_("页码应为不小于 1 的整数。")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class RowValues:
    """A queryset for the paginator: counted as it is (the joins that `values()` of related fields adds stay
    out of the COUNT), or as the caller already counted it; its slices read as `values(*names)` dicts, each made
    `row(values)` when a row class is given (list pages: no model instances). With a `key` (the queryset depends
    on nothing else: a list without filters, named by its view and the viewer's scope) the COUNT and the slices
    are compiled once per connection (`core.compiledsql`)."""

    def __init__(self, queryset, names, *, row=None, count: int | None = None, key=None):
        self.queryset, self.names, self.row, self.counted, self.key = queryset, names, row, count, key
        self.ordered = queryset.ordered

    def count(self) -> int:
        """The number of rows: as counted by the caller, or by the queryset's own COUNT."""
        if self.counted is not None:
            return self.counted
        if self.key is not None:
            return compiledsql.count(self.key, lambda: self.queryset)
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if self.key is not None and isinstance(key, slice) and key.step is None:
            rows = compiledsql.fetch(
                (self.key, "rows", key.start, key.stop),
                lambda _none: self.queryset.values(*self.names)[key],
                (),
            )
        else:
            rows = self.queryset.values(*self.names)[key]
        if self.row is None:
            return rows
        return [self.row(values) for values in rows] if isinstance(key, slice) else self.row(rows)
