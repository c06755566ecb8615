"""Every transition of the table, legal and illegal, with its actor; the timeline; the concurrent claim."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from matchmaking import services, sla, workflow
from matchmaking.choices import EventKind, OrderKind, OrderState, ProposalState
from matchmaking.models import Order, OrderEvent, OrderRoute
from matchmaking.workflow import TRANSITIONS, WorkflowError

pytestmark = pytest.mark.django_db


def force_state(order, state, body_user=None):
    """Put an order into a state directly (test setup only), with the bookkeeping that state implies."""
    from chains.models import ProvincialBody

    kjt = ProvincialBody.objects.get(short_name="省科技厅")
    OrderRoute.objects.get_or_create(order=order, body=kjt)
    now = timezone.now()
    changes = {"state": state, "published_at": now, "claim_due_at": sla.claim_deadline_after(now)}
    if state in (OrderState.CLAIMED, OrderState.DOCKING, OrderState.RESOLVED, OrderState.CLOSED):
        changes.update(claimed_by_body=kjt, claimed_by_org=body_user.organization, claimed_at=timezone.now())
    Order.objects.filter(pk=order.pk).update(**changes)
    order.refresh_from_db()
    return order


def run_action(action, order, personas):
    """Fire one table action through its service, as the actor the table names."""
    county, admin, body = personas["county_jinjiang"], personas["admin"], personas["body_kjt"]
    if action == "submit":
        return services.submit_order(order, by=county)
    if action == "approve":
        return services.approve_order(order, by=admin)
    if action == "return":
        return services.return_order(order, by=admin, reason="请补充企业名单")
    if action == "reject":
        return services.reject_order(order, by=admin, reason="不属于平台受理范围")
    if action == "withdraw":
        return services.withdraw_order(order, by=county)
    if action == "claim":
        return services.claim_order(order, by=body)
    if action == "dock":
        response = services.respond(order, by=personas["inst_dhu"], proposal="我校可组建团队联合攻关。")
        return services.accept_proposal(response, by=county).order
    if action == "resolve":
        return services.resolve_order(order, by=body, outcome_type="agreement", summary="签订合作协议")
    if action == "close":
        return services.close_order(order, by=body, reason="企业需求已变化")
    if action == "expire":
        Order.objects.filter(pk=order.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
        order.refresh_from_db()
        return services.expire_order(order)
    raise AssertionError(action)


CASES = [(action, state) for action in TRANSITIONS for state in OrderState.values]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_every_action_from_every_state(action, state, make_order, personas, body_kjt):
    """Legal: the order moves to the target and one event records from/to. Illegal: refused, nothing written."""
    order = force_state(make_order(), state, body_kjt)
    events_before = OrderEvent.objects.filter(order=order).count()
    transition = TRANSITIONS[action]
    respondable = state in (OrderState.PUBLISHED, OrderState.CLAIMED, OrderState.DOCKING)
    if action == "dock" and not respondable:
        # A response cannot even be placed on such an order: refused before the transition.
        with pytest.raises(WorkflowError):
            run_action(action, order, personas)
        return
    if action == "dock" and state == OrderState.DOCKING:
        # Accepting another response while docking is allowed but is no transition.
        result = run_action(action, order, personas)
        assert result.state == OrderState.DOCKING
        assert not OrderEvent.objects.filter(order=order, to_state=OrderState.DOCKING).exists()
        return
    if state in transition.sources:
        result = run_action(action, order, personas)
        result.refresh_from_db()
        assert result.state == transition.target
        event = OrderEvent.objects.filter(order=order, from_state=state, to_state=transition.target).get()
        assert event.created_at is not None
    else:
        with pytest.raises(WorkflowError) as exc:
            run_action(action, order, personas)
        assert exc.value.code == "illegal_transition"
        assert exc.value.message
        order.refresh_from_db()
        assert order.state == state
        if action != "dock":
            assert not OrderEvent.objects.filter(order=order).count() > events_before


def test_table_matches_the_issue():
    """The table is exactly the one the issue describes."""
    table = {a: (set(t.sources), t.target) for a, t in TRANSITIONS.items()}
    assert table == {
        "submit": ({OrderState.DRAFT, OrderState.RETURNED}, OrderState.SUBMITTED),
        "approve": ({OrderState.SUBMITTED}, OrderState.PUBLISHED),
        "return": ({OrderState.SUBMITTED}, OrderState.RETURNED),
        "reject": ({OrderState.SUBMITTED}, OrderState.REJECTED),
        "withdraw": (
            {OrderState.DRAFT, OrderState.SUBMITTED, OrderState.RETURNED, OrderState.PUBLISHED},
            OrderState.WITHDRAWN,
        ),
        "claim": ({OrderState.PUBLISHED}, OrderState.CLAIMED),
        "dock": ({OrderState.CLAIMED}, OrderState.DOCKING),
        "resolve": ({OrderState.DOCKING}, OrderState.RESOLVED),
        "close": ({OrderState.CLAIMED, OrderState.DOCKING}, OrderState.CLOSED),
        "expire": ({OrderState.SUBMITTED, OrderState.PUBLISHED}, OrderState.EXPIRED),
    }
    assert workflow.allowed_actions(OrderState.RESOLVED) == []


def test_full_loop_writes_the_timeline(make_order, drive):
    """Draft to resolved: each step is one timeline entry, in order, with actor and organization."""
    order = drive(make_order(), OrderState.RESOLVED)
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.SUBMITTED,
        EventKind.PUBLISHED,
        EventKind.ROUTED,
        EventKind.CLAIMED,
        EventKind.RESPONDED,
        EventKind.ACCEPTED,
        EventKind.DOCKING,
        EventKind.RESOLVED,
    ]
    claimed = order.events.get(kind=EventKind.CLAIMED)
    assert claimed.actor.username == "body_kjt"
    assert claimed.organization.name == "福建省科学技术厅"
    assert (claimed.from_state, claimed.to_state) == (OrderState.PUBLISHED, OrderState.CLAIMED)
    assert order.outcome.outcome_type == "agreement"
    assert order.finished_at is not None


def test_returned_order_goes_back_to_the_county_and_can_be_resubmitted(
    make_order, drive, county_jinjiang, platform_admin
):
    """退回修改 carries its reason; the county edits and submits again."""
    order = drive(make_order(), OrderState.SUBMITTED)
    services.return_order(order, by=platform_admin, reason="请补充预期成果的量化指标")
    assert order.state == OrderState.RETURNED
    assert order.state_note == "请补充预期成果的量化指标"
    assert Order.objects.editable_by(county_jinjiang).filter(pk=order.pk).exists()
    services.update_order(order, by=county_jinjiang, data={"expected_outcome": "三项专利、一条示范线"})
    services.submit_order(order, by=county_jinjiang)
    assert order.state == OrderState.SUBMITTED
    assert order.events.filter(kind=EventKind.EDITED).exists()


@pytest.mark.parametrize("action", ["return", "reject", "close"])
def test_reason_is_required(action, make_order, drive, platform_admin, body_kjt):
    """Return, reject and close need a reason."""
    order = drive(make_order(), OrderState.CLAIMED if action == "close" else OrderState.SUBMITTED)
    with pytest.raises(WorkflowError) as exc:
        if action == "return":
            services.return_order(order, by=platform_admin, reason="  ")
        elif action == "reject":
            services.reject_order(order, by=platform_admin, reason="")
        else:
            services.close_order(order, by=body_kjt, reason="")
    assert exc.value.code == "invalid"


def test_wrong_actors_are_refused(
    make_order, drive, county_jinjiang, county_luoyuan, body_jrb, inst_dhu, city_quanzhou
):
    """Only the table's actors may fire a transition."""
    order = drive(make_order(), OrderState.SUBMITTED)
    for user in (county_jinjiang, body_jrb, inst_dhu, city_quanzhou):
        with pytest.raises(WorkflowError) as exc:
            services.approve_order(order, by=user)
        assert exc.value.code == "forbidden"
    draft = make_order()
    with pytest.raises(WorkflowError) as exc:
        services.submit_order(draft, by=county_luoyuan)
    assert exc.value.code == "forbidden"


def test_a_body_that_does_not_handle_the_kind_cannot_claim(make_order, drive, body_jrb, inst_dhu):
    """省委金融办 takes capital needs, not innovation ones; providers never claim."""
    order = drive(make_order(), OrderState.PUBLISHED)
    with pytest.raises(WorkflowError) as exc:
        services.claim_order(order, by=body_jrb)
    assert exc.value.code == "forbidden"
    with pytest.raises(WorkflowError):
        services.claim_order(order, by=inst_dhu)
    assert Order.objects.get(pk=order.pk).state == OrderState.PUBLISHED


def test_routing_reaches_every_body_that_handles_the_kind(make_order, drive):
    """A published capital order is routed to every body handling capital."""
    from chains.models import ProvincialBody

    order = drive(make_order(kind=OrderKind.CAPITAL), OrderState.PUBLISHED)
    routed = set(order.routes.values_list("body__short_name", flat=True))
    assert routed == set(ProvincialBody.objects.handling("capital").values_list("short_name", flat=True))
    assert "省委金融办" in routed and "省科技厅" not in routed


def test_claim_names_the_handler(make_order, drive, body_kjt):
    """The claiming body is recorded with its handler."""
    order = services.claim_order(drive(make_order(), OrderState.PUBLISHED), by=body_kjt, handler=body_kjt)
    assert order.claimed_by_body.short_name == "省科技厅"
    assert order.handler == body_kjt
    assert order.claimed_at is not None


def test_claim_handler_must_belong_to_the_body(make_order, drive, body_kjt, body_jrb):
    """Naming someone outside the body is refused."""
    order = drive(make_order(), OrderState.PUBLISHED)
    with pytest.raises(WorkflowError) as exc:
        services.claim_order(order, by=body_kjt, handler=body_jrb)
    assert exc.value.code == "invalid"


def test_concurrent_claim_with_stale_copies_one_wins(make_order, drive, body_kjt, second_innovation_body):
    """Two bodies load the published order and claim it: the first wins, the second gets claim_conflict."""
    order = drive(make_order(), OrderState.PUBLISHED)
    first, second = Order.objects.get(pk=order.pk), Order.objects.get(pk=order.pk)
    services.claim_order(first, by=body_kjt)
    with pytest.raises(WorkflowError) as exc:
        services.claim_order(second, by=second_innovation_body)
    assert exc.value.code == "claim_conflict"
    assert "省科技厅" in exc.value.message
    order.refresh_from_db()
    assert order.claimed_by_body.short_name == "省科技厅"
    assert order.events.filter(kind=EventKind.CLAIMED).count() == 1


def test_conditional_update_refuses_when_the_row_changed_under_the_lock(
    make_order, drive, body_kjt, second_innovation_body, monkeypatch
):
    """Even if the locked read were stale (no row locks, as on SQLite), UPDATE … WHERE state='published' lets one win."""
    order = drive(make_order(), OrderState.PUBLISHED)
    stale = Order.objects.get(pk=order.pk)
    services.claim_order(Order.objects.get(pk=order.pk), by=body_kjt)
    monkeypatch.setattr(services, "_locked", lambda pk: Order.objects.get(pk=pk) if False else stale)
    with pytest.raises(WorkflowError) as exc:
        services.claim_order(stale, by=second_innovation_body)
    assert exc.value.code == "claim_conflict"
    order.refresh_from_db()
    assert order.claimed_by_body.short_name == "省科技厅"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_claim_in_threads(make_order, drive, body_kjt, second_innovation_body):
    """Two threads claim at the same moment on PostgreSQL: exactly one succeeds."""
    order = drive(make_order(), OrderState.PUBLISHED)
    barrier = threading.Barrier(2)
    results = []

    def claim(user):
        from django.db import connections

        try:
            barrier.wait()
            services.claim_order(Order.objects.get(pk=order.pk), by=user)
            results.append("ok")
        except WorkflowError as exc:
            results.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (body_kjt, second_innovation_body)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["claim_conflict", "ok"]
    assert Order.objects.get(pk=order.pk).events.filter(kind=EventKind.CLAIMED).count() == 1


def test_events_are_append_only(make_order):
    """Timeline rows cannot be changed or deleted."""
    from django.core.exceptions import ValidationError

    event = make_order().events.get()
    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        OrderEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(ValidationError):
        OrderEvent.objects.filter(pk=event.pk).delete()


def test_failed_transition_writes_nothing(make_order, drive, body_kjt):
    """A refused transition leaves neither state nor timeline changed (same transaction)."""
    order = drive(make_order(), OrderState.SUBMITTED)
    before = order.events.count()
    with pytest.raises(WorkflowError):
        services.claim_order(order, by=body_kjt)
    assert order.events.count() == before


def test_accept_and_decline(make_order, drive, county_jinjiang, inst_dhu, bank_cib, firm_demo):
    """Several responses: accept one (order → docking), decline another with a category the provider sees."""
    order = drive(make_order(), OrderState.CLAIMED)
    a = services.respond(order, by=inst_dhu, proposal="我校纺织学院可联合攻关。")
    b = services.respond(order, by=firm_demo, proposal="我司可提供中试产线。")
    services.decline_proposal(b, by=county_jinjiang, reason_category="capacity", note="中试规模不足")
    services.accept_proposal(a, by=county_jinjiang)
    order.refresh_from_db()
    assert order.state == OrderState.DOCKING
    b.refresh_from_db()
    assert (b.state, b.reason_category, b.decision_note) == (
        ProposalState.DECLINED,
        "capacity",
        "中试规模不足",
    )
    with pytest.raises(WorkflowError):
        services.accept_proposal(b, by=county_jinjiang)
    with pytest.raises(WorkflowError) as exc:
        services.decline_proposal(a, by=county_jinjiang, reason_category="bogus")
    assert exc.value.code in ("invalid", "illegal_transition")


def test_responses_only_once_and_only_from_providers_who_see_it(make_order, drive, inst_dhu, body_kjt):
    """One response per provider; restricted orders need an invitation; bodies cannot respond."""
    order = drive(make_order(visibility="restricted"), OrderState.CLAIMED)
    with pytest.raises(WorkflowError) as exc:
        services.respond(order, by=inst_dhu, proposal="我校纺织学院可以组建团队联合攻关。")
    assert exc.value.code == "forbidden"
    services.invite_provider(order, by=body_kjt, provider_org=inst_dhu.organization, note="请贵校响应")
    services.respond(order, by=inst_dhu, proposal="我校纺织学院可以组建团队联合攻关。")
    with pytest.raises(WorkflowError):
        services.respond(order, by=inst_dhu, proposal="再次响应试试看，看看是否拒绝。")
    with pytest.raises(WorkflowError):
        services.respond(order, by=body_kjt, proposal="部门不能响应需求，应当被拒绝。")


def test_accepting_requires_a_claimed_order(make_order, drive, county_jinjiang, inst_dhu):
    """Responses on a published (unclaimed) order wait for a body to take the order."""
    order = drive(make_order(), OrderState.PUBLISHED)
    response = services.respond(order, by=inst_dhu, proposal="我校纺织学院可以组建团队联合攻关。")
    with pytest.raises(WorkflowError) as exc:
        services.accept_proposal(response, by=county_jinjiang)
    assert exc.value.code == "illegal_transition"


def test_invalid_input_is_refused_with_field_errors(county_jinjiang, county_luoyuan):
    """Kind-specific fields are required on submission (a draft may lack them); a chain of another county is
    refused; non-officials cannot place orders."""
    from tests.matchmaking.conftest import order_data

    data = order_data(county_jinjiang, OrderKind.CAPITAL, amount_yuan=None)
    draft = services.create_order(by=county_jinjiang, data=data)
    with pytest.raises(WorkflowError) as exc:
        services.submit_order(draft, by=county_jinjiang)
    assert "amount_yuan" in exc.value.errors
    data = order_data(county_jinjiang, chain=order_data(county_luoyuan)["chain"])
    with pytest.raises(WorkflowError) as exc:
        services.create_order(by=county_jinjiang, data=data)
    assert "chain" in exc.value.errors


def test_county_comes_from_the_organization(make_order, county_jinjiang):
    """The county is never taken from input."""
    from chains.models import County

    luoyuan = County.objects.get(name="罗源县")
    order = make_order(county=luoyuan)
    assert order.county.name == "晋江市"


def test_publication_fixes_the_claim_deadline(make_order, drive, settings):
    """Approval stores the claim deadline (N working days on); a later change of N leaves it as it was."""
    order = drive(make_order(), OrderState.PUBLISHED)
    assert order.claim_due_at == sla.add_working_days(order.published_at, settings.CLAIM_SLA_WORKING_DAYS)
    assert order.claim_due_at.weekday() < 5
    settings.CLAIM_SLA_WORKING_DAYS += 2
    order.save()
    order.refresh_from_db()
    assert sla.claim_deadline(order) == order.claim_due_at < sla.claim_deadline_after(order.published_at)


def test_every_published_order_has_a_claim_deadline(make_order):
    """save() fills a missing deadline; the database refuses a published order without one."""
    from django.db import IntegrityError, transaction

    order = make_order()
    order.published_at = timezone.now()
    order.save(update_fields=["published_at"])
    order.refresh_from_db()
    assert order.claim_due_at == sla.claim_deadline_after(order.published_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(claim_due_at=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_a_response_and_a_claim_of_the_same_order_do_not_deadlock_on_the_summary(make_order, drive, personas):
    """A transaction holding an order's row and then recounting its summary cells, against one that adds a
    response to that order (recounting the same cells) and then stamps the order's progress: both finish.
    (They deadlocked when the cells were locked before the order's row.)"""
    from django.db import connections, transaction

    from matchmaking import tally
    from matchmaking.models import Proposal

    order = drive(make_order(), OrderState.PUBLISHED)
    holding = threading.Event()
    errors = []

    def claimer():
        try:
            with transaction.atomic():
                Order.objects.select_for_update().get(pk=order.pk)
                holding.set()
                threading.Event().wait(0.5)  # the responder reaches its first lock meanwhile
                tally.recount_order(order.pk)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def responder():
        try:
            holding.wait(5)
            with transaction.atomic():
                Proposal.objects.create(
                    order_id=order.pk,
                    provider_org=personas["bank_cib"].organization,
                    proposal="并发的响应方案。",
                )
                Order.objects.filter(pk=order.pk).update(last_progress_at=timezone.now())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claimer), threading.Thread(target=responder)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert tally.drift() == []
