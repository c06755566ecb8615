"""The order form's widgets built in Python (matchmaking.widgets) render what Django's template-based widgets
rendered, field by field, empty, filled from an order and bound to (hostile) input; whitespace between options
aside."""

import re

import pytest
from django import forms

from matchmaking import widgets
from matchmaking.choices import OrderKind
from matchmaking.forms import ChainTypeSelect, DateInput, OrderForm
from tests.matchmaking.conftest import order_data


def normalized(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


class DjangoChainTypeSelect(forms.Select):
    """The former ChainTypeSelect: Django's select with the chain type on each option."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-chain-type"] = instance.chain_type_id
        return option


class DjangoDateInput(forms.DateInput):
    input_type = "date"


def django_widget(widget):
    """Django's own widget in place of a Python-built one (same attributes and choices)."""
    if isinstance(widget, ChainTypeSelect):
        return DjangoChainTypeSelect(attrs=widget.attrs, choices=widget.choices)
    if isinstance(widget, DateInput):
        return DjangoDateInput(attrs=widget.attrs, format=widget.format)
    for plain, django in (
        (widgets.PlainSelectMultiple, forms.SelectMultiple),
        (widgets.RadioSelect, forms.RadioSelect),
        (widgets.PlainTextarea, forms.Textarea),
        (widgets.PlainTextInput, forms.TextInput),
        (widgets.PlainNumberInput, forms.NumberInput),
    ):
        if isinstance(widget, plain):
            made = django(attrs=widget.attrs)
            if hasattr(widget, "choices"):
                made.choices = widget.choices
            return made
    return None


def compare(form):
    compared = 0
    for bound in form:
        slow_widget = django_widget(bound.field.widget)
        if slow_widget is None:
            continue
        compared += 1
        assert normalized(bound.as_widget()) == normalized(bound.as_widget(widget=slow_widget)), bound.name
        if isinstance(bound.field.widget, forms.RadioSelect):
            fast = [(c.tag(), c.id_for_label, c.choice_label) for c in bound]
            slow_bound = forms.BoundField(form, bound.field, bound.name)
            bound.field.widget, saved = slow_widget, bound.field.widget
            try:
                slow = [(c.tag(), c.id_for_label, c.choice_label) for c in slow_bound]
            finally:
                bound.field.widget = saved
            assert fast == slow, bound.name
    assert compared >= 18


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [OrderKind.CAPITAL, OrderKind.INDUSTRY])
def test_order_form_widgets_render_as_django(county_jinjiang, make_order, kind):
    county_id = county_jinjiang.organization.county_id
    compare(OrderForm(county_id=county_id))
    order = make_order(
        kind=kind, title='面料 <b>"攻关"</b> & 工艺', description="多行\n<script>x</script>" * 3
    )
    compare(OrderForm(instance=order, county_id=county_id))
    data = {
        key: (value.pk if hasattr(value, "pk") else value)
        for key, value in order_data(county_jinjiang, kind, title="<i>'x'</i>", headcount="abc").items()
    }
    form = OrderForm(data, county_id=county_id)
    form.is_valid()  # bound, validated: the input kept
    compare(form)
    assert 'value="&lt;i&gt;&#x27;x&#x27;&lt;/i&gt;"' in form["title"].as_widget()


@pytest.mark.django_db
def test_the_beneficiary_select_marks_every_chosen_firm(county_jinjiang):
    from chains.models import Enterprise

    county_id = county_jinjiang.organization.county_id
    firms = list(
        Enterprise.objects.filter(county_id=county_id).order_by("pk").values_list("pk", flat=True)[:2]
    )
    assert len(firms) == 2
    data = {
        key: (value.pk if hasattr(value, "pk") else value)
        for key, value in order_data(county_jinjiang).items()
    }
    form = OrderForm({**data, "beneficiary_firms": firms}, county_id=county_id)
    form.is_valid()
    compare(form)
    html = form["beneficiary_firms"].as_widget()
    assert html.count(" selected") == 2 and " multiple" in html
