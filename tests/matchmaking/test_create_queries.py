"""Creating and submitting an order: the validation's repeated reads are skipped (the chain and link read by the
form, the constraint of a published order, the responses of a never published one), what they checked is not."""

import datetime
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import ModelChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chains.models import CountyChain
from matchmaking import services
from matchmaking.forms import OrderForm
from matchmaking.models import Notification, Order, OrderEvent
from matchmaking.workflow import WorkflowError
from tests.matchmaking.conftest import order_data


def _sql(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_create_and_submit_skip_the_repeated_reads(county_jinjiang):
    with CaptureQueriesContext(connection) as queries:
        order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang))
        services.submit_order(order, by=county_jinjiang)
    sql = _sql(queries)
    existence = [s for s in sql if s.startswith('SELECT 1 AS "a" FROM "chains_')]
    assert not existence  # the chain and link were read by the caller
    assert not [
        s for s in sql if '"_check"' in s or s.startswith('SELECT 1 AS "a" FROM "matchmaking_proposal"')
    ]
    assert not [s for s in sql if s.startswith("UPDATE") and "last_progress_at" in s and "state" not in s]
    order = Order.objects.get(pk=order.pk)
    assert order.state == "submitted"
    created = OrderEvent.objects.get(order=order, kind="created")
    assert order.match_inputs_at == created.created_at


@pytest.mark.django_db
def test_creation_stamps_progress_with_its_event(county_jinjiang):
    order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang))
    created = OrderEvent.objects.get(order=order, kind="created")
    assert Order.objects.get(pk=order.pk).last_progress_at == created.created_at == order.last_progress_at


@pytest.mark.django_db
def test_a_chain_not_read_from_the_database_is_still_checked(county_jinjiang):
    chain = CountyChain(pk=10**7, county_id=county_jinjiang.organization.county_id, chain_type_id=1)
    with pytest.raises(WorkflowError) as caught:
        services.create_order(by=county_jinjiang, data=order_data(county_jinjiang, chain=chain, link=None))
    assert "chain" in caught.value.errors
    assert not Order.objects.filter(created_by=county_jinjiang).exists()


@pytest.mark.django_db
def test_a_chain_of_another_county_is_still_refused(county_jinjiang):
    other = (
        CountyChain.objects.exclude(county_id=county_jinjiang.organization.county_id).order_by("pk").first()
    )
    with pytest.raises(WorkflowError) as caught:
        services.create_order(by=county_jinjiang, data=order_data(county_jinjiang, chain=other, link=None))
    assert "chain" in caught.value.errors


@pytest.mark.django_db
def test_the_form_reads_its_chain_once(county_jinjiang):
    county_id = county_jinjiang.organization.county_id
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in order_data(county_jinjiang).items()}
    form = OrderForm(data, county_id=county_id, submitting=True)
    with CaptureQueriesContext(connection) as queries:
        assert form.is_valid(), form.errors
    sql = _sql(queries)
    assert any(s.startswith('SELECT "chains_countychain"') for s in sql)  # the chain field's fetch
    assert not [
        s for s in sql if s.startswith('SELECT 1 AS "a" FROM "chains_')
    ]  # no existence query after it
    form = OrderForm({**data, "chain": 10**7}, county_id=county_id)
    assert not form.is_valid() and "chain" in form.errors
    other = CountyChain.objects.exclude(county_id=county_id).order_by("pk").first()
    form = OrderForm({**data, "chain": other.pk}, county_id=county_id)
    assert not form.is_valid() and "chain" in form.errors


@pytest.mark.django_db
def test_create_and_submit_through_the_page(county_jinjiang, login):
    client = login(county_jinjiang)
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in order_data(county_jinjiang).items()}
    data["due_date"] = str(datetime.date.today() + datetime.timedelta(days=365))
    response = client.post(reverse("orders:create"), {**data, "submit": "1"})
    assert response.status_code == 302
    assert Order.objects.get(created_by=county_jinjiang).state == "submitted"


@pytest.mark.django_db
def test_an_event_names_the_actors_organization_without_reading_it(county_jinjiang):
    from accounts.models import User
    from matchmaking.timeline import log_event

    order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang))
    user = User.objects.get(pk=county_jinjiang.pk)  # its organization not loaded
    with CaptureQueriesContext(connection) as queries:
        event = log_event(order, "commented", user, note="备注")
    assert not [s for s in _sql(queries) if 'FROM "accounts_organization"' in s]
    assert OrderEvent.objects.get(pk=event.pk).organization_id == county_jinjiang.organization_id


@pytest.mark.django_db
def test_publication_mails_its_notifications_in_one_task_message(
    county_jinjiang, platform_admin, django_capture_on_commit_callbacks, monkeypatch
):
    from core import dispatch

    sent = []
    monkeypatch.setattr(dispatch, "enqueue", lambda name, *args, **kwargs: sent.append((name, args)))
    order = services.submit_order(
        services.create_order(by=county_jinjiang, data=order_data(county_jinjiang)), by=county_jinjiang
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = services.approve_order(order, by=platform_admin)
    mails = [args[0] for name, args in sent if name.endswith("send_notification_emails")]
    notified = set(
        Notification.objects.filter(order=order, kind__in=("published", "routed")).values_list(
            "pk", flat=True
        )
    )
    assert len(mails) == 1 and set(mails[0]) == notified and len(notified) > 1


@pytest.mark.django_db
def test_the_posted_chain_and_link_are_looked_up_as_django_does(county_jinjiang):
    """The compiled lookup of a posted chain or link (twice: the second replays the compiled query) gives the
    object Django's `ModelChoiceField.to_python` gives, or the same error."""
    county_id = county_jinjiang.organization.county_id
    form = OrderForm(county_id=county_id)
    other = CountyChain.objects.exclude(county_id=county_id).order_by("pk").first()
    for name in ("chain", "link", "chain", "link"):
        field = form.fields[name]
        own = list(field.queryset.values_list("pk", flat=True)[:3])
        values = [
            *(str(pk) for pk in own),
            f" {own[0]} ",
            "+1",
            str(other.pk),
            "0",
            "-5",
            "10000000000",
            "",
            "x",
        ]
        values += ["1.5", "1\x00", str(10**30), "١"]
        for value in values:
            got, expected = (
                _outcome(field.to_python, value),
                _outcome(partial(ModelChoiceField.to_python, field), value),
            )
            assert got == expected, (name, value)


def _outcome(to_python, value):
    try:
        found = to_python(value)
    except ValidationError as exc:
        return ("error", exc.code, exc.messages)
    return (
        None if found is None else {f.attname: getattr(found, f.attname) for f in found._meta.concrete_fields}
    )
