"""Rate limits of logging in, signing up and resetting a password, keyed on the real client address.

`client_ip` is the one place that decides a request's address, for these throttles, the lockout (django-axes)
and the login records: REMOTE_ADDR, or — behind NUM_PROXIES trusted reverse proxies that each append the peer
they saw to X-Forwarded-For — the address the outermost trusted proxy saw. Whatever a client writes into the
header itself stays to the left of that and is ignored, so a made-up address never gets a fresh counter.

The counters live in the "shared" cache (Redis with REDIS_URL, else a database table), so every web process
counts together, and the web forms and the API use the same counters (the login form, its code step and
POST /api/v1/auth/token/ share `login`).
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request) -> str:
    """The client's IP address as the outermost trusted proxy (or, without proxies, the socket) saw it."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    proxies = settings.NUM_PROXIES
    if proxies:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            candidate = forwarded[-min(proxies, len(forwarded))]
            if _is_address(candidate):
                return candidate
    return remote


class AddressRateThrottle(SimpleRateThrottle):
    """A rate per client address (`scope` in DEFAULT_THROTTLE_RATES), counted in the shared cache."""

    scope = ""

    @property
    def cache(self):
        return caches["shared"]

    def get_rate(self):
        # Read at call time (not at import), so a changed REST_FRAMEWORK setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(AddressRateThrottle):
    """Login attempts per address: web form, two-step code and API token endpoint together."""

    scope = "login"


class SignupThrottle(AddressRateThrottle):
    """Sign-up submissions per address."""

    scope = "signup"


class PasswordResetThrottle(AddressRateThrottle):
    """Password-reset requests per address."""

    scope = "password_reset"


class PasswordResetEmailThrottle(AddressRateThrottle):
    """Password-reset requests per e-mail address asked for (registered or not: the answer reveals nothing)."""

    scope = "password_reset_email"

    def __init__(self, email: str):
        self.email = (email or "").strip().lower()
        super().__init__()

    def get_cache_key(self, request, view):
        digest = hashlib.sha256(self.email.encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": digest}


def wait_seconds(request, throttle: SimpleRateThrottle) -> int | None:
    """None when the request is allowed (and counted); else the whole seconds to wait."""
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))
