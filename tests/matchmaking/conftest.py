"""Order fixtures: valid form data per kind and a helper that drives an order through the workflow."""

import datetime

import pytest
from django.utils import timezone

from matchmaking.choices import OrderKind, OrderState


def order_data(county_user, kind=OrderKind.INNOVATION, **overrides):
    """Valid input for `create_order` for the user's county (first chain, first link of its type)."""
    from chains.models import CountyChain

    chain = CountyChain.objects.filter(county_id=county_user.organization.county_id).order_by("pk").first()
    link = chain.chain_type.links.order_by("position").first()
    data = {
        "kind": kind,
        "chain": chain,
        "link": link,
        "title": "功能性面料研发攻关需求",
        "description": "本县纺织企业急需抗菌、凉感功能性面料的关键工艺突破，希望与高校院所联合攻关。",
        "keywords": "功能性面料；抗菌；凉感",
        "due_date": timezone.localdate() + datetime.timedelta(days=90),
        "contact_name": "陈主任",
        "contact_phone": "13905950000",
        "visibility": "open",
    }
    data.update(
        {
            OrderKind.INNOVATION: {"tech_field": "纺织材料", "expected_outcome": "形成可量产的工艺方案"},
            OrderKind.CAPITAL: {"amount_yuan": 5_000_000, "financing_type": "loan"},
            OrderKind.TALENT: {"headcount": 3, "talent_profile": "纺织工程高级工程师"},
            OrderKind.INDUSTRY: {"wanted_link": "upstream", "products": "再生涤纶长丝"},
        }[kind]
    )
    data.update(overrides)
    return data


@pytest.fixture
def make_order(county_jinjiang):
    """`make_order(kind=..., by=county_user, **overrides)` creates a draft through the service."""
    from matchmaking import services

    def make(kind=OrderKind.INNOVATION, by=None, **overrides):
        by = by or county_jinjiang
        return services.create_order(by=by, data=order_data(by, kind, **overrides))

    return make


@pytest.fixture
def drive(county_jinjiang, platform_admin, body_kjt, body_jrb, inst_dhu, bank_cib):
    """`drive(order, to_state)` walks an order along the happy path (as the personas) up to a state."""
    from matchmaking import services

    def run(order, to_state):
        body = body_jrb if order.kind == OrderKind.CAPITAL else body_kjt
        provider = bank_cib if order.kind == OrderKind.CAPITAL else inst_dhu
        steps = [
            (OrderState.SUBMITTED, lambda o: services.submit_order(o, by=county_jinjiang)),
            (OrderState.PUBLISHED, lambda o: services.approve_order(o, by=platform_admin)),
            (OrderState.CLAIMED, lambda o: services.claim_order(o, by=body)),
            (
                OrderState.DOCKING,
                lambda o: (
                    services.accept_proposal(
                        services.respond(o, by=provider, proposal="我校纺织学院可组建团队联合攻关。"),
                        by=county_jinjiang,
                    ).order
                ),
            ),
            (
                OrderState.RESOLVED,
                lambda o: services.resolve_order(
                    o, by=body, outcome_type="agreement", summary="签订产学研合作协议", partner="东华大学"
                ),
            ),
        ]
        order_of_states = [OrderState.DRAFT] + [state for state, _step in steps]
        for state, step in steps:
            if order.state == to_state:
                break
            if order_of_states.index(order.state) >= order_of_states.index(state):
                continue
            order = step(order)
            order.refresh_from_db()
        assert order.state == to_state
        return order

    return run


@pytest.fixture
def second_innovation_body(db, personas):
    """An extra body user (省工信厅, which also takes innovation needs) for claim races."""
    from accounts.models import User

    # the demo persona of 省工信厅 (it also confirms county key chains)
    return User.objects.select_related("organization").get(username="body_gxt")
