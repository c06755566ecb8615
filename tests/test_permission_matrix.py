"""Role × page: every URL of the project has an entry in `tests/access`, and every persona gets what it says.

Walks the whole URL resolver; a URL name without an entry fails the first test (listing them all), so a new
page cannot ship without deciding who may open it. The `admin:` namespace is not walked (Django admin does its
own permission checks) apart from the explicit admin entries; `set_language` and static files are skipped.
What each persona then *reads* on the pages that show an order is the content half of the matrix:
`tests/access/content.py` (the README's read-policy table) checked by `tests/test_content_matrix.py`.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.parsers import JSONParser

from tests.access import ANONYMOUS, PERSONAS, collect

SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}
REGISTRY = collect()


def _reads_json(url: str, method: str) -> bool:
    """Whether the view behind an API URL reads JSON bodies (the API's default) rather than forms or uploads."""
    if not url.startswith("/api/"):
        return False
    func = resolve(url.split("?")[0]).func
    view_class = getattr(func, "cls", None)
    action = getattr(func, "actions", {}).get(method)
    handler = getattr(view_class, action, None) if action else None
    parsers = (getattr(handler, "kwargs", {}) or {}).get("parser_classes") or getattr(
        view_class, "parser_classes", [JSONParser]
    )
    return any(issubclass(parser, JSONParser) for parser in parsers)


def url_names(patterns=None, namespace="", route=""):
    """(name or route, True if named) for every URL pattern, with namespaces, recursively."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, ns, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            full_route = route + str(pattern.pattern)
            if pattern.name:
                yield f"{namespace}{pattern.name}", full_route
            else:
                yield None, full_route


def project_urls() -> set[str]:
    """Names of the project's URLs that need a matrix entry (unnamed ones by their route)."""
    static_prefixes = tuple(p.lstrip("/") for p in (settings.STATIC_URL, settings.MEDIA_URL) if p)
    found = set()
    for name, route in url_names():
        if name is None:
            if not route.lstrip("^").startswith(static_prefixes):
                found.add(f"<unnamed: {route}>")
            continue
        if name.split(":")[0] in SKIPPED_NAMESPACES or name in SKIPPED_NAMES:
            continue
        found.add(name)
    return found


def test_every_url_has_an_entry():
    missing = sorted(project_urls() - set(REGISTRY))
    assert not missing, (
        "URLs without a permission-matrix entry (add them to a module in tests/access/): "
        + ", ".join(missing)
    )


def test_no_entry_for_a_url_that_does_not_exist():
    all_names = {name for name, _ in url_names() if name}
    stale = sorted(set(REGISTRY) - all_names)
    assert not stale, f"matrix entries for URL names that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_matrix(name, personas, client):
    access = REGISTRY[name]
    wrong = []
    for persona in PERSONAS:
        with transaction.atomic():
            client.logout()
            if persona != ANONYMOUS:
                client.force_login(personas[persona], backend="django.contrib.auth.backends.ModelBackend")
            kwargs = access.kwargs(personas) if access.kwargs else {}
            url = reverse(name, kwargs=kwargs) + (f"?{access.query}" if access.query else "")
            # The API reads JSON bodies only (a form-encoded body is a 415); the pages read forms.
            json_body = access.method in ("post", "put", "patch", "delete") and _reads_json(
                url, access.method
            )
            extra = {"content_type": "application/json"} if json_body else {}
            response = getattr(client, access.method)(url, dict(access.data), **extra)
            if response.status_code != access.expect[persona]:
                wrong.append(f"{persona}: expected {access.expect[persona]}, got {response.status_code}")
            transaction.set_rollback(True)
    assert not wrong, f"{access.method.upper()} {name}: " + "; ".join(wrong)
