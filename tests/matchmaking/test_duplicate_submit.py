"""Issue 12 part 3: the same form sent twice (Back then submit again, a double click) creates nothing new and
shows the first result (one-time form tokens, core/formtokens.py)."""

import pytest
from django.urls import reverse

from core.models import FormSubmission
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Order, Proposal
from tests.matchmaking.test_validation import _form_data

pytestmark = pytest.mark.django_db


def _token(page) -> str:
    token = page.context["form_token"]
    assert f'name="form_token" value="{token}"' in page.content.decode()
    return token


@pytest.mark.parametrize("button", [{}, {"submit": "1"}], ids=["save-draft", "save-and-submit"])
def test_the_order_form_sent_twice_creates_one_order(personas, login, button):
    user = personas["county_jinjiang"]
    client = login(user)
    token = _token(client.get(reverse("orders:create")))
    data = {**_form_data(user, OrderKind.CAPITAL), **button, "form_token": token}
    first = client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    assert first.status_code == 302 and first["Location"] == order.get_absolute_url()
    assert order.state == (OrderState.SUBMITTED if button else OrderState.DRAFT)
    again = client.post(reverse("orders:create"), data, follow=True)
    assert Order.objects.count() == 1
    assert again.redirect_chain[0][0] == order.get_absolute_url()
    assert "该表单已提交过" in again.content.decode()
    # A new rendering of the form has a new token: a second order is a deliberate one.
    other = _token(client.get(reverse("orders:create")))
    assert other != token
    client.post(reverse("orders:create"), {**data, "form_token": other})
    assert Order.objects.count() == 2


def test_an_invalid_post_keeps_its_token_usable(personas, login):
    user = personas["county_jinjiang"]
    client = login(user)
    token = _token(client.get(reverse("orders:create")))
    bad = client.post(
        reverse("orders:create"), {**_form_data(user, contact_phone="abc"), "form_token": token}
    )
    assert bad.status_code == 200 and _token(bad) == token and not FormSubmission.objects.exists()
    good = client.post(reverse("orders:create"), {**_form_data(user), "form_token": token})
    assert good.status_code == 302 and Order.objects.count() == 1


def test_the_edit_form_sent_twice_submits_once(personas, login, make_order):
    user = personas["county_jinjiang"]
    order = make_order(OrderKind.CAPITAL)
    client = login(user)
    token = _token(client.get(reverse("orders:edit", args=[order.pk])))
    data = {**_form_data(user), "submit": "1", "form_token": token}
    assert client.post(reverse("orders:edit", args=[order.pk]), data).status_code == 302
    again = client.post(reverse("orders:edit", args=[order.pk]), data, follow=True)
    assert again.redirect_chain[0][0] == order.get_absolute_url()
    assert "该表单已提交过" in again.content.decode()
    assert order.events.filter(kind="submitted").count() == 1


def test_the_response_form_sent_twice_responds_once(personas, login, make_order, drive):
    order = drive(make_order(), OrderState.PUBLISHED)
    client = login(personas["inst_dhu"])
    token = _token(client.get(reverse("orders:respond", args=[order.pk])))
    data = {"proposal": "我校纺织学院组建专班，三个月内完成中试。", "form_token": token}
    assert client.post(reverse("orders:respond", args=[order.pk]), data).status_code == 302
    again = client.post(reverse("orders:respond", args=[order.pk]), data, follow=True)
    assert Proposal.objects.filter(order=order).count() == 1
    assert "该表单已提交过" in again.content.decode()


def test_a_token_is_the_users_own(personas, login):
    """Another user's token is no shortcut to their result page."""
    user = personas["county_jinjiang"]
    client = login(user)
    token = _token(client.get(reverse("orders:create")))
    client.post(reverse("orders:create"), {**_form_data(user), "form_token": token})
    other = login(personas["county_luoyuan"])
    response = other.post(
        reverse("orders:create"), {**_form_data(personas["county_luoyuan"]), "form_token": token}
    )
    # Refused: the token is taken; the first order's page is not revealed, the form is offered again.
    assert response.status_code == 302 and response["Location"] == reverse("orders:create")
    assert Order.objects.count() == 1
