"""Rate limits shared by the web forms and the API (same counters, same rates from REST_FRAMEWORK settings)."""

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class OrderCreationThrottle(SimpleRateThrottle):
    """Orders a user may create per period (`order_create` rate); shares its counter with the API's."""

    scope = "order_create"

    @property
    def cache(self):
        # The cache every web process shares (Redis, or a database table without REDIS_URL).
        return caches["shared"]

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def order_creation_wait(request) -> int | None:
    """None when the user may create another order now (and count it); else the seconds to wait."""
    throttle = OrderCreationThrottle()
    if throttle.allow_request(request, None):
        return None
    return int(throttle.wait() or 1)
