"""match_order (idempotent, retried, failing visibly, skipping stale work), the sweeper, catalog re-scoring."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from chains.models import Enterprise, Fund, Institution
from matchmaking import matching
from matchmaking.choices import MatchState, NotificationKind, OrderKind, OrderState
from matchmaking.tasks.matching import match_order, notify_matched_providers, rescore_orders, sweep_matches

from .conftest import match_rows


def test_match_order_stores_ranked_explained_matches(order_factory, inst_dhu):
    order = order_factory()
    assert match_order(order.pk) == "done"
    order.refresh_from_db()
    assert order.match_state == MatchState.DONE and order.matched_at and order.match_error == ""
    rows = match_rows(order)
    assert 1 <= len(rows) <= 20
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    scores = [r[5] for r in rows]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert all(r[6] for r in rows), "every match carries reasons"
    dhu = next(r for r in rows if r[3] == "东华大学")
    assert dhu[1] == "institution" and dhu[2] == inst_dhu.organization.institution_id
    assert dhu[4] == inst_dhu.organization_id, (
        "a catalog entry of a registered provider names its organization"
    )


def test_match_order_is_idempotent(order_factory):
    order = order_factory(
        kind=OrderKind.CAPITAL,
        title="纺织企业技改扩产融资",
        description="扩建功能性面料产线，需要流动资金贷款五百万元，希望获得信用贷款支持。",
    )
    match_order(order.pk)
    first = match_rows(order)
    match_order(order.pk)
    assert match_rows(order) == first
    assert first


def test_transient_errors_are_retried_then_the_order_fails_visibly(order_factory, quiet_eager):
    from matchmaking.models import Order

    order = order_factory()
    calls = []

    notes = []

    def boom(*args, **kwargs):
        calls.append(1)
        notes.append(Order.objects.get(pk=order.pk).match_error)
        raise OperationalError("database is unavailable")

    with mock.patch.object(matching, "rank_order", side_effect=boom):
        match_order.apply(args=[order.pk])
    assert len(calls) == match_order.max_retries + 1
    assert notes[0] == "" and "第 1 次重试：OperationalError" in notes[1], "retries are visible meanwhile"
    order.refresh_from_db()
    assert order.match_state == MatchState.FAILED
    assert "OperationalError: database is unavailable" in order.match_error


def test_a_retry_that_succeeds_stores_the_matches(order_factory, quiet_eager):
    order = order_factory()
    real = matching.rank_order
    outcomes = iter([OperationalError("blip")])

    def flaky(*args, **kwargs):
        exc = next(outcomes, None)
        if exc:
            raise exc
        return real(*args, **kwargs)

    with mock.patch.object(matching, "rank_order", side_effect=flaky):
        match_order.apply(args=[order.pk])
    order.refresh_from_db()
    assert order.match_state == MatchState.DONE and match_rows(order)


def test_other_errors_fail_at_once(order_factory, quiet_eager):
    order = order_factory()
    with mock.patch.object(matching, "rank_order", side_effect=ValueError("bad query")) as ranked:
        match_order.apply(args=[order.pk])
    assert ranked.call_count == 1
    order.refresh_from_db()
    assert order.match_state == MatchState.FAILED and "ValueError: bad query" in order.match_error


def test_stale_work_is_not_stored_and_is_enqueued_again(order_factory):
    from matchmaking.models import Match, Order

    order = order_factory()
    real = matching.rank_order

    def edited_meanwhile(o, *args, **kwargs):
        Order.objects.filter(pk=o.pk).update(match_inputs_at=timezone.now() + timedelta(seconds=1))
        return real(o, *args, **kwargs)

    with (
        mock.patch.object(matching, "rank_order", side_effect=edited_meanwhile),
        mock.patch.object(match_order, "delay") as again,
    ):
        assert match_order(order.pk) == "stale"
    again.assert_called_once_with(order.pk)
    assert not Match.objects.filter(order=order).exists()
    order.refresh_from_db()
    assert order.match_state == MatchState.PENDING


def test_missing_and_finished_orders(order_factory):
    assert match_order(999_999) == "missing"
    order = order_factory(state=OrderState.RESOLVED)
    assert match_order(order.pk) == "final"


def test_strong_match_notifies_the_provider_once(order_factory, inst_dhu, settings):
    from matchmaking.models import Match, Notification

    settings.MATCH_NOTIFY_THRESHOLD = 0.0
    submitted = order_factory()
    match_order(submitted.pk)
    assert notify_matched_providers(submitted.pk) == 0, "providers never hear of unpublished orders"
    order = order_factory(state=OrderState.PUBLISHED)
    match_order(order.pk)
    dhu = Match.objects.get(order=order, resource_name="东华大学")
    assert notify_matched_providers(order.pk) >= 1
    told = Notification.objects.filter(order=order, kind=NotificationKind.MATCHED, recipient=inst_dhu)
    assert told.count() == 1
    assert f"{dhu.score_percent}%" in told.get().title
    assert notify_matched_providers(order.pk) == 0
    assert told.count() == 1


def test_strong_match_threshold_comes_from_settings(order_factory, settings):
    settings.MATCH_NOTIFY_THRESHOLD = 1.0
    order = order_factory(state=OrderState.PUBLISHED)
    match_order(order.pk)
    assert notify_matched_providers(order.pk) == 0


def test_publishing_match_enqueues_notification_on_commit(
    order_factory, settings, django_capture_on_commit_callbacks
):
    settings.MATCH_NOTIFY_THRESHOLD = 0.0
    order = order_factory(state=OrderState.PUBLISHED)
    with (
        mock.patch("matchmaking.tasks.matching.notify_matched_providers.delay") as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        match_order(order.pk)
    notify.assert_called_once_with(order.pk)


# ---- the sweeper --------------------------------------------------------------------------------------
def test_sweeper_finds_missing_failed_stuck_and_stale_orders(order_factory):
    old = timezone.now() - timedelta(hours=1)
    fresh_pending = order_factory()
    lost_pending = order_factory(match_inputs_at=old)
    failed = order_factory(match_state=MatchState.FAILED)
    stuck = order_factory(match_state=MatchState.RUNNING)
    outdated = order_factory(match_state=MatchState.DONE, matched_at=old, match_inputs_at=timezone.now())
    current = order_factory(match_state=MatchState.DONE, matched_at=timezone.now(), match_inputs_at=old)
    innovation_current = order_factory(
        match_state=MatchState.DONE, match_inputs_at=old, matched_at=timezone.now()
    )
    capital_stale = order_factory(
        kind=OrderKind.CAPITAL, match_state=MatchState.DONE, match_inputs_at=old, matched_at=timezone.now()
    )
    Fund.objects.order_by("pk").first().save()  # a capital resource changed later: only capital orders
    draft = order_factory(state=OrderState.DRAFT, match_inputs_at=old)
    closed = order_factory(state=OrderState.CLOSED, match_state=MatchState.FAILED)
    running_live = order_factory(match_state=MatchState.RUNNING)
    matching.take_lease(running_live.pk)

    found = matching.orders_to_sweep()
    assert found["pending"] == [lost_pending.pk]
    assert found["failed"] == [failed.pk]
    assert found["stuck"] == [stuck.pk]
    assert found["outdated"] == [outdated.pk]
    assert found["catalog"] == [capital_stale.pk]
    swept = {pk for ids in found.values() for pk in ids}
    for untouched in (fresh_pending, current, innovation_current, draft, closed, running_live):
        assert untouched.pk not in swept
    matching.release_lease(running_live.pk)


def test_sweep_resets_stuck_orders_and_enqueues_each_once(order_factory, settings):
    from matchmaking.models import Order

    settings.MATCH_SWEEP_RETRIES = 1
    stuck = order_factory(match_state=MatchState.RUNNING)
    failed = order_factory(match_state=MatchState.FAILED)
    with mock.patch.object(match_order, "apply_async") as enqueue:
        counts = sweep_matches()
    assert counts["stuck"] == 1 and counts["failed"] == 1
    assert sorted(c.args[0][0] for c in enqueue.call_args_list) == sorted([stuck.pk, failed.pk])
    assert {c.kwargs["queue"] for c in enqueue.call_args_list} == {settings.MATCH_REMATCH_QUEUE}
    stuck.refresh_from_db()
    assert stuck.match_state == MatchState.PENDING
    # queued and waiting: the next sweep leaves both alone (their leases are held until the task runs)
    with mock.patch.object(match_order, "apply_async") as enqueue:
        counts = sweep_matches()
    assert not enqueue.called
    matching.release_lease(stuck.pk)
    matching.release_lease(failed.pk)  # as if both messages were lost: the leases ran out
    with mock.patch.object(match_order, "apply_async") as enqueue:
        counts = sweep_matches()
    assert failed.pk not in [c.args[0][0] for c in enqueue.call_args_list], "no sweep retries left"
    assert match_order(failed.pk) == "done"  # a success gives a later failure its sweep retries back
    Order.objects.filter(pk=failed.pk).update(match_state=MatchState.FAILED)
    assert matching.orders_to_sweep()["failed"] == [failed.pk]


def test_sweep_matches_really_rematches(order_factory):
    order = order_factory(match_inputs_at=timezone.now() - timedelta(hours=1))
    sweep_matches()  # eager in tests: the enqueued match_order runs here
    order.refresh_from_db()
    assert order.match_state == MatchState.DONE and match_rows(order)


# ---- catalog change → re-score --------------------------------------------------------------------------
def test_catalog_change_enqueues_one_rescore_after_commit(reference, django_capture_on_commit_callbacks):
    ent = Enterprise.objects.select_related("chain_type").order_by("pk").first()
    with (
        mock.patch.object(rescore_orders, "delay") as rescore,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ent.products += "；新产品"
        ent.save()
        ent.save()
    rescore.assert_called_once_with({"industry": [ent.chain_type_id]})


def test_catalog_changes_of_several_kinds_enqueue_one_rescore(reference, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(rescore_orders, "delay") as rescore,
        django_capture_on_commit_callbacks(execute=True),
    ):
        Institution.objects.order_by("pk").first().save()
        Fund.objects.order_by("pk").first().delete()
    rescore.assert_called_once_with({"innovation": None, "talent": None, "capital": None})


def test_orders_affected_by_scope(order_factory):
    innovation = order_factory()
    textile = order_factory(kind=OrderKind.INDUSTRY, chain_type="textile-apparel")
    food = order_factory(kind=OrderKind.INDUSTRY, chain_type="food")
    order_factory(state=OrderState.DRAFT)
    order_factory(state=OrderState.RESOLVED)
    textile_type = textile.chain.chain_type_id
    assert set(matching.orders_affected({"industry": [textile_type]})) == {textile}
    assert set(matching.orders_affected({"industry": None})) == {textile, food}
    assert set(matching.orders_affected({"innovation": None, "talent": None})) == {innovation}


def test_rescore_rematches_affected_orders(order_factory):
    from matchmaking.models import Match

    order = order_factory(state=OrderState.PUBLISHED)
    match_order(order.pk)
    dhu = Institution.objects.get(name="东华大学")
    before = Match.objects.get(order=order, resource_id=dhu.pk, resource_type="institution")
    dhu.fields += "；抗菌凉感功能性面料"
    dhu.save()
    assert rescore_orders({"innovation": None}) == 1
    after = Match.objects.get(order=order, resource_id=dhu.pk, resource_type="institution")
    assert after.score >= before.score and after.reasons != before.reasons
    assert any("抗菌" in r or "凉感" in r for r in after.reason_texts)


@pytest.mark.parametrize(
    "kind", [OrderKind.INNOVATION, OrderKind.CAPITAL, OrderKind.TALENT, OrderKind.INDUSTRY]
)
def test_every_kind_gets_matches(order_factory, kind):
    order = order_factory(kind=kind, chain_type="textile-apparel", link_name="织造")
    assert match_order(order.pk) == "done"
    assert match_rows(order)


# ---- the workflow and provider organizations --------------------------------------------------------------
def test_publication_tells_matched_providers(order_factory, django_capture_on_commit_callbacks):
    from matchmaking.choices import EventKind
    from matchmaking.models import OrderEvent

    order = order_factory(state=OrderState.PUBLISHED)
    with (
        mock.patch.object(notify_matched_providers, "delay") as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        OrderEvent.objects.create(order=order, kind=EventKind.COMMENTED, note="意见")
        OrderEvent.objects.create(
            order=order, kind=EventKind.PUBLISHED, from_state="submitted", to_state="published"
        )
    notify.assert_called_once_with(order.pk)


def test_a_new_provider_organization_is_named_on_existing_matches(
    order_factory, django_capture_on_commit_callbacks
):
    from accounts.choices import OrgKind, ProviderKind
    from accounts.models import Organization
    from matchmaking.models import Match

    order = order_factory()
    match_order(order.pk)
    unclaimed = Match.objects.filter(
        order=order, resource_type="institution", provider_org__isnull=True
    ).first()
    assert unclaimed is not None
    with django_capture_on_commit_callbacks(execute=True):
        org = Organization.objects.create(
            name="新注册科研机构",
            kind=OrgKind.PROVIDER,
            provider_kind=ProviderKind.INSTITUTION,
            institution_id=unclaimed.resource_id,
        )
    unclaimed.refresh_from_db()
    assert unclaimed.provider_org_id == org.pk
    with django_capture_on_commit_callbacks(execute=True):
        org.is_active = False
        org.save()
    unclaimed.refresh_from_db()
    assert unclaimed.provider_org_id is None
    match_order(order.pk)
    assert not Match.objects.filter(provider_org=org).exists()


def test_approving_tells_matched_providers_once(
    county_jinjiang, platform_admin, django_capture_on_commit_callbacks
):
    from matchmaking import services
    from tests.matchmaking.conftest import order_data

    order = services.submit_order(
        services.create_order(by=county_jinjiang, data=order_data(county_jinjiang)), by=county_jinjiang
    )
    with (
        mock.patch.object(notify_matched_providers, "delay") as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.approve_order(order, by=platform_admin)
    notify.assert_called_once_with(order.pk)
