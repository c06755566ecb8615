"""Render form fields with Bootstrap classes (no extra package)."""

from django import forms, template

register = template.Library()


@register.filter
def bs(field):
    """The field's widget with Bootstrap's class (and `is-invalid` when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})
