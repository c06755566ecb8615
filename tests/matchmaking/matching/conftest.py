"""Fixtures for the matching pipeline tests: orders in a given state, straight through the ORM."""

import datetime

import pytest
from django.utils import timezone

from matchmaking.choices import MatchState, OrderKind, OrderState


@pytest.fixture
def order_factory(db):
    """`order_factory(kind=..., county="晋江市", chain_type=None, state=..., **fields)` saves an Order."""
    from chains.models import ChainLink, County, CountyChain
    from matchmaking.models import Order

    def make(
        kind=OrderKind.INNOVATION,
        county="晋江市",
        chain_type=None,
        state=OrderState.SUBMITTED,
        **fields,
    ):
        county_obj = County.objects.get(name=county)
        chains = CountyChain.objects.filter(county=county_obj).select_related("chain_type").order_by("pk")
        chain = chains.filter(chain_type__code=chain_type).first() if chain_type else chains.first()
        link_name = fields.pop("link_name", None)
        link = (
            ChainLink.objects.filter(chain_type=chain.chain_type, name=link_name).first()
            if link_name
            else None
        )
        values = {
            "title": "功能性面料研发攻关需求",
            "description": "本县纺织企业急需抗菌、凉感功能性面料的关键工艺突破，希望与高校院所联合攻关。",
            "keywords": "功能性面料；抗菌；凉感",
            "due_date": timezone.localdate() + datetime.timedelta(days=90),
            "contact_name": "陈主任",
            "contact_phone": "13905950000",
            "match_inputs_at": timezone.now(),
            "match_state": MatchState.PENDING,
        }
        values.update(
            {
                OrderKind.INNOVATION: {"tech_field": "纺织材料", "expected_outcome": "形成可量产的工艺方案"},
                OrderKind.CAPITAL: {"amount_yuan": 5_000_000, "financing_type": "loan"},
                OrderKind.TALENT: {"headcount": 3, "talent_profile": "纺织工程高级工程师"},
                OrderKind.INDUSTRY: {"wanted_link": "upstream", "products": "再生涤纶长丝"},
            }[kind]
        )
        values.update(fields)
        return Order.objects.create(
            kind=kind, state=state, county=county_obj, chain=chain, link=link, **values
        )

    return make


def match_rows(order):
    """The order's Match rows as comparable tuples (no ids or timestamps)."""
    from matchmaking.models import Match

    return list(
        Match.objects.filter(order=order)
        .order_by("rank")
        .values_list(
            "rank", "resource_type", "resource_id", "resource_name", "provider_org_id", "score", "reasons"
        )
    )


@pytest.fixture
def quiet_eager():
    """Eager tasks record failures instead of raising them (as a worker would), retries included."""
    from config.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before
