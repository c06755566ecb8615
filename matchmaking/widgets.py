"""Form widgets built in Python where Django's template rendering is a measurable share of a page (the order
lists' filter bar, the dashboards' filters, the order form: its 17 widgets took ~12 ms through the templates)."""

import html

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import mark_safe


def escape_markup(text) -> str:
    """Django's `conditional_escape`, the same characters, for the markup built here (which is marked safe as a
    whole): without the lazy-argument wrapper of `escape` on each of the page's ~150 calls. Markup (`__html__`)
    as it is, a lazy string translated, anything else escaped."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


_escape = escape_markup


class PlainSelect(forms.Select):
    """A single <select> with the markup of Django's `select.html`, built in Python.

    The filter bar of every order list has five selects (~140 options, the 83 counties among them); rendering
    them through the option templates and `optgroups()` took ~19 ms of each list page. Same markup (values,
    labels escaped, `selected` on the first matching option, optgroups), without the per-option machinery.
    """

    allow_multiple_selected = False

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        parts = [f'<select name="{_escape(name)}"{_attrs(attrs)}>']
        has_selected = False
        for group_value, group_label in self.choices:
            if isinstance(group_label, list | tuple):
                group, options = group_value, group_label
                parts.append(f'\n  <optgroup label="{_escape(group)}">')
            else:
                group, options = None, [(group_value, group_label)]
            for option_value, label in options:
                option_value = "" if option_value is None else option_value
                selected = (not has_selected or self.allow_multiple_selected) and str(option_value) in wanted
                has_selected |= selected
                parts.append(
                    f'\n  <option value="{_escape(option_value)}"{" selected" if selected else ""}'
                    f"{self.option_extra(option_value)}>{_escape(label)}</option>"
                )
            if group is not None:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label above is escaped

    def option_extra(self, option_value) -> str:
        """More attributes of an option (escaped markup, with its leading space); none here."""
        return ""


class PlainSelectMultiple(PlainSelect, forms.SelectMultiple):
    """A <select multiple> with the markup of Django's `select.html`, built in Python (every matching option
    selected)."""

    allow_multiple_selected = True


class SingleOfManySelect(PlainSelect):
    """A single <select> for a filter that takes several values (the API's `?kind=a&kind=b`): a page picks one."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value not in (None, "")]

    def value_omitted_from_data(self, data, files, name):
        return False  # an absent list is an empty choice, as with SelectMultiple


def _attrs(attrs: dict) -> str:
    """Attributes as Django's `attrs.html` writes them: in order, True as a bare name, False left out."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainInputMixin:
    """An <input> with the markup of Django's `input.html`, built in Python (the filter bar has five)."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{_escape(str(value))}"'
        attrs = _attrs(self.build_attrs(self.attrs, attrs))
        html = f'<input type="{_escape(self.input_type)}" name="{_escape(name)}"{shown}{attrs}>'
        return mark_safe(html)  # noqa: S308 - every value above is escaped


class PlainDateInput(PlainInputMixin, forms.DateInput):
    """A date <input> rendered in Python."""


class PlainNumberInput(PlainInputMixin, forms.NumberInput):
    """A number <input> rendered in Python."""


class PlainTextInput(PlainInputMixin, forms.TextInput):
    """A text <input> rendered in Python."""


class PlainTextarea(forms.Textarea):
    """A <textarea> with the markup of Django's `textarea.html`, built in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        attrs = _attrs(self.build_attrs(self.attrs, attrs))
        html = f'<textarea name="{_escape(name)}"{attrs}>\n{_escape(value) if value else ""}</textarea>'
        return mark_safe(html)  # noqa: S308 - every value above is escaped


class RadioSelect(forms.RadioSelect):
    """Radio buttons whose single inputs (`{{ choice.tag }}` of a form template) are built in Python with the
    markup of Django's `input.html`; the whole widget and wrapped labels still render through Django. Named as
    Django's so that `BoundField.widget_type` stays "radioselect" (the form templates branch on it)."""

    def _render(self, template_name, context, renderer=None):
        option = context["widget"]
        if template_name != self.option_template_name or option.get("wrap_label"):
            return super()._render(template_name, context, renderer)
        value = option["value"]
        shown = "" if value is None else f' value="{_escape(str(value))}"'
        html = f'<input type="{_escape(option["type"])}" name="{_escape(option["name"])}"{shown}{_attrs(option["attrs"])}>'
        return mark_safe(html)  # noqa: S308 - every value above is escaped
