"""One error shape for every API error: {"detail": ..., "code": ..., "fields": {...}}, and the one error that
services raise (`ServiceError`), which every app's API answers in that shape."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


class ServiceError(Exception):
    """The one error services raise: a Chinese message for people and a code for the API.

    Codes: `illegal_transition` (state does not allow it), `claim_conflict` (someone else was faster),
    `duplicate` (a uniqueness rule: it exists already, e.g. a second response of one organization), `forbidden` (this actor may not do it; views answer 404), `invalid` (input fails validation;
    `errors` maps field names to messages).
    """

    def __init__(self, message: str, code: str = "invalid", errors: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code
        self.errors = errors or {}

    def __str__(self):
        return self.message


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    detail = serializers.CharField(help_text="可读的错误说明（中文）")
    code = serializers.CharField(
        help_text="机器可读的错误代码，如 invalid、not_found、illegal_transition、throttled"
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="字段级错误：字段名 → 错误信息列表",
    )


class Conflict(exceptions.APIException):
    """409: an illegal state transition or a lost race (e.g. another body claimed the order first)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("当前状态不允许此操作。")
    default_code = "conflict"


class InvalidInput(exceptions.APIException):
    """400 raised from a service's validation: a Chinese message plus field-level errors."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("提交的数据有误，请检查各字段。")
    default_code = "invalid"

    def __init__(self, detail=None, code=None, fields: dict[str, list[str]] | None = None):
        super().__init__(detail, code)
        self.fields = fields or {}


CONFLICT_CODES = ("illegal_transition", "claim_conflict", "duplicate")


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether a database error broke a uniqueness rule (PostgreSQL SQLSTATE 23505; SQLite's message)."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None):
        return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) == "23505"
    text = str(exc)
    return "UNIQUE constraint failed" in text or "duplicate key value" in text


def from_service_error(exc: ServiceError) -> exceptions.APIException:
    """Map a service's error to an API error: conflicts 409, actor not allowed 403, bad input 400."""
    if exc.code in CONFLICT_CODES:
        return Conflict(exc.message, code=exc.code)
    if exc.code == "forbidden":
        return exceptions.PermissionDenied(exc.message, code="permission_denied")
    fields = {name: [str(message)] for name, message in exc.errors.items() if name != "__all__"}
    return InvalidInput(exc.message, code="invalid", fields=fields)


def _flatten(detail) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    fields[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                fields[key] = [str(v) for v in value]
            else:
                fields[key] = [str(value)]
    return fields


def _first_code(exc) -> str:
    codes = exc.get_codes()
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else "error"


def api_exception_handler(exc, context):
    """Render every exception DRF handles in the one error shape, with Chinese messages."""
    if isinstance(exc, ServiceError):
        exc = from_service_error(exc)
    elif isinstance(exc, IntegrityError) and is_unique_violation(exc):
        # A race past a service's own check (two requests at once): the uniqueness rule decided.
        exc = Conflict(_("该记录已存在（可能是重复提交），请刷新后查看。"), code="duplicate")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("没有权限执行此操作。"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail) if isinstance(exc.detail, dict) else {}
        non_field = fields.pop("non_field_errors", None)
        if isinstance(exc.detail, list):
            non_field = [str(d) for d in exc.detail]
        detail = (non_field or [_("提交的数据有误，请检查各字段。")])[0]
        body = {"detail": detail, "code": _first_code(exc) if non_field else "invalid", "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(exc, exceptions.Throttled):
            detail = _("请求过于频繁，请 %(s)s 秒后再试。") % {"s": (exc.wait and int(exc.wait)) or 1}
        body = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or _default_code(exc),
            "fields": getattr(exc, "fields", None) or {},
        }
    return Response(body, status=response.status_code, headers=dict(response.headers))


def _default_code(exc) -> str:
    return getattr(exc, "default_code", "error")


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries describing the error shape for the given HTTP statuses."""
    texts = {
        400: "输入有误",
        401: "未登录或令牌无效",
        403: "无权限或账号被锁定",
        404: "不存在或不在您的可见范围内",
        409: "状态不允许此操作，或与他人的操作冲突",
        429: "请求过于频繁",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts.get(code, "错误")) for code in statuses}


def document_page_not_found(result, generator, request, public):
    """Schema postprocessing hook: every paginated list documents the 404 of a page past the end."""
    error = {
        "description": "页码超出范围",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            if any(
                p.get("name") == "page" and p.get("in") == "query" for p in operation.get("parameters", [])
            ):
                operation.setdefault("responses", {}).setdefault("404", error)
    return result


class NotFoundView(APIView):
    """Any other path under /api/v1/: a 404 in the error shape (not Django's HTML page), for every method."""

    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound(_("未找到。"))

    post = put = patch = delete = get
