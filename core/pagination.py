"""Page-number pagination with a client-chosen page size (bounded), strict about its two parameters."""

from django.utils.functional import cached_property
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
    `row(values)` when a row class is given (list pages: no model instances)."""

    def __init__(self, queryset, names, *, row=None, count: int | None = None):
        self.queryset, self.names, self.row, self.counted = queryset, names, row, count
        self.ordered = queryset.ordered

    def count(self) -> int:
        """The number of rows: as counted by the caller, or by the queryset's own COUNT."""
        return self.queryset.count() if self.counted is None else self.counted

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        rows = self.queryset.values(*self.names)[key]
        if self.row is None:
            return rows
        return [self.row(values) for values in rows] if isinstance(key, slice) else self.row(rows)


class CompiledRowValues(RowValues):
    """RowValues whose slices run SQL compiled once per connection (`core.compiledsql`), for list pages asked
    for over and over by the same viewers. `build()` makes the (ordered) queryset, only when a slice's query is
    compiled or the rows are counted by it: `key` names it and everything it depends on (the same key must mean
    the same queryset); the slice's bounds are added to it."""

    ordered = True  # build's queryset must be ordered (checked when it is compiled): slices of it are pages

    def __init__(self, build, names, *, key, row=None, count: int | None = None):
        self.build, self.names, self.row, self.counted, self.key = build, names, row, count, key

    @cached_property
    def queryset(self):
        queryset = self.build()
        if not queryset.ordered:
            raise ValueError("CompiledRowValues: the queryset is not ordered")
        return queryset

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            return super().__getitem__(key)
        start, stop = key.start, key.stop
        rows = compiledsql.fetch(
            (self.key, start, stop), lambda _none: self.queryset.values(*self.names)[start:stop], ()
        )
        return rows if self.row is None else [self.row(row) for row in rows]
