"""config.middleware.CSPMiddleware: the headers of django-csp's own middleware, the policy built once."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from config.middleware import CSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _headers(middleware_class, view, path="/page/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    response = middleware(request)
    return {name: response.headers.get(name) for name in HEADERS}, request


def plain(request):
    return HttpResponse("ok")


@csp_update({"img-src": ["https://example.com"]})
def updated(request):
    return HttpResponse("ok")


@csp_exempt()
def exempt(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(str(request.csp_nonce))


@pytest.mark.parametrize("view", [plain, updated, exempt])
def test_same_headers_as_django_csp(view):
    ours, _request = _headers(CSPMiddleware, view)
    theirs, _request = _headers(DjangoCSPMiddleware, view)
    assert ours == theirs
    assert (ours["Content-Security-Policy"] is None) == (view is exempt)


def test_policy_is_built_once_and_reused(monkeypatch):
    middleware = CSPMiddleware(plain)
    first = middleware(RequestFactory().get("/")).headers["Content-Security-Policy"]
    monkeypatch.setattr("csp.utils.build_policy", lambda *a, **k: pytest.fail("built again"))
    assert middleware(RequestFactory().get("/")).headers["Content-Security-Policy"] == first


def test_changed_settings_change_the_header():
    middleware = CSPMiddleware(plain)
    before = middleware(RequestFactory().get("/")).headers["Content-Security-Policy"]
    policy = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/skip/"]}
    report_only = {"DIRECTIVES": {"default-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy, CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        ours, _request = _headers(CSPMiddleware, plain)
        assert ours == _headers(DjangoCSPMiddleware, plain)[0]
        assert ours == {HEADERS[0]: "default-src 'none'", HEADERS[1]: "default-src 'self'"}
        skipped, _request = _headers(CSPMiddleware, plain, path="/skip/this/")
        assert skipped == {HEADERS[0]: None, HEADERS[1]: "default-src 'self'"}
        assert middleware(RequestFactory().get("/")).headers[HEADERS[0]] == "default-src 'none'"
    assert middleware(RequestFactory().get("/")).headers["Content-Security-Policy"] == before


def test_nonce_takes_django_csp_way_and_late_nonce_is_an_error():
    policy = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        request = RequestFactory().get("/")
        response = CSPMiddleware(with_nonce)(request)
        nonce = response.content.decode()
        assert f"script-src 'self' 'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
    _headers_sent, request = _headers(CSPMiddleware, plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
