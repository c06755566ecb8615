"""Issue 12 part 2: one set of input rules (core.validators) used by the model, the services, the order form
and the API alike: dates in the window, amounts within 1,000 亿元, mainland phone numbers, no control
characters in one-line fields; the form shows its limits."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.validators import (
    MAX_AMOUNT_YUAN,
    validate_amount_yuan,
    validate_due_date,
    validate_one_line,
    validate_phone,
)
from matchmaking import services
from matchmaking.choices import OrderKind
from matchmaking.models import Order
from matchmaking.workflow import WorkflowError
from tests.matchmaking.conftest import order_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "value",
    [
        "13905950000",
        "+8613905950000",
        "0591-87654321",
        "0595 8566 1001",
        "400-800-1234",
        "(0591)87654321",
        "0591-87654321-802",
    ],
)
def test_mainland_phone_numbers_pass(value):
    validate_phone(value)


@pytest.mark.parametrize(
    "value", ["abc", "12345", "1390595000", "23905950000", "0591-1234", "13905950000abc"]
)
def test_other_phone_values_are_refused(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\x00b", "a\tb", "a\x1bb", "a\x85b"])
def test_control_characters_are_refused_in_one_line_fields(value):
    with pytest.raises(ValidationError):
        validate_one_line(value)


def test_amount_limit_speaks_wan_yuan():
    validate_amount_yuan(1)
    validate_amount_yuan(MAX_AMOUNT_YUAN)
    for bad in (0, -1, MAX_AMOUNT_YUAN + 1, 9_223_372_036_854_775_807):
        with pytest.raises(ValidationError) as exc:
            validate_amount_yuan(bad)
    assert "10,000,000 万元" in exc.value.messages[0]


def test_due_date_window():
    validate_due_date(TODAY + datetime.timedelta(days=1))
    validate_due_date(
        TODAY.replace(year=TODAY.year + 5) if not (TODAY.month == 2 and TODAY.day == 29) else TODAY
    )
    for bad in (TODAY, PAST, datetime.date(9999, 12, 31), TODAY + datetime.timedelta(days=5 * 366 + 1)):
        with pytest.raises(ValidationError):
            validate_due_date(bad)


BAD_INPUTS = [
    ("due_date", PAST),
    ("due_date", datetime.date(9999, 12, 31)),
    ("contact_phone", "abc"),
    ("title", "标题里有\r\n换行：功能面料"),
    ("contact_name", "陈\x00主任"),
    ("products", "再生涤纶\n长丝"),
]


@pytest.mark.parametrize(("field", "value"), BAD_INPUTS)
def test_the_service_refuses_bad_values(county_jinjiang, field, value):
    kind = OrderKind.INDUSTRY if field == "products" else OrderKind.INNOVATION
    with pytest.raises(WorkflowError) as exc:
        services.create_order(by=county_jinjiang, data=order_data(county_jinjiang, kind, **{field: value}))
    assert field in exc.value.errors
    assert not Order.objects.exists()


def test_the_service_refuses_amounts_above_the_limit(county_jinjiang, make_order):
    data = order_data(county_jinjiang, OrderKind.CAPITAL, amount_yuan=9_223_372_036_854_775_807)
    with pytest.raises(WorkflowError) as exc:
        services.create_order(by=county_jinjiang, data=data)
    assert "万元" in exc.value.errors["amount_yuan"]
    order = make_order(OrderKind.CAPITAL)
    with pytest.raises(WorkflowError):
        services.update_order(order, by=county_jinjiang, data={"amount_yuan": 9 * 10**18})
    order.refresh_from_db()
    assert order.amount_yuan == 5_000_000


def _form_data(county_user, kind=OrderKind.CAPITAL, **overrides):
    data = order_data(county_user, kind, **overrides)
    data["chain"], data["link"] = data["chain"].pk, data["link"].pk
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *BAD_INPUTS[:5],
        ("amount_yuan", 9_223_372_036_854_775_807),
        ("amount_yuan", 9 * 10**18),
        ("amount_yuan", 0),
    ],
)
def test_the_form_refuses_the_same_values(personas, login, field, value):
    """Save draft and submit alike: the field's error is shown beside it and nothing is written."""
    user = personas["county_jinjiang"]
    client = login(user)
    for button in ({}, {"submit": "1"}):
        response = client.post(reverse("orders:create"), {**_form_data(user, **{field: value}), **button})
        assert response.status_code == 200
        assert not Order.objects.exists()
        assert response.context["form"].errors.get(field), (field, button)


def test_the_form_shows_its_limits(personas, login):
    """maxlength on every text with a limit, a counter script (self-hosted), required marks for submission."""
    client = login(personas["county_jinjiang"])
    page = client.get(reverse("orders:create")).content.decode()
    assert 'name="description"' in page and 'maxlength="4000"' in page
    assert 'maxlength="100"' in page  # title
    assert 'maxlength="2000"' in page  # talent profile / expected outcome
    assert "/static/js/forms.js" in page and "//cdn" not in page
    assert "提交审核时必填" in page
    form = client.get(reverse("orders:create")).context["form"]
    for name in ("due_date", "contact_phone", "amount_yuan", "financing_type", "tech_field", "products"):
        assert getattr(form.fields[name], "submit_required", False), name


def test_the_counter_script_exists():
    from pathlib import Path

    from django.conf import settings

    script = (Path(settings.BASE_DIR) / "static" / "js" / "forms.js").read_text()
    assert "maxlength" in script and "replaceState" in script


def test_submitting_revalidates_an_order_changed_since_its_creation(
    county_jinjiang, django_assert_num_queries
):
    """Created and submitted in one request: the model validation is not repeated for the same values, but a
    value changed in between is validated again."""
    order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang))
    order.contact_phone = "12345"
    with pytest.raises(WorkflowError) as caught:
        services.submit_order(order, by=county_jinjiang)
    assert "contact_phone" in caught.value.errors
    order.contact_phone = "13905950000"
    order = services.submit_order(order, by=county_jinjiang)
    assert Order.objects.get(pk=order.pk).state == "submitted"
