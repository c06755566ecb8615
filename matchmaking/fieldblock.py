"""A form field's block of `matchmaking/_field.html` built in Python: the order form includes it 22 times, which
took ~6 ms of the new-order page through the template engine. Same markup, byte for byte (tests compare)."""

from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from matchmaking.widgets import escape_markup as _escape

# The blocks of a form's fixed fields left at their own initial value, by form class, language, prefix, auto_id,
# field name and value: the same markup every time (see `render_field`). A few dozen strings per process.
_FIXED_BLOCKS: dict[tuple, str] = {}


def _required_mark(field) -> str:
    """The red star after a label: required, or required only to submit (with its title)."""
    if field.required:
        return ' <span class="text-danger">*</span>'
    if getattr(field, "submit_required", False):
        return f' <span class="text-danger" title="{_escape(gettext("提交审核时必填"))}">*</span>'
    return ""


def render_field(bound) -> str:
    """The markup `matchmaking/_field.html` renders for this bound field.

    A field the form names in `FIXED_FIELDS` (its label, help, widget, attributes and choices set by the code
    alone, never from the database or the request) renders the same markup whenever the form is unbound, has no
    errors and no initial value for it (its value is then the field's own initial one, also fixed by the code):
    in the language of the request. That block is built once per process, language and value and then reused
    (the new-order page has 16 such fields).
    """
    form = bound.form
    name = bound.name
    if name in getattr(form, "FIXED_FIELDS", ()) and not form.is_bound and name not in form.initial:
        value = bound.value()  # the field's own initial value (its model default), fixed by the code too
        if not form.errors and (value is None or isinstance(value, str | int)):
            key = (
                type(form),
                get_language(),
                form.prefix,
                form.auto_id,
                form.use_required_attribute,
                name,
                value,
            )
            block = _FIXED_BLOCKS.get(key)
            if block is None:
                block = _FIXED_BLOCKS[key] = _render(bound)
            return block
    return _render(bound)


def _render(bound) -> str:
    field = bound.field
    kind = getattr(field, "kind", None)
    kind_attr = f' data-kind-field="{_escape(kind)}"' if kind else ""
    parts = [f'<div class="mb-3"{kind_attr}>\n  ']
    widget_type = bound.widget_type
    if widget_type == "checkbox":
        parts.append(
            f'\n    <div class="form-check">{_escape(bound)} <label class="form-check-label" '
            f'for="{_escape(bound.id_for_label)}">{_escape(bound.label)}</label></div>\n  '
        )
    elif widget_type in ("radioselect", "checkboxselectmultiple"):
        parts.append(
            f'\n    <div class="form-label">{_escape(bound.label)}{_required_mark(field)}</div>\n'
            '    <div class="d-flex flex-wrap gap-2">\n    '
        )
        for choice in bound:
            parts.append(
                f'\n      <div class="form-check form-check-inline me-2">{_escape(choice.tag())} '
                f'<label class="form-check-label" for="{_escape(choice.id_for_label)}">'
                f"{_escape(choice.choice_label)}</label></div>\n    "
            )
        parts.append("\n    </div>\n  ")
    else:
        parts.append(
            f'\n    <label class="form-label" for="{_escape(bound.id_for_label)}">{_escape(bound.label)}'
            f"{_required_mark(field)}</label>\n    {_escape(bound)}\n  "
        )
    parts.append("\n  ")
    if bound.help_text:
        parts.append(f'<div class="form-text">{_escape(bound.help_text)}</div>')
    parts.append("\n  ")
    parts.extend(f'<div class="invalid-feedback d-block">{_escape(error)}</div>' for error in bound.errors)
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or already safe markup
