"""`{% fixed_url %}` renders what `{% url %}` does, per script prefix."""

from django.template import Context, Template
from django.urls import set_script_prefix

NAMES = ["home", "orders:county", "orders:inbox", "accounts:logout", "set_language", "chains:white_list"]


def test_fixed_url_is_the_url_tag_under_each_script_prefix():
    fixed = Template("{% load fixed_urls %}" + "|".join(f"{{% fixed_url '{name}' %}}" for name in NAMES))
    plain = Template("|".join(f"{{% url '{name}' %}}" for name in NAMES))
    try:
        for prefix in ("/", "/sub/", "/a&b/"):
            set_script_prefix(prefix)
            assert fixed.render(Context()) == plain.render(Context())
            assert prefix.replace("&", "&amp;") in fixed.render(Context())
    finally:
        set_script_prefix("/")
