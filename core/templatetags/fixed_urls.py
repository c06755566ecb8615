"""`{% fixed_url 'name' %}`: Django's `{% url 'name' %}` for a URL without arguments, reversed once per process.

The page chrome (navigation bar, user menu) names some twenty such URLs on every page; `reverse()` of each costs
more than the rest of its tag. The URL of a name without arguments depends only on the URL conf (the request's or the
setting) and the script prefix, which are the cache key; the output is escaped as `{% url %}`'s is.
"""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

_URLS: dict[tuple, str] = {}


@register.simple_tag
def fixed_url(name: str) -> str:
    """The URL of `name` (no arguments), as `{% url name %}` renders it."""
    key = (name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    url = _URLS.get(key)
    if url is None:
        if len(_URLS) >= 1024:  # bounded: names are a few dozen per script prefix
            _URLS.clear()
        url = _URLS[key] = reverse(name)
    return url
