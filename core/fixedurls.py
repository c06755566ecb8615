"""`reverse()` remembered per process, for URLs that depend only on their name and arguments.

A URL depends on its name, its arguments, the URL conf (the request's or the setting) and the script prefix, which
are the memo's key; nothing else can change it while the process runs. Used where a page names many such URLs on
every request (`{% fixed_url %}` of the page chrome, the dashboards' entry page).
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_URLS: dict[tuple, str] = {}
# Bounded: a few dozen argument-free names plus a few dozen chain types and prefectures, per script prefix.
SIZE = 5120


def reverse_once(name: str, *args) -> str:
    """`reverse(name, args=args)`, remembered per process."""
    key = (name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    url = _URLS.get(key)
    if url is None:
        if len(_URLS) >= SIZE:
            _URLS.clear()
        url = _URLS[key] = reverse(name, args=args)
    return url
