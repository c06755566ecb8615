"""Issue 20 part 2: the dashboards read a summary table (`OrderTally`, `ResponseTally`) kept by the order
services; after random workflows every figure they show equals a plain count over the Order / Proposal rows,
for every level (province, body, city, county, chain map), and the drift check finds nothing."""

import random

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management.sql import emit_post_migrate_signal
from django.utils import timezone

from chains.models import ChainType, County, CountyChain, Prefecture
from matchmaking import services, tally
from matchmaking.choices import OrderKind, OrderState, OutcomeType
from matchmaking.models import Order, OrderTally, Outcome, Proposal
from matchmaking.tasks.orders import check_order_tally
from matchmaking.workflow import WorkflowError
from reports.access import CITY, COUNTY, PROVINCE, Level
from reports.chain_map import order_counts
from reports.forms import NO_FILTERS, Filters
from reports.queries import Figures, level_cells, level_orders, order_cells, tally_cells, tally_rows
from reports.rollups import _top_providers
from tests.matchmaking.conftest import order_data

pytestmark = pytest.mark.django_db

KINDS = list(OrderKind.values)


def _try(step):
    try:
        return step()
    except WorkflowError:
        return None


def _walk(rng, order, people):
    """Move one order along a random path through the services; stop anywhere."""
    county, admin = people["county"][order.county_id], people["admin"]
    if rng.random() < 0.15:
        return
    order = services.submit_order(order, by=county)
    roll = rng.random()
    if roll < 0.1:
        order = services.return_order(order, by=admin, reason="请补充材料")
        if rng.random() < 0.5:  # edited while returned: its cell may move (kind, chain, link)
            chain = rng.choice(list(CountyChain.objects.filter(county_id=order.county_id)))
            link = chain.chain_type.links.order_by("?").first()
            services.update_order(order, by=county, data={"chain": chain, "link": link})
        return
    if roll < 0.15:
        services.reject_order(order, by=admin, reason="不予受理")
        return
    if roll < 0.2:
        services.withdraw_order(order, by=county, reason="不再需要")
        return
    order = services.approve_order(order, by=admin)
    if rng.random() < 0.15:
        return
    if rng.random() < 0.08:
        services.withdraw_order(order, by=county, reason="不再需要")
        return
    bodies = [b for b in people["bodies"] if order.kind in b.organization.provincial_body.handles_list]
    if not bodies:
        return
    body = rng.choice(bodies)
    order = _try(lambda: services.claim_order(order, by=body)) or order
    if order.state != OrderState.CLAIMED:
        return
    for provider in rng.sample(people["providers"], k=rng.randint(0, len(people["providers"]))):
        response = _try(lambda p=provider: services.respond(order, by=p, proposal="可提供对接方案与支持。"))
        if response is None:
            continue
        roll = rng.random()
        if roll < 0.4:
            _try(lambda r=response: services.accept_proposal(r, by=county))
        elif roll < 0.7:
            _try(lambda r=response: services.decline_proposal(r, by=county, reason_category="other"))
    order.refresh_from_db()
    roll = rng.random()
    if order.state == OrderState.DOCKING and roll < 0.6:
        outcome_type = rng.choice(OutcomeType.values)
        services.resolve_order(
            order,
            by=body,
            outcome_type=outcome_type,
            summary="签订合作协议",
            amount_yuan=rng.choice((None, 1_000_000, 2_500_000)),
        )
    elif roll < 0.8:
        _try(lambda: services.close_order(order, by=body, reason="无合适资源"))


@pytest.fixture
def workflows(
    personas,
    county_jinjiang,
    county_luoyuan,
    platform_admin,
    body_kjt,
    body_jrb,
    body_gxt,
    inst_dhu,
    bank_cib,
    firm_demo,
):
    """About forty orders driven through random paths (seeded), plus changes made outside the services."""
    rng = random.Random(20)
    people = {
        "admin": platform_admin,
        "county": {u.organization.county_id: u for u in (county_jinjiang, county_luoyuan)},
        "bodies": [body_kjt, body_jrb, body_gxt],
        "providers": [inst_dhu, bank_cib, firm_demo],
    }
    counties = [county_jinjiang, county_luoyuan]
    for _ in range(40):
        by = rng.choice(counties)
        chain = rng.choice(list(CountyChain.objects.filter(county_id=by.organization.county_id)))
        link = chain.chain_type.links.order_by("?").first()
        data = order_data(by, rng.choice(KINDS), chain=chain, link=link)
        _walk(rng, services.create_order(by=by, data=data), people)
    # Changes made outside the services, through the ORM (the admin, scripts): kept by the receivers.
    outcome = Outcome.objects.order_by("pk").first()
    if outcome is not None:
        outcome.outcome_type, outcome.amount_yuan = OutcomeType.CREDIT, 7_000_000
        outcome.save()
    Order.objects.exclude(state=OrderState.DRAFT).order_by("-pk").first().delete()
    Proposal.objects.order_by("pk").last().delete()
    return people


def _figures(cells) -> tuple:
    figures = Figures.of(cells)
    return (
        figures.summary,
        sorted(figures.grouped, key=lambda r: (r["kind"], r["state"])),
        figures.per_county,
        figures.per_chain,
    )


def _levels(user):
    quanzhou = Prefecture.objects.get(name="泉州市")
    jinjiang, luoyuan = County.objects.get(name="晋江市"), County.objects.get(name="罗源县")
    return {
        "platform_admin": [
            Level(PROVINCE),
            Level(CITY, prefecture=quanzhou),
            Level(COUNTY, prefecture=quanzhou, county=jinjiang),
            Level(COUNTY, prefecture=luoyuan.prefecture, county=luoyuan),
        ],
        "body_kjt": [Level(PROVINCE), Level(COUNTY, prefecture=luoyuan.prefecture, county=luoyuan)],
        "body_jrb": [Level(PROVINCE), Level(CITY, prefecture=quanzhou)],
        "body_gxt": [Level(PROVINCE)],
        "city_quanzhou": [Level(CITY, prefecture=quanzhou)],
        "county_jinjiang": [Level(COUNTY, prefecture=quanzhou, county=jinjiang)],
    }[user]


FILTERS = [
    NO_FILTERS,
    Filters(kind=OrderKind.CAPITAL),
    Filters(kind=OrderKind.INNOVATION),
]


PERSONAS = ["platform_admin", "body_kjt", "body_jrb", "body_gxt", "city_quanzhou", "county_jinjiang"]


def test_every_dashboard_figure_equals_a_plain_count(workflows, request):
    for persona in PERSONAS:
        _check(request.getfixturevalue(persona), persona)


def _check(user, persona):
    assert Order.objects.exclude(state=OrderState.DRAFT).count() > 10
    now = timezone.now()
    textile = ChainType.objects.get(code="textile-apparel")
    filters = [
        *FILTERS,
        Filters(chain_type_id=textile.pk),
        Filters(prefecture_id=County.objects.get(name="罗源县").prefecture_id),
    ]
    for level in _levels(persona):
        for chosen in filters:
            orders = level_orders(user, level, chosen)
            cells = level_cells(user, level, chosen)
            assert cells is not None
            assert _figures(tally_cells(cells, orders, now)) == _figures(order_cells(orders, now)), (
                level,
                chosen,
            )
            assert _top_providers(orders, cells).rows == _top_providers(orders).rows
    # The chain map: open and all orders per (link, county), for the chain type and one county.
    for chain_type in ChainType.objects.all():
        for county in (None, County.objects.get(name="晋江市")):
            orders = (
                Order.objects.visible_to(user)
                .exclude(state=OrderState.DRAFT)
                .filter(chain__chain_type=chain_type)
            )
            cells = tally_rows(user).filter(chain__chain_type=chain_type)
            if county is not None:
                orders, cells = orders.filter(county=county), cells.filter(county=county)
            key = lambda r: (r["link_id"] or 0, r["county_id"])  # noqa: E731
            assert sorted(order_counts(orders, cells), key=key) == sorted(order_counts(orders), key=key)


def test_the_drift_check_finds_nothing_and_rebuild_changes_nothing(workflows):
    assert tally.drift() == []
    before = sorted(tally._stored()[0].items(), key=lambda kv: tally.key_text(kv[0]))
    tally.rebuild()
    assert tally.drift() == []
    assert sorted(tally._stored()[0].items(), key=lambda kv: tally.key_text(kv[0])) == before


def test_the_drift_check_reports_a_change_that_bypassed_the_services(workflows):
    order = Order.objects.exclude(state=OrderState.DRAFT).order_by("pk").first()
    Order.objects.filter(pk=order.pk).update(
        kind=OrderKind.TALENT if order.kind != OrderKind.TALENT else OrderKind.CAPITAL
    )
    assert tally.drift()
    tally.rebuild()
    assert tally.drift() == []


def test_migrating_a_site_with_orders_fills_an_empty_summary(workflows):
    """An upgraded site: the migration creates the tables empty, post_migrate counts the existing orders."""
    before = sorted(tally._stored()[0].items(), key=lambda kv: tally.key_text(kv[0]))
    OrderTally.objects.all().delete()
    assert tally.drift()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", apps=django_apps)
    assert tally.drift() == []
    assert sorted(tally._stored()[0].items(), key=lambda kv: tally.key_text(kv[0])) == before


def test_the_nightly_check_repairs_drift(workflows):
    order = Order.objects.exclude(state=OrderState.DRAFT).order_by("pk").first()
    Order.objects.filter(pk=order.pk).update(
        kind=OrderKind.TALENT if order.kind != OrderKind.TALENT else OrderKind.CAPITAL
    )
    assert check_order_tally.apply(kwargs={"rebuild": True}).get() > 0
    assert tally.drift() == []
    assert settings.CELERY_BEAT_SCHEDULE["check-order-tally"]["task"] == check_order_tally.name


def test_the_load_test_path_keeps_every_cell_exact(
    personas, county_jinjiang, platform_admin, body_kjt, bank_cib, inst_dhu, firm_demo
):
    """Responses to a published order (routed to several bodies), then its claim, an acceptance and an edit
    of fields no cell depends on: after each step the summary equals a fresh count."""
    order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang, OrderKind.INNOVATION))
    assert tally.drift() == []
    order = services.submit_order(order, by=county_jinjiang)
    order = services.approve_order(order, by=platform_admin)
    assert order.routes.count() > 1
    assert tally.drift() == []
    first = services.respond(order, by=bank_cib, proposal="可提供对接方案与支持。")
    services.respond(order, by=inst_dhu, proposal="可提供技术团队与中试设备支持。")
    assert tally.drift() == []
    order = services.claim_order(order, by=body_kjt)
    assert tally.drift() == []
    services.respond(order, by=firm_demo, proposal="可提供稳定供货与物流配套服务。")
    services.accept_proposal(first, by=county_jinjiang)
    assert tally.drift() == []
    order.refresh_from_db()
    order.title = "新的标题"
    order.save(update_fields=["title"])
    Proposal.objects.filter(order=order).order_by("pk").last().delete()
    assert tally.drift() == []


def test_a_new_response_rebuilds_a_missing_cell(personas, county_jinjiang, platform_admin, bank_cib):
    """A response counts its cells' figures too when a cell row is missing (not only the response rows)."""
    order = services.create_order(by=county_jinjiang, data=order_data(county_jinjiang, OrderKind.INNOVATION))
    order = services.approve_order(services.submit_order(order, by=county_jinjiang), by=platform_admin)
    OrderTally.objects.all().delete()
    services.respond(order, by=bank_cib, proposal="可提供对接方案与支持。")
    cells = tally.cells_of(order.pk)
    assert {k: v for k, v in tally._stored()[0].items() if k in cells} == {
        k: v for k, v in tally.computed()[0].items() if k in cells
    }
