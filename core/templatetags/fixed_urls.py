"""`{% fixed_url 'name' %}`: Django's `{% url 'name' %}` for a URL without arguments, reversed once per process.

The page chrome (navigation bar, user menu) names some twenty such URLs on every page; `reverse()` of each costs
more than the rest of its tag. The URL of a name without arguments depends only on the URL conf (the request's or the
setting) and the script prefix, the key of `core.fixedurls`' memo; the output is escaped as `{% url %}`'s is.
"""

from django import template

from core.fixedurls import reverse_once

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """The URL of `name` (no arguments), as `{% url name %}` renders it (core.fixedurls)."""
    return reverse_once(name)
