"""Schema postprocessing hooks that make the OpenAPI schema say exactly what the API does.

- `exact_query_parameters`: each filter parameter carries the type and bounds the API enforces (whole numbers
  within their form field's bounds, ids 1 … 2^31−1; see core.filters), so every value the schema allows is one
  the API accepts and every value it forbids is a 400 (core.filters.StrictFilterBackend,
  core.pagination.StandardPagination).
- `strict_text_fields` (run once at start-up): a JSON number or boolean sent for a text field is a 400, as the
  schema's `"type": "string"` says (DRF alone turns `{"title": 0}` into "0").
- `document_errors`: every operation lists the errors it can answer, all in the one error shape
  (core.errors.ErrorSerializer): 400 (parameters or body), 401 (token missing or invalid), 403, 404, 405
  (a method the path does not have), 409 (state changes), 415 (a body that is not JSON) and 429.
"""

import re
from types import SimpleNamespace

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.urls import Resolver404, resolve

from core.filters import MAX_ID, StrictFilterBackend, number_bounds

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_TEXTS = {
    "400": "输入有误（参数或请求体不符合本文档）",
    "401": "未登录或令牌无效",
    "403": "无权限执行此操作",
    "404": "不存在或不在您的可见范围内",
    "405": "该路径不支持此方法",
    "409": "状态不允许此操作，或与他人的操作冲突",
    "415": "请求体不是 JSON（application/json）",
    "429": "请求过于频繁",
}
CHANGING = ("post", "put", "patch", "delete")


def _view_class(path: str):
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
    except Resolver404:
        return None
    return getattr(match.func, "cls", None)


def _bounds(filter_) -> dict:
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if isinstance(filter_, django_filters.NumberFilter):
        low, high = number_bounds(filter_)
        return {"type": "integer", "minimum": low, "maximum": high}
    if isinstance(filter_, django_filters.CharFilter):
        return {}
    return {}


def _filters(view_class) -> dict:
    """The filters of a view's filterset, declared (`filterset_class`) or generated (`filterset_fields`)."""
    if view_class is None:
        return {}
    if getattr(view_class, "filterset_class", None) is not None:
        return view_class.filterset_class.base_filters
    if not getattr(view_class, "filterset_fields", None):
        return {}
    view = view_class()
    queryset = getattr(view_class, "queryset", None)
    if queryset is None:  # the model, from the view's own queryset as an anonymous visitor would get it
        view.request = SimpleNamespace(user=AnonymousUser(), query_params={}, GET={})
        view.action, view.kwargs, view.format_kwarg = "list", {}, None
        try:
            queryset = view.get_queryset()
        except Exception:
            return {}
    filterset_class = StrictFilterBackend().get_filterset_class(view, queryset)
    return filterset_class.base_filters if filterset_class else {}


def exact_query_parameters(result, generator, request, public):
    """Give filter parameters the bounds their form fields enforce (see the module docstring)."""
    for path, path_item in result.get("paths", {}).items():
        filters = _filters(_view_class(path))
        for method, operation in path_item.items():
            if method != "get" or not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or parameter["name"] not in filters:
                    continue
                bounds = _bounds(filters[parameter["name"]])
                schema = parameter.setdefault("schema", {})
                if schema.get("type") == "number":
                    schema.pop("format", None)
                schema.update(bounds)
    return result


def document_errors(result, generator, request, public):
    """List the error responses every operation can give (see the module docstring)."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["403", "404", "405", "429"]
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("400")
            if any(requirement for requirement in operation.get("security", [{}])):
                codes.append("401")
            if method in CHANGING:
                codes.append("409")
            if operation.get("requestBody"):
                codes.append("415")
            responses = operation["responses"]
            for code in sorted(codes):
                responses.setdefault(
                    code,
                    {
                        "description": ERROR_TEXTS[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return result


def strict_text_fields():
    """Make DRF's text fields refuse JSON numbers and booleans (see the module docstring)."""
    from rest_framework import serializers

    if getattr(serializers.CharField, "strict_text", False):
        return
    original = serializers.CharField.to_internal_value

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    serializers.CharField.to_internal_value = to_internal_value
    serializers.CharField.strict_text = True
