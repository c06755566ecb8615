"""Django's `i18n` template library with `{% translate %}` of a constant text looked up once per process.

The page chrome and the pages name some thirty constant texts each (`{% translate "消息" %}`); Django's tag builds
a lazy translation proxy per render, resolves it and escapes it, which cost ~1 ms of every page. The text a
constant `{% translate %}` renders depends only on the active language's catalog, the literal and the message
context (a constant one): it is remembered per (language, literal, context, noop). Anything else (a variable,
filters, a variable context) renders as Django's tag does. Catalogs do not change in a process; a settings
change (tests) empties the memo. The templates keep `{% load i18n %}`: the `libraries` option of TEMPLATES maps
`i18n` here, every other tag and filter is Django's.
"""

from django import template
from django.core.signals import setting_changed
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)

_TEXTS: dict[tuple, str] = {}


def _clear(**kwargs) -> None:
    _TEXTS.clear()


setting_changed.connect(_clear, dispatch_uid="core.templatetags.i18n_cached")


class CachedTranslateNode(django_i18n.TranslateNode):
    """Django's TranslateNode; a constant text's rendered value is remembered per language."""

    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        var = self.filter_expression.var
        constant = not self.filter_expression.filters and getattr(var, "lookups", True) is None
        context = None
        if message_context is not None:
            constant = constant and not message_context.filters and isinstance(message_context.var, str)
            context = message_context.var if constant else None
        self.key = (var.literal, context, bool(noop)) if constant else None

    def render(self, context):
        if self.key is None:
            return super().render(context)
        key = (get_language(), *self.key)
        value = _TEXTS.get(key)
        if value is None:
            if len(_TEXTS) >= 20000:  # bounded: a few thousand texts per language
                _TEXTS.clear()
            value = _TEXTS[key] = self._value(context)
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _value(self, context):
        """TranslateNode.render's value (before `as`)."""
        asvar, self.asvar = self.asvar, None
        try:
            return super().render(context)
        finally:
            self.asvar = asvar


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    """Django's `{% translate %}`, built as CachedTranslateNode."""
    node = django_i18n.do_translate(parser, token)
    return CachedTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
