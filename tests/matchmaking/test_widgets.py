"""PlainSelect and the plain inputs render what Django's template-based widgets render (values, labels, selection,
escaping); the filter bar's region options come from a cache that a change of the regions clears."""

import re

import pytest
from django import forms
from django.http import QueryDict

from matchmaking.filtersets import page_filterset
from matchmaking.models import Order
from matchmaking.widgets import PlainDateInput, PlainNumberInput, PlainSelect


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
    filterset = page_filterset(
        QueryDict(f"county={county.pk}&kind=capital&chain_type=textile-apparel"), Order.objects.all()
    )
    for name in ("kind", "state", "prefecture", "county", "chain_type", "county_group"):
        bound = filterset.form[name]
        assert isinstance(bound.field.widget, PlainSelect)
        # Django's template-based select over the same options
        django_select = forms.Select(attrs=bound.field.widget.attrs, choices=bound.field.widget.choices)
        slow = django_select.render(bound.html_name, bound.value(), {"id": bound.auto_id})
        assert normalized(bound.as_widget()) == normalized(slow), name
    assert f'<option value="{county.pk}" selected>晋江市</option>' in filterset.form["county"].as_widget()
    assert '<option value="capital" selected>' in filterset.form["kind"].as_widget()
    assert '<option value="textile-apparel" selected>' in filterset.form["chain_type"].as_widget()


@pytest.mark.django_db
def test_pages_and_api_filter_with_the_same_filterset(reference):
    """The page's 万元 amounts and `q` are aliases of the API's 元 amounts and `search` on one filterset."""
    from matchmaking.filtersets import OrderFilterSet

    page = page_filterset(QueryDict("amount_min_wan=400&q=面料"), Order.objects.all())
    api = OrderFilterSet(QueryDict("amount_min=4000000&q=面料"), queryset=Order.objects.all())
    assert type(page) is OrderFilterSet
    for filtered in (page, api):
        sql = str(filtered.qs.query)
        assert '"amount_yuan" >= 4000000' in sql  # 400 万元 on the page, 4,000,000 元 in the API
        assert (
            sql.count("%面料%") == 5
        )  # (LIKE on SQLite, UPPER(..) LIKE UPPER(..) on PostgreSQL) title, description, keywords, county and chain names
    assert "amount_min" not in page.form.fields  # the page shows the 万元 inputs only


@pytest.mark.parametrize(
    ("widget", "django_widget"),
    [
        (PlainDateInput({"type": "date", "class": "form-control"}), forms.DateInput),
        (PlainNumberInput({"min": "0", "step": "any", "class": "form-control"}), forms.NumberInput),
    ],
)
def test_plain_inputs_same_markup_as_django(widget, django_widget):
    for value in (None, "", "2024-01-02", 5, '"><script>', True):
        attrs = {"id": "id_f", "required": True, "disabled": False, "aria-x": None}
        assert normalized(widget.render("f", value, attrs)) == normalized(
            django_widget.render(widget, "f", value, attrs)
        ), value


@pytest.mark.django_db
def test_filter_bar_inputs_are_plain_and_region_options_follow_changes(reference):
    filterset = page_filterset(QueryDict("created_after=2024-01-02&amount_min_wan=5"), Order.objects.all())
    assert isinstance(filterset.form["created_after"].field.widget, PlainDateInput)
    assert isinstance(filterset.form["amount_min_wan"].field.widget, PlainNumberInput)
    assert 'value="2024-01-02"' in filterset.form["created_after"].as_widget()
    prefecture = reference.Prefecture.objects.first()
    county = reference.County.objects.create(name="测试新县", prefecture=prefecture, position=999)
    options = page_filterset(None, Order.objects.all()).form["county"].as_widget()
    assert (
        f'<option value="{county.pk}">测试新县</option>' in options
    )  # saved: the cached options were dropped
    county.delete()
    assert "测试新县" not in page_filterset(None, Order.objects.all()).form["county"].as_widget()


def test_escape_markup_is_djangos_conditional_escape():
    """matchmaking.widgets.escape_markup gives the characters of Django's conditional_escape for every kind of
    value the widgets and field blocks escape (text, markup, lazy translations, numbers, None, choice values)."""
    from django.forms.models import ModelChoiceIteratorValue
    from django.utils.html import conditional_escape
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy, override

    from matchmaking.widgets import escape_markup

    values = [
        "<b>\"x\" & 'y'</b>",
        "",
        mark_safe("<i>safe</i>"),
        gettext_lazy("请选择本县域的重点产业链"),
        gettext_lazy("标题"),
        0,
        12,
        3.5,
        None,
        True,
        ModelChoiceIteratorValue(7, None),
        ModelChoiceIteratorValue("<7>", None),
    ]
    for language in ("zh-hans", "en"):
        with override(language):
            for value in values:
                assert str(escape_markup(value)) == str(conditional_escape(value)), value
