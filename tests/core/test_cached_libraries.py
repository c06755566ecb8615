"""The project's `i18n` and `static` template libraries render what Django's do (constant texts and paths are
remembered per process: core/templatetags/i18n_cached.py, static_cached.py)."""

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.utils import translation

SOURCE = (
    "{% load i18n static %}"
    '{% translate "消息" %}|{% trans \'工作台\' %}|{% translate "四链对接平台" context "navbar brand" %}|'
    '{% translate "（" context "opening parenthesis" %}|{% translate "消息" noop %}|{% translate "a <b> & 100%" %}|'
    '{% translate "100%% 完成" %}|{% translate "数据看板" as crumb %}[{{ crumb }}]|{% translate text %}|'
    '{% translate "消息"|upper %}|{% translate "四链对接平台" context ctx %}|'
    "{% static 'css/site.css' %}|{% static path %}|{% static 'a b&c.css' as url %}[{{ url }}]|"
    "{% get_static_prefix %}|{% get_current_language as lang %}{{ lang }}"
)
CONTEXT = {"text": "退出登录", "ctx": "navbar brand", "path": "js/forms.js"}


def _engines():
    django_libs = {"i18n": "django.templatetags.i18n", "static": "django.templatetags.static"}
    cached_libs = {"i18n": "core.templatetags.i18n_cached", "static": "core.templatetags.static_cached"}
    return Engine(libraries=django_libs), Engine(libraries=cached_libs)


@pytest.mark.parametrize("autoescape", [True, False])
def test_cached_libraries_render_as_django_s_in_each_language(autoescape):
    plain, cached = (engine.from_string(SOURCE) for engine in _engines())
    for language in ("zh-hans", "en", "zh-hans", "en", None):  # twice each: a remembered text is reused
        with translation.override(language):
            expected = plain.render(Context(CONTEXT, autoescape=autoescape))
            assert cached.render(Context(CONTEXT, autoescape=autoescape)) == expected
            assert cached.render(Context(CONTEXT, autoescape=autoescape)) == expected
    with translation.override("en"):
        english = cached.render(Context(CONTEXT))
    with translation.override("zh-hans"):
        assert cached.render(Context(CONTEXT)) != english  # the languages' texts are kept apart


def test_a_settings_change_forgets_the_static_urls():
    plain, cached = (
        engine.from_string("{% load static %}{% static 'css/site.css' %}") for engine in _engines()
    )
    before = cached.render(Context())
    with override_settings(STATIC_URL="/elsewhere/"):
        assert cached.render(Context()) == plain.render(Context())
        assert cached.render(Context()).startswith("/elsewhere/")
    assert cached.render(Context()) == before


def test_the_site_s_templates_load_the_cached_libraries():
    libraries = engines["django"].engine.template_libraries
    assert libraries["i18n"].tags["translate"].__module__ == "core.templatetags.i18n_cached"
    assert libraries["static"].tags["static"].__module__ == "core.templatetags.static_cached"
    assert set(libraries["i18n"].filters) >= {"language_name", "language_bidi"}
