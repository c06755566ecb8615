"""Page-number pagination with a client-chosen page size (bounded), strict about its two parameters."""

from collections.abc import Callable, Hashable

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
    `row(values)` when a row class is given (list pages: no model instances).

    With a `compiled_key` (`core.compiledsql`) the COUNT and each slice are compiled once per connection and run
    again afterwards: the key must hold everything the queryset depends on (the view, the viewer's scope, the
    filters); the slice's bounds are added to it. `queryset` may be a function making the (ordered) queryset:
    with a `compiled_key` it is called only when something has to be compiled, without one at once."""

    def __init__(self, queryset, names, *, row=None, count: int | None = None, compiled_key: Hashable = None):
        self.names, self.row, self.counted, self.compiled_key = names, row, count, compiled_key
        if callable(queryset) and compiled_key is not None:
            self._build: Callable | None = queryset
            self._queryset = None
            self.ordered = True  # checked when the queryset is built: its slices are pages
        else:
            self._build, self._queryset = None, queryset() if callable(queryset) else queryset
            self.ordered = self._queryset.ordered

    @property
    def queryset(self):
        if self._queryset is None:
            queryset = self._build()
            if not queryset.ordered:
                raise ValueError("RowValues: a compiled_key needs an ordered queryset (its slices are pages)")
            self._queryset = queryset
        return self._queryset

    def count(self) -> int:
        """The number of rows: as counted by the caller, or by the queryset's own COUNT."""
        if self.counted is not None:
            return self.counted
        if self.compiled_key is not None:
            return compiledsql.count(self.compiled_key, lambda: self.queryset)
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if self.compiled_key is not None and isinstance(key, slice) and key.step is None:
            rows = compiledsql.fetch(
                (self.compiled_key, "rows", key.start, key.stop),
                lambda _none: self.queryset.values(*self.names)[key],
                (),
            )
        else:
            rows = self.queryset.values(*self.names)[key]
        if self.row is None:
            return rows
        return [self.row(values) for values in rows] if isinstance(key, slice) else self.row(rows)
