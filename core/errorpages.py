"""The site's error pages (400, 403, 404, 429, 500) in Chinese with English, and the favicon.

Pages extend the site's base template; the 500 page is a self-contained template rendered without a request
context (no database, no context processors), so it renders whatever broke. Under /api/ the same handlers
answer in the API's error shape (JSON) instead of HTML. Wired in config/urls.py (handler400/403/404/500);
429 is `too_many_requests`, used by the page throttles (the login lockout has its own 429 page,
accounts/lockout.html).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"


def _api(request, status: int, detail: str, code: str):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail, "code": code, "fields": {}}, status=status)
    return None


@requires_csrf_token
def bad_request(request, exception=None):
    """400: a request the site cannot read."""
    return _api(request, 400, _("请求有误。"), "bad_request") or render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    """403: not allowed (a failed CSRF check included)."""
    return _api(request, 403, _("没有权限执行此操作。"), "permission_denied") or render(
        request, "403.html", status=403
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    """404: no such page, or not within the viewer's scope (never told apart)."""
    return _api(request, 404, _("未找到。"), "not_found") or render(request, "404.html", status=404)


def too_many_requests(request, wait: int | None = None):
    """429: too many requests from this address or account; `wait` seconds until the next try."""
    response = _api(request, 429, _("请求过于频繁，请稍后再试。"), "throttled") or render(
        request, "429.html", {"wait": wait}, status=429
    )
    if wait:
        response["Retry-After"] = str(int(wait))
    return response


@requires_csrf_token
def server_error(request):
    """500: the minimal self-contained page, rendered without context processors or the database."""
    api = _api(request, 500, _("服务器内部错误，请稍后再试。"), "server_error")
    if api is not None:
        return api
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())


@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico for browsers and tools that ask the site root (pages link the static SVG and ICO)."""
    path = finders.find("favicon.ico") or Path(settings.STATIC_ROOT or "") / "favicon.ico"
    if not path or not Path(path).is_file():
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
