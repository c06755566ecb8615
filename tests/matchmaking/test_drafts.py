"""Issue 19 part 7: a draft can be saved incomplete; only submission (form, service and API alike) checks that
the order is complete (the common fields, the kind's own fields, a desired date in the window)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from matchmaking import services
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Order
from matchmaking.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def _minimal(county_user, kind=OrderKind.CAPITAL):
    from chains.models import CountyChain

    chain = CountyChain.objects.filter(county_id=county_user.organization.county_id).order_by("pk").first()
    return {"kind": kind, "chain": chain.pk, "title": "草稿", "visibility": "open"}


def test_the_form_saves_an_incomplete_draft_and_submission_lists_what_is_missing(personas, login):
    user = personas["county_jinjiang"]
    client = login(user)
    response = client.post(reverse("orders:create"), _minimal(user))
    order = Order.objects.get()
    assert response.status_code == 302 and order.state == OrderState.DRAFT
    assert order.due_date is None and order.amount_yuan is None and order.description == ""
    response = client.post(reverse("orders:edit", args=[order.pk]), {**_minimal(user), "submit": "1"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {
        "description",
        "due_date",
        "contact_name",
        "contact_phone",
        "amount_yuan",
        "financing_type",
    } <= set(errors)
    assert "title" in errors  # shorter than 5 characters
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_the_submit_button_of_a_new_order_saves_nothing_incomplete(personas, login):
    user = personas["county_jinjiang"]
    response = login(user).post(reverse("orders:create"), {**_minimal(user), "submit": "1"})
    assert response.status_code == 200 and not Order.objects.exists()
    assert "提交审核前须填写" in response.content.decode()


def test_a_draft_needs_kind_chain_and_title(personas, login):
    user = personas["county_jinjiang"]
    response = login(user).post(reverse("orders:create"), {"kind": "capital"})
    assert response.status_code == 200 and not Order.objects.exists()
    assert {"chain", "title"} <= set(response.context["form"].errors)


def test_submit_order_validates_completeness(county_jinjiang):
    data = {**_minimal(county_jinjiang, OrderKind.TALENT)}
    from chains.models import CountyChain

    data["chain"] = CountyChain.objects.get(pk=data["chain"])
    draft = services.create_order(by=county_jinjiang, data=data)
    with pytest.raises(WorkflowError) as exc:
        services.submit_order(draft, by=county_jinjiang)
    assert {"headcount", "talent_profile", "due_date", "description"} <= set(exc.value.errors)
    assert Order.objects.get(pk=draft.pk).state == OrderState.DRAFT


def test_a_draft_whose_date_has_passed_cannot_be_submitted(make_order, county_jinjiang):
    order = make_order()
    Order.objects.filter(pk=order.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    order.refresh_from_db()
    services.update_order(order, by=county_jinjiang, data={"title": "改过的标题：功能面料"})  # still a draft
    with pytest.raises(WorkflowError) as exc:
        services.submit_order(order, by=county_jinjiang)
    assert "due_date" in exc.value.errors


def test_the_api_takes_a_minimal_draft_and_refuses_to_submit_it(county_jinjiang):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(county_jinjiang)
    created = client.post(reverse("api:order-list"), _minimal(county_jinjiang), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["due_date"] is None
    submitted = client.post(reverse("api:order-submit", args=[created.json()["id"]]), format="json")
    assert submitted.status_code == 400
    assert {"due_date", "amount_yuan", "contact_phone"} <= set(submitted.json()["fields"])
