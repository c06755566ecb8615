"""The session's user read through the cache; with REQUIRE_2FA=1, administrators and provincial-body users use
the site only after the second factor."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts import two_factor, usercache
from core import readahead

# Pages such a user may still open: enrolment, the code step, logging out and switching the language.
EXEMPT_URL_NAMES = ("accounts:two_factor", "accounts:login_verify", "accounts:logout", "set_language")


class TwoFactorRequiredMiddleware:
    """Send a signed-in user who must use two-factor sign-in to enrolment (no device yet) or to the code step
    (a device, but this session has not passed it); API calls on such a session get a JSON 403.

    Does nothing (no query) unless REQUIRE_2FA is on; API requests with a token are checked at the token
    endpoint instead (a token is only issued after the second factor).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt = None

    def exempt_paths(self) -> tuple[str, ...]:
        if self._exempt is None:
            self._exempt = tuple(reverse(name) for name in EXEMPT_URL_NAMES)
        return self._exempt

    def __call__(self, request):
        if settings.REQUIRE_2FA:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or two_factor.is_verified(user):
            return None
        if request.path in self.exempt_paths() or not two_factor.two_factor_required(user):
            return None
        enrolled = two_factor.has_two_factor(user)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("您的账号须先通过两步验证才能使用。"),
                    "code": "two_factor_required",
                    "fields": {},
                },
                status=403,
            )
        if enrolled:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:login_verify')}?{query}")
        messages.warning(request, _("按平台要求，您的账号须先启用两步验证，之后才能使用其他功能。"))
        return redirect("accounts:two_factor")


def _session_user(request):
    """The request's user (Django's get_user), its row read through accounts.usercache when that is on."""
    if not hasattr(request, "_cached_user"):
        if usercache.enabled():
            usercache.read_ahead(request)
            with usercache.loading_session_user():
                request._cached_user = get_user(request)
            usercache.remember(request, request._cached_user)
        else:
            request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the user row read through accounts.usercache (Django's session-hash and is_active checks
    unchanged), read ahead with the session and the user's other cached entries (core.readahead)."""

    def process_request(self, request):
        super().process_request(request)
        readahead.begin()
        request.user = SimpleLazyObject(lambda: _session_user(request))

    def process_response(self, request, response):
        readahead.end()
        return response
