"""The dashboards' filter form renders with the Python-built widgets what Django's template widgets rendered
(values, labels, selection, escaping; whitespace between options aside)."""

import re

import pytest
from django import forms
from django.http import QueryDict

from matchmaking.widgets import PlainDateInput, PlainSelect
from reports.access import COUNTY, PROVINCE
from reports.forms import DashboardFilterForm


def normalized(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


def django_rendering(bound) -> str:
    """The field as Django's own template-based widget renders it."""
    widget = bound.field.widget
    if isinstance(widget, PlainSelect):
        django_widget = forms.Select(attrs=widget.attrs, choices=widget.choices)
    else:
        django_widget = forms.DateInput(attrs={**widget.attrs, "type": widget.input_type})
    return bound.as_widget(widget=django_widget)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [None, "", "start=2024-01-02&end=2024-03-04&kind=capital", "prefecture=2&chain_type=textile-apparel"],
)
@pytest.mark.parametrize("level", [PROVINCE, COUNTY])
def test_dashboard_filters_render_as_django_widgets(reference, query, level):
    form = DashboardFilterForm(None if query is None else QueryDict(query), level=level)
    assert form.fields
    for bound in form:
        assert isinstance(bound.field.widget, PlainSelect | PlainDateInput)
        assert normalized(str(bound)) == normalized(django_rendering(bound)), bound.name
    if query and "prefecture=2" in query and level == PROVINCE:
        assert '<option value="2" selected>' in str(form["prefecture"])
        assert '<option value="textile-apparel" selected>' in str(form["chain_type"])


@pytest.mark.django_db
def test_region_options_are_the_querysets_and_follow_changes(reference):
    form = DashboardFilterForm(level=PROVINCE)
    for name in ("prefecture", "chain_type"):
        field = form.fields[name]
        from_queryset = [(str(value), str(label)) for value, label in field.choices]
        assert [(str(value), str(label)) for value, label in field.widget.choices] == from_queryset
    prefecture = reference.Prefecture.objects.order_by("pk").first()
    prefecture.name = "测试改名市"
    prefecture.save()
    assert f'<option value="{prefecture.pk}">测试改名市</option>' in str(
        DashboardFilterForm(level=PROVINCE)["prefecture"]
    )
