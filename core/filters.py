"""The API's filter backend: strict query parameters. Every value the OpenAPI schema forbids answers 400 in the
error shape (django-filter alone lets `?white_listed=2`, `?state=` or `?prefecture=0.5` through as "no filter" or
as a fraction, and sends `?prefecture=1e50` to the database, which overflows). The schema says the same through
`core.apischema.exact_query_parameters`, which reads the bounds from `number_bounds` below:

- number filters take whole numbers within their form field's bounds (by default a 64-bit integer);
- id filters (`ModelChoiceFilter`) take 1 … 2^31−1; a well-formed id naming no object filters to an empty list;
- booleans are `true` or `false`; choice, number, id, date and boolean parameters may not be empty;
- unknown query parameters are ignored.
"""

import re

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_SPELLINGS = ("true", "false")
MAX_ID = 2**31 - 1
MAX_BIGINT = 2**63 - 1
WHOLE = re.compile(r"-?[0-9]{1,19}")
# Parameters that are never free text: an empty value is an error, not "no filter".
TYPED = (
    django_filters.ChoiceFilter,
    django_filters.MultipleChoiceFilter,
    django_filters.ModelChoiceFilter,
    django_filters.NumberFilter,
    django_filters.BooleanFilter,
    django_filters.DateFilter,
)


def number_bounds(filter_) -> tuple[int, int]:
    """The whole-number range a number filter accepts: its form field's bounds within a 64-bit integer."""
    validators = filter_.field.validators
    minima = [v.limit_value for v in validators if isinstance(v, MinValueValidator)]
    maxima = [v.limit_value for v in validators if isinstance(v, MaxValueValidator)]
    return int(max([-MAX_BIGINT, *minima])), int(min([MAX_BIGINT, *maxima]))


def _is_id(raw) -> bool:
    return (
        isinstance(raw, str)
        and raw.isascii()
        and raw.isdigit()
        and len(raw) <= 10
        and 1 <= int(raw) <= MAX_ID
    )


def _problem(filter_, values: list[str]) -> str | None:
    """What is wrong with a parameter's raw values, or None (the filterset's form checks the rest)."""
    if isinstance(filter_, TYPED) and any(value == "" for value in values):
        return _("不能为空。")
    value = values[-1]
    if isinstance(filter_, django_filters.BooleanFilter) and value not in BOOLEAN_SPELLINGS:
        return _("应为 true 或 false。")
    if isinstance(filter_, django_filters.ModelChoiceFilter) and not _is_id(value):
        return _("应为 1 到 %(max)d 的整数 id。") % {"max": MAX_ID}
    if isinstance(filter_, django_filters.NumberFilter):
        low, high = number_bounds(filter_)
        if not WHOLE.fullmatch(value) or not low <= int(value) <= high:
            return _("应为 %(low)d 到 %(high)d 的整数。") % {"low": low, "high": high}
    return None


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, rejecting what the schema rejects (see the module docstring)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        params = request.query_params
        problems = {}
        for name, filter_ in filterset.filters.items():
            if name in params:
                problem = _problem(filter_, params.getlist(name))
                if problem:
                    problems[name] = [problem]
        if problems:
            raise ValidationError(problems)
        if not filterset.is_valid():
            errors = filterset.form.errors.as_data()
            unknown_ids = [
                name
                for name, found in errors.items()
                if isinstance(filterset.filters.get(name), django_filters.ModelChoiceFilter)
                and all(problem.code == "invalid_choice" for problem in found)
            ]
            if unknown_ids and len(unknown_ids) == len(errors):
                return queryset.none()  # a well-formed id that names nothing: no match, like any id filter
            raise utils.translate_validation(filterset.form.errors)
        return filterset.qs
