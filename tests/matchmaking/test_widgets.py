"""PlainSelect renders what Django's template-based Select renders (values, labels, selection, escaping)."""

import re

import pytest
from django import forms

from matchmaking.filters import OrderFilter
from matchmaking.models import Order
from matchmaking.widgets import PlainSelect


def normalized(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


def both(widget, name, value, attrs=None):
    return normalized(widget.render(name, value, attrs)), normalized(
        forms.Select.render(widget, name, value, attrs)
    )


def test_same_markup_as_django_select_with_groups_selection_and_escaping():
    choices = [
        ("", "全部"),
        ("a", 'A & <b>"quoted"</b>'),
        ("组", [("x", "X"), ("y", "Y<")]),
        (3, "three"),
    ]
    widget = PlainSelect(attrs={"class": "form-select"}, choices=choices)
    for value in (None, "", "a", "y", 3, "3", "missing"):
        fast, slow = both(widget, "f", value, {"id": "id_f"})
        assert fast == slow, value
    assert "&lt;b&gt;&quot;quoted&quot;&lt;/b&gt;" in widget.render("f", None)
    assert '<option value="y" selected>Y&lt;</option>' in widget.render("f", "y")


@pytest.mark.django_db
def test_order_filter_selects_match_django(reference):
    county = reference.County.objects.get(name="晋江市")
    filterset = OrderFilter({"county": str(county.pk), "kind": "capital"}, queryset=Order.objects.all())
    for name in ("kind", "state", "prefecture", "county", "chain_type"):
        bound = filterset.form[name]
        assert isinstance(bound.field.widget, PlainSelect)
        # Django's select over the field's own choices (model instances and their __str__ for the model fields)
        django_select = forms.Select(attrs=bound.field.widget.attrs, choices=bound.field.choices)
        slow = django_select.render(bound.html_name, bound.value(), {"id": bound.auto_id})
        assert normalized(bound.as_widget()) == normalized(slow), name
    assert f'<option value="{county.pk}" selected>晋江市</option>' in filterset.form["county"].as_widget()
