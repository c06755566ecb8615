"""资料维护: providers propose changes of their own catalog entries; administrators approve or reject; approval
changes the entry and re-matches the open orders it may affect."""

import pytest
from django.urls import reverse

from chains.models import Institution
from core.errors import ServiceError
from profiles import entries, services
from profiles.models import ProfileRevision, RevisionEvent

pytestmark = pytest.mark.django_db


def _dhu(personas):
    user = personas["inst_dhu"]
    return user, entries.entry_of(user.organization, "institution", user.organization.institution_id)


def test_provider_submits_through_the_page_and_nothing_changes_before_approval(personas, login):
    user, entry = _dhu(personas)
    before = entry.obj.fields
    client = login(user)
    url = reverse("profiles:edit", args=["institution", entry.obj.pk])
    assert entry.obj.name in client.get(url).content.decode()
    response = client.post(
        url, {"fields": f"{before}；功能纤维", "description": entry.obj.description, "note": "新方向"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    revision = ProfileRevision.objects.get()
    assert response.url == revision.get_absolute_url()
    assert revision.state == "pending" and set(revision.changes) == {"fields"}
    assert revision.changes["fields"] == {"old": before, "new": f"{before}；功能纤维"}
    assert list(revision.events.values_list("action", "to_state")) == [("submit", "pending")]
    assert Institution.objects.get(pk=entry.obj.pk).fields == before
    page = client.get(revision.get_absolute_url()).content.decode()
    assert "功能纤维" in page and "待审核" in page
    mine = client.get(reverse("profiles:mine")).content.decode()
    assert 'data-testid="pending"' in mine and entry.obj.name in mine


def test_approval_changes_the_entry_and_rematches_the_affected_open_orders(
    personas, make_order, drive, monkeypatch, django_capture_on_commit_callbacks
):
    from matchmaking.choices import OrderKind, OrderState

    user, entry = _dhu(personas)
    innovation = drive(make_order(), OrderState.PUBLISHED)
    drive(make_order(kind=OrderKind.CAPITAL), OrderState.PUBLISHED)  # a fund's business, not a university's
    finished = drive(make_order(), OrderState.RESOLVED)
    revision = services.submit_revision(
        by=user, entry=entry, data={"description": "纺织科学与工程一流学科。"}
    )
    sent = []
    monkeypatch.setattr("core.dispatch.enqueue", lambda name, *args, **kw: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_revision(revision, by=personas["admin"])
    assert Institution.objects.get(pk=entry.obj.pk).description == "纺织科学与工程一流学科。"
    revision.refresh_from_db()
    assert revision.state == "approved" and revision.decided_by == personas["admin"]
    assert [e.action for e in revision.events.all()] == ["submit", "approve"]
    (name, (ids,)) = sent[-1]
    assert name == "profiles.tasks.rematch_orders"
    assert innovation.pk in ids and finished.pk not in ids
    assert all(
        kind in ("innovation", "talent")
        for kind in type(innovation).objects.filter(pk__in=ids).values_list("kind", flat=True)
    )


def test_rematch_task_takes_ids_and_skips_finished_orders(make_order, drive, monkeypatch):
    from matchmaking.choices import OrderState
    from profiles.tasks import rematch_orders

    open_order = drive(make_order(), OrderState.PUBLISHED)
    done = drive(make_order(), OrderState.RESOLVED)
    queued = []
    monkeypatch.setattr("profiles.tasks.enqueue_rematch", queued.append)
    assert rematch_orders([open_order.pk, done.pk]) == 1
    assert rematch_orders([open_order.pk, done.pk]) == 1  # idempotent: the same work again, nothing else
    assert queued == [open_order.pk, open_order.pk]


def test_reject_needs_a_reason_and_leaves_the_entry(personas):
    user, entry = _dhu(personas)
    revision = services.submit_revision(by=user, entry=entry, data={"fields": "无关领域"})
    with pytest.raises(ServiceError):
        services.reject_revision(revision, by=personas["admin"], reason=" ")
    services.reject_revision(revision, by=personas["admin"], reason="与学校官网不符")
    revision.refresh_from_db()
    assert revision.state == "rejected" and revision.decision_reason == "与学校官网不符"
    assert Institution.objects.get(pk=entry.obj.pk).fields == entry.obj.fields
    with pytest.raises(ServiceError):  # no way back from a decision
        services.approve_revision(revision, by=personas["admin"])


def test_only_administrators_decide_and_only_the_owner_withdraws(personas):
    user, entry = _dhu(personas)
    revision = services.submit_revision(by=user, entry=entry, data={"fields": "纺织"})
    with pytest.raises(ServiceError) as exc:
        services.approve_revision(revision, by=user)
    assert exc.value.code == "forbidden"
    with pytest.raises(ServiceError):
        services.withdraw_revision(revision, by=personas["bank_cib"])
    services.withdraw_revision(revision, by=user)
    assert ProfileRevision.objects.get().state == "withdrawn"


def test_one_pending_revision_per_entry_and_no_empty_ones(personas):
    user, entry = _dhu(personas)
    with pytest.raises(ServiceError):
        services.submit_revision(by=user, entry=entry, data={"fields": entry.obj.fields})
    services.submit_revision(by=user, entry=entry, data={"fields": "纺织"})
    with pytest.raises(ServiceError):
        services.submit_revision(by=user, entry=entry, data={"fields": "服装"})


def test_a_provider_cannot_edit_or_read_another_providers_entry(personas, login):
    user, entry = _dhu(personas)
    revision = services.submit_revision(by=user, entry=entry, data={"fields": "纺织"})
    bank = login(personas["bank_cib"])
    assert bank.get(reverse("profiles:edit", args=["institution", entry.obj.pk])).status_code == 404
    assert bank.get(revision.get_absolute_url()).status_code == 404
    assert "东华大学" not in bank.get(reverse("profiles:mine")).content.decode()
    with pytest.raises(ServiceError):
        services.submit_revision(by=personas["bank_cib"], entry=entry, data={"fields": "金融"})


def test_a_bank_edits_its_products_amounts(personas, login):
    bank = personas["bank_cib"]
    product = bank.organization.financial_products.order_by("pk").first()
    assert product is not None
    client = login(bank)
    page = client.get(reverse("profiles:mine")).content.decode()
    assert product.name in page
    url = reverse("profiles:edit", args=["financial_product", product.pk])
    data = {
        "max_amount_yuan": 30_000_000,
        "term_months": product.term_months or "",
        "collateral": product.collateral,
        "target": product.target,
        "description": product.description,
    }
    assert client.post(url, data).status_code == 302
    assert ProfileRevision.objects.get().changes["max_amount_yuan"]["new"] == 30_000_000


def test_admin_rejects_with_a_reason_through_the_action(personas, login):
    user, entry = _dhu(personas)
    revision = services.submit_revision(by=user, entry=entry, data={"fields": "纺织"})
    client = login(personas["admin"])
    url = reverse("admin:profiles_profilerevision_changelist")
    asked = client.post(url, {"action": "reject", "_selected_action": [revision.pk]})
    assert "驳回原因" in asked.content.decode()
    client.post(url, {"action": "reject", "_selected_action": [revision.pk], "reason": "资料不实"})
    revision.refresh_from_db()
    assert revision.state == "rejected" and revision.decision_reason == "资料不实"
    client.post(url, {"action": "approve", "_selected_action": [revision.pk]})
    assert ProfileRevision.objects.get().state == "rejected"


def test_events_are_append_only(personas):
    user, entry = _dhu(personas)
    event = services.submit_revision(by=user, entry=entry, data={"fields": "纺织"}).events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert RevisionEvent.objects.count() == 1


def test_the_demo_has_a_pending_revision(personas):
    from profiles.demo import ensure_demo_revision

    revision = ensure_demo_revision()
    assert revision.state == "pending" and "功能纤维" in revision.changes["fields"]["new"]
    assert ensure_demo_revision().pk == revision.pk  # once


def test_mine_page_queries_are_bounded(personas, login, django_assert_max_num_queries):
    client = login(personas["bank_cib"])
    client.get(reverse("profiles:mine"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("profiles:mine")).status_code == 200


def test_admin_approves_through_the_action(personas, login, django_capture_on_commit_callbacks, monkeypatch):
    user, entry = _dhu(personas)
    revision = services.submit_revision(by=user, entry=entry, data={"fields": "纺织；功能纤维"})
    monkeypatch.setattr("core.dispatch.enqueue", lambda *a, **k: None)
    client = login(personas["admin"])
    url = reverse("admin:profiles_profilerevision_changelist")
    assert "东华大学" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "approve", "_selected_action": [revision.pk]})
    revision.refresh_from_db()
    assert revision.state == "approved"
    assert Institution.objects.get(pk=entry.obj.pk).fields == "纺织；功能纤维"
