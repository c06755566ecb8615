"""`python manage.py list_urls`: every URL pattern with its name, one a line, sorted (to diff a refactoring)."""

from django.core.management.base import BaseCommand
from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns, prefix="", namespace=""):
    """(route, name, view) for each pattern under the resolver, depth first."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
            yield route, name, f"{view.__module__}.{getattr(view, '__qualname__', view.__class__.__name__)}"


class Command(BaseCommand):
    """Print the URL list (route, name and, with --views, the view) to compare before and after a change."""

    help = "List every URL pattern with its name."

    def add_arguments(self, parser):
        parser.add_argument("--views", action="store_true", help="also print each pattern's view")

    def handle(self, *args, views=False, **options):
        for route, name, view in sorted(walk(get_resolver().url_patterns)):
            self.stdout.write(f"{route}\t{name}\t{view}" if views else f"{route}\t{name}")
