"""`Idempotency-Key` on API POSTs: a client that retries a POST with the same key (and the same body) gets the
first answer again instead of a second change.

The contract (README, API section): the key is any 1–255 printable ASCII characters, scoped per user (an
anonymous request ignores it); the same key and the same method, path and body replays the first answer with
`Idempotent-Replayed: true`; the same key with another body answers 422 (`idempotency_key_reused`); while the
first request is still being processed, 409 (`idempotency_in_flight`). Answers 5xx and 429 are not kept (the
retry runs again). Keys expire after IDEMPOTENCY_KEY_TTL_HOURS (default 24).

Written small rather than taken from django-idempotency-key (1.3.0, 2023), which neither scopes keys per user
nor compares the body (a reused key with another body would replay a wrong answer)."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_HASHED_BODY = 10 * 1024 * 1024  # larger bodies (uploads) are fingerprinted by their length
NOT_KEPT = (429,)


def _error(status: int, detail: str, code: str) -> HttpResponse:
    body = json.dumps({"detail": detail, "code": code, "fields": {}}, ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json")


def _api_user(request):
    """The caller as the API authenticates it (token or session), or None when anonymous."""
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    drf_request = Request(request)
    for authenticator in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        try:
            result = authenticator().authenticate(drf_request)
        except Exception:  # a bad token: the view answers 401 itself
            return None
        if result is not None:
            return result[0]
    return None


def fingerprint(request) -> str:
    """SHA-256 of the method, the full path and the body (its length only for very large uploads)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= MAX_HASHED_BODY:
        digest.update(request.body)
    else:
        digest.update(f"length:{length}".encode())
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status_code, content_type=record.content_type or None)
    if record.location:
        response["Location"] = record.location
    response[REPLAYED] = "true"
    return response


class IdempotencyMiddleware:
    """Applies the contract above to POST requests under /api/ that carry the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        key = key.strip()
        if not (0 < len(key) <= 255) or not key.isascii() or not key.isprintable():
            return _error(
                400, _("Idempotency-Key 须为 1–255 个可打印 ASCII 字符。"), "invalid_idempotency_key"
            )
        user = _api_user(request)
        if user is None:
            return self.get_response(request)
        now = timezone.now()
        print_ = fingerprint(request)
        IdempotencyRecord.objects.filter(user=user, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=print_,
                    method=request.method,
                    path=request.path[:500],
                    expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:  # expired and removed meanwhile: let the client retry
                return _error(
                    409, _("该 Idempotency-Key 的请求正在处理中，请稍后重试。"), "idempotency_in_flight"
                )
            if existing.fingerprint != print_:
                return _error(
                    422,
                    _("该 Idempotency-Key 已用于另一个请求（方法、路径或内容不同）。"),
                    "idempotency_key_reused",
                )
            if existing.status_code is None:
                return _error(
                    409, _("该 Idempotency-Key 的请求正在处理中，请稍后重试。"), "idempotency_in_flight"
                )
            return _replay(existing)
        try:
            response = self.get_response(request)
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            record.delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code,
            content_type=response.get("Content-Type", "")[:100],
            location=response.get("Location", "")[:500],
            body=response.content.decode(response.charset or "utf-8", errors="replace"),
        )
        return response
