"""Forms of the profiles app: the editable fields of one catalog entry, and a reason for rejecting."""

from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from profiles import entries


class _NoteMixin(forms.Form):
    note = forms.CharField(
        label=_("修改说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def entry_form(entry: entries.Entry, data=None):
    """A form of the entry's editable fields, prefilled with its current values (never saved directly)."""
    form_class = modelform_factory(
        entries.MODELS[entry.resource_type],
        form=forms.ModelForm,
        fields=entries.EDITABLE[entry.resource_type],
    )
    form_class = type("EntryForm", (form_class, _NoteMixin), {})
    form = form_class(data=data, instance=entry.obj)
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


class RejectForm(forms.Form):
    """The administrator's reason for rejecting a revision."""

    reason = forms.CharField(label=_("驳回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
