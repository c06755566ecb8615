"""Django's `static` template library with `{% static 'path' %}` of a constant path resolved once per process.

Every page links five static files from the base template; the storage's `url()` (the manifest's hashed name)
of a constant path is the same for the life of the process, so it is remembered (a settings change, in tests,
empties the memo). A variable path renders as Django's tag does. The templates keep `{% load static %}`: the
`libraries` option of TEMPLATES maps `static` here, every other tag and filter is Django's.
"""

from django import template
from django.core.signals import setting_changed
from django.templatetags import static as django_static

register = template.Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

_URLS: dict[str, str] = {}


def _clear(**kwargs) -> None:
    _URLS.clear()


setting_changed.connect(_clear, dispatch_uid="core.templatetags.static_cached")


class CachedStaticNode(django_static.StaticNode):
    """Django's StaticNode; a constant path's URL is remembered."""

    def url(self, context):
        path = self.path
        if path.filters or not isinstance(path.var, str):
            return super().url(context)
        url = _URLS.get(path.var)
        if url is None:
            if len(_URLS) >= 1024:  # bounded: the templates name a few dozen files
                _URLS.clear()
            url = _URLS[path.var] = super().url(context)
        return url


@register.tag("static")
def do_static(parser, token):
    """Django's `{% static %}`, built as CachedStaticNode."""
    return CachedStaticNode.handle_token(parser, token)
