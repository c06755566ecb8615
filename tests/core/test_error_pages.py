"""The error pages (400, 403, 404, 429, 500) in Chinese and English, the JSON shape under /api/, the favicon."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import include, path

from config import urls as root_urls
from core import errorpages
from tests.test_i18n import CJK, compiled_catalog  # noqa: F401 (fixture)


def _boom(request, code):
    if code == 400:
        raise SuspiciousOperation("bad")
    if code == 403:
        raise PermissionDenied
    if code == 404:
        raise Http404
    if code == 429:
        return errorpages.too_many_requests(request, wait=42)
    raise RuntimeError("boom")


# This module is the URLconf of its tests: the site's URLs, a view failing on demand, the site's handlers.
urlpatterns = [
    path("boom/<int:code>/", _boom),
    path("api/v1/boom/<int:code>/", _boom),
    path("", include(root_urls)),
]
handler400 = root_urls.handler400
handler403 = root_urls.handler403
handler404 = root_urls.handler404
handler500 = root_urls.handler500

PAGES = {
    400: ("请求有误", "Bad request"),
    403: ("没有权限", "Not allowed"),
    404: ("页面不存在", "Page not found"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器内部错误", "Internal server error"),
}


def test_handlers_are_wired():
    assert root_urls.handler400 == "core.errorpages.bad_request"
    assert root_urls.handler403 == "core.errorpages.permission_denied"
    assert root_urls.handler404 == "core.errorpages.page_not_found"
    assert root_urls.handler500 == "core.errorpages.server_error"


def _get(url, language):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    return client.get(url)


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(PAGES))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_error_page_in_both_languages(code, language, compiled_catalog, settings):  # noqa: F811
    settings.DEBUG = False
    url = "/no-such-page/" if code == 404 else f"/boom/{code}/"
    response = _get(url, language)
    html = response.content.decode()
    chinese, english = PAGES[code]
    assert response.status_code == code
    assert response["Content-Type"].startswith("text/html")
    assert 'data-testid="error-page"' in html and str(code) in html
    assert (english if language == "en" else chinese) in html
    if language == "en":
        assert '<html lang="en">' in html
        assert set(CJK.findall(html)) <= {"中文"}, set(CJK.findall(html))  # only the switcher's label
    if code == 429:
        assert response["Retry-After"] == "42" and "42" in html
    if code == 500:
        assert "/static/" not in html or "favicon" in html  # self-contained: no base template, no context
    else:
        assert "navbar" in html  # the site's base template


@pytest.mark.urls(__name__)
@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(PAGES))
def test_api_errors_keep_the_json_shape(code, settings):
    settings.DEBUG = False
    response = _get(f"/api/v1/boom/{code}/", "zh-hans")
    assert response.status_code == code
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code", "fields"}


@pytest.mark.django_db
def test_server_error_page_renders_without_database_or_context(django_assert_num_queries, rf):
    with django_assert_num_queries(0):
        response = errorpages.server_error(rf.get("/orders/1/"))
    assert response.status_code == 500 and "服务器内部错误" in response.content.decode()


@pytest.mark.django_db
def test_stale_form_answers_the_csrf_page_in_english(compiled_catalog):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403 and "Page out of date" in html and "navbar" in html


@pytest.mark.django_db
def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    html = client.get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html and "favicon.ico" in html
