"""Lockout after repeated failed logins (django-axes), keyed on username and address together, plus an address limit.

A username is locked only at the address its AXES_FAILURE_LIMIT failures came from: someone elsewhere who
types wrong passwords for an account (the administrator's included) cannot keep its owner out. An address
that failed AXES_ADDRESS_FAILURE_LIMIT times, across any usernames, is locked for every username (password
spraying). Failures are rows in the database, so every web process sees them.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off period, across every username."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with the address limit on top of the (username, address) one."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures of this username at this address; the full limit once the address itself is over its own."""
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_address_locked = True
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_response(request, original_response=None, credentials=None):
    """The Chinese lockout page (HTTP 429): the account at this address, or the whole address."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.AXES_ADDRESS_FAILURE_LIMIT,
        "address_locked": getattr(request, "axes_address_locked", False),
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "accounts/lockout.html", context, status=429)
