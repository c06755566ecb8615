"""config.urls lists the busiest prefixes first and the two includes without a prefix last: every path of those
two still resolves to its own view (no earlier pattern takes it), and the API's catch-all stays under /api/v1/."""

import uuid

import pytest
from django.urls import resolve, reverse
from django.urls.resolvers import URLResolver

from chains import urls as chain_urls
from config import urls as root_urls
from ops import urls as ops_urls

SAMPLE = {"pk": 7, "job_id": uuid.UUID(int=7), "code": "textile", "action": "confirm"}


def _own_paths(module, namespace):
    for pattern in module.urlpatterns:
        names = pattern.pattern.converters if hasattr(pattern.pattern, "converters") else {}
        kwargs = {name: SAMPLE[name] for name in names}
        yield f"{namespace}:{pattern.name}", reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)


@pytest.mark.parametrize(("module", "namespace"), [(chain_urls, "chains"), (ops_urls, "ops")])
def test_unprefixed_includes_resolve_to_their_own_views(module, namespace):
    for view_name, path in _own_paths(module, namespace):
        assert resolve(path).view_name == view_name, path


def test_unprefixed_includes_come_last_and_api_first():
    patterns = root_urls.urlpatterns
    unprefixed = [i for i, p in enumerate(patterns) if isinstance(p, URLResolver) and str(p.pattern) == ""]
    assert unprefixed == [len(patterns) - 2, len(patterns) - 1]
    assert resolve("/api/v1/no-such-thing/").url_name == "not-found"
    assert resolve("/api/v1/development-index/indicators/").namespaces == ["devindex-api"]
    assert resolve("/").url_name == "home" and resolve("/favicon.ico").url_name == "favicon"


def test_api_busiest_lists_tried_first_and_resolve_as_registered():
    from config import api

    routes = [str(p.pattern) for p in api.urlpatterns]
    first_router = routes.index("^orders/$")
    assert routes[:first_router] == [
        "auth/token/",
        "auth/logout/",
        "auth/logout-all/",
        *map(str, (p.pattern for p in api.event_urls)),
    ]
    assert resolve("/api/v1/orders/").view_name == "api:order-list"
    assert resolve("/api/v1/notifications/").view_name == "api:notification-list"
    assert resolve("/api/v1/orders/7/claim/").view_name == "api:order-claim"
    assert resolve("/api/v1/").view_name == "api:api-root" and routes[-1] == "^(?P<rest>.+)$"
