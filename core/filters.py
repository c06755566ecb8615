"""The API's filter backend: strict query parameters. Every value the OpenAPI schema forbids answers 400 in the
error shape (django-filter alone lets `?white_listed=2`, `?state=` or `?prefecture=0.5` through as "no filter" or
as a fraction, and sends `?prefecture=1e50` to the database, which overflows). The schema says the same through
`core.apischema.exact_query_parameters`, which reads the bounds from `number_bounds` below:

- number filters take whole numbers within their form field's bounds (by default a 64-bit integer);
- id filters (`ModelChoiceFilter`) take 1 … 2^31−1; a well-formed id naming no object filters to an empty list;
- booleans are `true` or `false`; choice, number, id, date and boolean parameters may not be empty;
- unknown query parameters are ignored.
"""

import functools
import re

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import translation
from django.utils.translation import gettext as _
from django_filters import utils
from django_filters.filters import QuerySetRequestMixin
from django_filters.filterset import BaseFilterSet
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


def _plain(filterset_class) -> bool:
    """Whether the filterset is django-filter's own machinery throughout: its own filters (each a no-op
    without a value), the plain form, nothing required and no queryset that depends on the request."""
    return (
        filterset_class.filter_queryset is BaseFilterSet.filter_queryset
        and filterset_class.qs is BaseFilterSet.qs
        and filterset_class.get_form_class is BaseFilterSet.get_form_class
        and filterset_class._meta.form is forms.Form
        and all(
            type(filter_).__module__.startswith("django_filters.")
            and not isinstance(filter_, QuerySetRequestMixin)
            and not filter_.extra.get("required")
            for filter_ in filterset_class.base_filters.values()
        )
    )


@functools.lru_cache(maxsize=256)
def _narrowed(filterset_class, names: tuple[str, ...]):
    """A plain filterset class with only the named filters (the others, given no value, would do nothing)."""
    narrowed = type(filterset_class.__name__, (filterset_class,), {"__module__": filterset_class.__module__})
    narrowed.base_filters = {name: filterset_class.base_filters[name] for name in names}
    return narrowed


# Declared filterset class → whether it is plain (`_plain`); (narrowed class, language) → its form class.
_PLAIN: dict[type, bool] = {}
_FORMS: dict[tuple[type, str], type] = {}


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, rejecting what the schema rejects (see the module docstring).

    For a plain filterset declared on the view (`_plain`), only the filters a parameter names take part (a
    request naming none skips the filterset), and their form class is built once per language (the fields
    depend on nothing else; each form still copies them), not on every request."""

    @staticmethod
    def _is_plain(view, filterset_class) -> bool:
        if filterset_class is not getattr(view, "filterset_class", None):
            return False  # generated from `filterset_fields`: a new class per request
        if filterset_class not in _PLAIN:
            _PLAIN[filterset_class] = _plain(filterset_class)
        return _PLAIN[filterset_class]

    def _plain_filterset(self, request, queryset, view, filterset_class):
        """The filterset of the named filters only, with its cached form class; None when none is named."""
        params = request.query_params
        # A prefix also covers the suffixed parameters of range filters (`name_min`, `name_after`, ...).
        names = tuple(
            name for name in filterset_class.base_filters if any(key.startswith(name) for key in params)
        )
        if not names:
            return None
        filterset = _narrowed(filterset_class, names)(**self.get_filterset_kwargs(request, queryset, view))
        key = (type(filterset), translation.get_language())
        form_class = _FORMS.get(key)
        if form_class is None:
            if len(_FORMS) >= 1024:
                _FORMS.clear()
            form_class = _FORMS[key] = filterset.get_form_class()
        filterset.get_form_class = lambda: form_class
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if self._is_plain(view, filterset_class):
            filterset = self._plain_filterset(request, queryset, view, filterset_class)
            if filterset is None:
                return queryset
        else:
            filterset = self.get_filterset(request, queryset, view)
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
