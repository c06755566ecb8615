"""The order form's field blocks built in Python (matchmaking.fieldblock) are byte for byte what
`matchmaking/_field.html` renders: every field, empty, filled from an order, bound to (hostile) invalid input."""

import pytest
from django.template.loader import render_to_string

from matchmaking.choices import OrderKind
from matchmaking.fieldblock import render_field
from matchmaking.forms import OrderForm
from tests.matchmaking.conftest import order_data


def compare(form):
    for bound in form:
        assert str(render_field(bound)) == render_to_string("matchmaking/_field.html", {"field": bound}), (
            bound.name
        )


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [OrderKind.CAPITAL, OrderKind.TALENT])
def test_field_blocks_render_as_the_template(county_jinjiang, make_order, kind):
    county_id = county_jinjiang.organization.county_id
    compare(OrderForm(county_id=county_id, initial={"contact_name": "陈<主任>"}))
    order = make_order(kind=kind, title='面料 <b>"攻关"</b> & 工艺', description="多行\n<script>x</script>")
    compare(OrderForm(instance=order, county_id=county_id))
    data = {
        key: (value.pk if hasattr(value, "pk") else value)
        for key, value in order_data(county_jinjiang, kind, title="<i>'x'</i>", headcount="abc").items()
    }
    data["due_date"] = "2000-01-01"
    data["other_beneficiaries"] = "<b>企业</b> 123"
    data["beneficiary_firms"] = ["999999", "x"]
    for submitting in (False, True):
        form = OrderForm(data, county_id=county_id, submitting=submitting)
        assert not form.is_valid()  # bound, with errors shown under the fields
        compare(form)
    form = OrderForm({}, county_id=county_id, submitting=True)
    assert not form.is_valid()
    compare(form)
    assert any(form[name].errors for name in form.fields)


@pytest.mark.django_db
def test_new_order_page_uses_the_field_blocks(client, county_jinjiang):
    client.force_login(county_jinjiang)
    html = client.get("/orders/new/").content.decode()
    form = OrderForm(county_id=county_jinjiang.organization.county_id)
    assert str(render_field(form["visibility"])) in html
    assert html.count('<div class="mb-3"') >= 21


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_fixed_field_blocks_are_kept_and_equal_to_a_fresh_rendering(county_jinjiang, language):
    """The blocks of the fixed fields (kept per process, language and value) are those rendered afresh, in each
    language; fields with initial values, bound forms and the database's selects are rendered every time."""
    from django.utils import translation

    from matchmaking import fieldblock

    county_id = county_jinjiang.organization.county_id
    fieldblock._FIXED_BLOCKS.clear()
    with translation.override(language):
        for _ in range(2):  # the first fills the store, the second reads it
            form = OrderForm(county_id=county_id, initial={"contact_name": "陈<主任>"})
            for bound in form:
                assert str(render_field(bound)) == str(fieldblock._render(bound)), bound.name
                assert str(render_field(bound)) == render_to_string(
                    "matchmaking/_field.html", {"field": bound}
                )
        kept = {key[5] for key in fieldblock._FIXED_BLOCKS if key[1] == language}
        assert kept == OrderForm.FIXED_FIELDS - {"contact_name"}
        assert not kept & {"chain", "link", "beneficiary_firms"}
        fieldblock._FIXED_BLOCKS.clear()
        form = OrderForm({"kind": OrderKind.CAPITAL}, county_id=county_id, submitting=True)
        assert not form.is_valid()
        compare(form)
        form = OrderForm(county_id=county_id, initial={"title": "<b>x</b>"})
        compare(form)
        assert not fieldblock._FIXED_BLOCKS or "title" not in {key[5] for key in fieldblock._FIXED_BLOCKS}
    other = {key[1] for key in fieldblock._FIXED_BLOCKS}
    assert other <= {language}
