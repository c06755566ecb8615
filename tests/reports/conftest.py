"""A hand-computed world of orders for the dashboard tests (fixed timestamps, fixed "now").

    #  county  chain         kind        state      published        claimed          finished   notes
    1  晋江市  纺织鞋服      innovation  resolved   Mon 06-02 10:00  Tue 06-03 10:00  06-12     agreement; 东华大学 accepted
    2  晋江市  食品          capital     resolved   Fri 05-30 10:00  Thu 06-05 10:00  06-10     credit 5,000,000; 兴业 accepted
    3  晋江市  纺织鞋服      talent      docking    Mon 06-09 10:00  Mon 06-09 16:00  -         东华大学 accepted
    4  晋江市  纺织鞋服      industry    published  Tue 06-10 10:00  -                -         claim overdue; 3 firm matches
    5  石狮市  休闲服装      innovation  published  Fri 06-13 10:00  -                -         not yet due; 东华大学 declined
    6  罗源县  绿色冶金      capital     claimed    Mon 06-02 10:00  Thu 06-05 10:00  -         claimed exactly at the deadline
    7  晋江市  纺织鞋服      innovation  draft      -                -                -         never counted
    8  罗源县  绿色冶金      innovation  closed     Mon 05-26 10:00  Tue 05-27 10:00  06-06
    9  晋江市  食品          innovation  submitted  -                -                -

Routes to 省科技厅: orders 1, 3, 5 (claimed by it: 1, 3 and 8). "Now" is Mon 2025-06-16 10:00 (Asia/Shanghai).
Submitted two hours before publication (9: submitted 06-14). All times are local; the claim service level
is 3 working days.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2025, 6, 16, 10, 0, tzinfo=TZ)


def at(month, day, hour=10):
    """A local 2025 timestamp."""
    return datetime.datetime(2025, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def world(db, personas, settings):
    """Create the nine orders above and return them by number (plus the objects they use)."""
    from chains.models import County, CountyChain, Enterprise, ProvincialBody
    from matchmaking.choices import OrderKind, OrderState, OutcomeType, ProposalState, ResourceType
    from matchmaking.models import Match, Order, OrderRoute, Outcome, Proposal

    settings.CLAIM_SLA_WORKING_DAYS = 3
    jinjiang, shishi, luoyuan = (County.objects.get(name=n) for n in ("晋江市", "石狮市", "罗源县"))
    textile = CountyChain.objects.get(county=jinjiang, chain_type__code="textile-apparel")
    food = CountyChain.objects.get(county=jinjiang, chain_type__code="food")
    shishi_textile = CountyChain.objects.get(county=shishi, chain_type__code="textile-apparel")
    metallurgy = CountyChain.objects.get(county=luoyuan, chain_type__code="metallurgy")
    kjt = ProvincialBody.objects.get(short_name="省科技厅")
    jrb = ProvincialBody.objects.get(short_name="省委金融办")
    dhu = personas["inst_dhu"].organization
    cib = personas["bank_cib"].organization

    def place(
        n, county, chain, kind, state, published=None, claimed=None, finished=None, body=None, submitted=None
    ):
        order = Order.objects.create(
            kind=kind,
            state=state,
            county=county,
            chain=chain,
            title=f"测试需求第{n}号",
            description="用于看板统计测试的需求描述，内容足够长以通过校验。",
            due_date=datetime.date(2025, 12, 31),
            contact_name="测试",
            contact_phone="13800000000",
            submitted_at=(published - datetime.timedelta(hours=2)) if published else submitted,
            published_at=published,
            claimed_at=claimed,
            finished_at=finished,
            claimed_by_body=body if claimed else None,
            amount_yuan=5_000_000 if kind == OrderKind.CAPITAL else None,
        )
        created = (published or at(6, 1)) - datetime.timedelta(days=1)
        Order.objects.filter(pk=order.pk).update(created_at=created)
        order.refresh_from_db()
        return order

    orders = {
        1: place(
            1,
            jinjiang,
            textile,
            OrderKind.INNOVATION,
            OrderState.RESOLVED,
            at(6, 2),
            at(6, 3),
            at(6, 12),
            kjt,
        ),
        2: place(
            2, jinjiang, food, OrderKind.CAPITAL, OrderState.RESOLVED, at(5, 30), at(6, 5), at(6, 10), jrb
        ),
        3: place(
            3, jinjiang, textile, OrderKind.TALENT, OrderState.DOCKING, at(6, 9), at(6, 9, 16), None, kjt
        ),
        4: place(4, jinjiang, textile, OrderKind.INDUSTRY, OrderState.PUBLISHED, at(6, 10)),
        5: place(5, shishi, shishi_textile, OrderKind.INNOVATION, OrderState.PUBLISHED, at(6, 13)),
        6: place(
            6, luoyuan, metallurgy, OrderKind.CAPITAL, OrderState.CLAIMED, at(6, 2), at(6, 5), None, jrb
        ),
        7: place(7, jinjiang, textile, OrderKind.INNOVATION, OrderState.DRAFT),
        8: place(
            8,
            luoyuan,
            metallurgy,
            OrderKind.INNOVATION,
            OrderState.CLOSED,
            at(5, 26),
            at(5, 27),
            at(6, 6),
            kjt,
        ),
        9: place(9, jinjiang, food, OrderKind.INNOVATION, OrderState.SUBMITTED, submitted=at(6, 14)),
    }
    for n in (1, 3, 5):
        OrderRoute.objects.create(order=orders[n], body=kjt)
    for n in (2, 6):
        OrderRoute.objects.create(order=orders[n], body=jrb)
    Outcome.objects.create(
        order=orders[1],
        outcome_type=OutcomeType.AGREEMENT,
        partner="东华大学",
        date=datetime.date(2025, 6, 12),
        summary="签订产学研合作协议",
    )
    Outcome.objects.create(
        order=orders[2],
        outcome_type=OutcomeType.CREDIT,
        amount_yuan=5_000_000,
        partner="兴业银行",
        date=datetime.date(2025, 6, 10),
        summary="授信 500 万元",
    )
    for n, org, state in (
        (1, dhu, ProposalState.ACCEPTED),
        (3, dhu, ProposalState.ACCEPTED),
        (5, dhu, ProposalState.DECLINED),
        (2, cib, ProposalState.ACCEPTED),
    ):
        Proposal.objects.create(
            order=orders[n], provider_org=org, proposal="我方可提供对接方案与支持。", state=state
        )
    for rank, name in enumerate(
        ("长乐染整企业（示例）", "石狮印染企业（示例）", "晋江染整企业（示例）", "恒申"), 1
    ):
        firm = Enterprise.objects.get(name=name)
        Match.objects.create(
            order=orders[4],
            resource_type=ResourceType.ENTERPRISE,
            resource_id=firm.pk,
            resource_name=firm.name,
            rank=rank,
            score=0.9 - rank / 10,
        )
    return {"orders": orders, "jinjiang": jinjiang, "shishi": shishi, "luoyuan": luoyuan, "kjt": kjt}


@pytest.fixture(autouse=True)
def no_dashboard_cache(settings):
    """Tests compute every dashboard afresh (the page cache is tested on its own)."""
    settings.DASHBOARD_CACHE_SECONDS = 0
