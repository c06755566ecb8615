"""Fixtures of the 揭榜挂帅 tests: the experts, a movable clock, and a published challenge built as the personas."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD


@pytest.fixture
def experts(db, personas):
    """expert_lin (福州大学), expert_wu (厦门大学) and inst_fzu (a 福州大学 bidder): username → User."""
    from accounts.models import User
    from challenges.demo import EXPERTS, ensure_challenge_personas

    ensure_challenge_personas(lambda: PASSWORD)
    return {u.username: u for u in User.objects.filter(username__in=EXPERTS).select_related("organization")}


class Clock:
    """`django.utils.timezone.now` under the test's control: `clock.move(days=8)`."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def move(self, **delta):
        """Move the clock forward (or back) by a timedelta's keyword arguments."""
        self.now = self.now + datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    """A clock the test moves; every `timezone.now()` (services, querysets, auto_now) reads it."""
    c = Clock()
    with mock.patch("django.utils.timezone.now", c):
        yield c


def challenge_data(**overrides):
    """A challenge on 纺织鞋服 with a week to bid."""
    from chains.models import ChainType, CountyChain

    chain = (
        CountyChain.objects.filter(county__name="晋江市").select_related("chain_type").order_by("pk").first()
    )
    data = {
        "title": "功能性面料抗菌凉感关键工艺攻关",
        "summary": "晋江纺织企业需要抗菌、凉感功能性面料的量产工艺。",
        "targets": "抗菌率≥99%；凉感系数≥0.2；50次水洗后性能保持≥90%",
        "acceptance_criteria": "第三方检测报告；中试线连续生产 3 批次合格",
        "keywords": "功能性面料；抗菌；凉感",
        "chain_type": chain.chain_type if chain else ChainType.objects.first(),
        "chain": chain,
        "funding_yuan": 3_000_000,
        "funder": "福建省科学技术厅",
        "bid_deadline": timezone.now() + datetime.timedelta(days=7),
    }
    data.update(overrides)
    return data


CRITERIA = [
    {"name": "技术路线可行性", "weight": 40},
    {"name": "团队能力", "weight": 30},
    {"name": "经费合理性", "weight": 30},
]


def make_challenge(personas, *, publish=True, orders=(), **overrides):
    """省科技厅 drafts a list with one challenge; admin approves; 省科技厅 publishes (unless publish=False)."""
    from challenges import services

    body, admin = personas["body_kjt"], personas["admin"]
    lst = services.create_list(
        by=body, data={"title": "2026年纺织鞋服产业链揭榜挂帅榜单", "description": "示例"}
    )
    challenge = services.add_challenge(
        lst, by=body, data=challenge_data(**overrides), criteria=CRITERIA, orders=orders
    )
    if publish:
        services.submit_list(lst, by=body)
        services.approve_list(lst, by=admin)
        services.publish_list(lst, by=body)
        challenge.refresh_from_db()
    return challenge


MILESTONES = [
    {"title": "完成小试配方", "due_date": datetime.date(2027, 3, 31), "deliverable": "小试报告"},
    {"title": "中试线连续生产", "due_date": datetime.date(2027, 9, 30), "deliverable": "3 批次检测报告"},
]


def make_bid(challenge, user, *, partners=(), files=(), **overrides):
    """A bid of the user's organization with two milestones."""
    from challenges import services

    data = {
        "lead_name": "李华",
        "lead_title": "教授",
        "team": "纺织学院功能纤维团队 8 人",
        "approach": f"{user.organization.name}：纳米银复合整理 + 凉感纤维混纺工艺",
        "budget_yuan": 2_800_000,
    }
    data.update(overrides)
    return services.submit_bid(
        challenge, by=user, data=data, partners=partners, milestones=MILESTONES, files=files
    )


def review_all(bid, expert, score=80):
    """Declare no conflict and score every criterion `score`."""
    from challenges import services

    services.declare_conflict(bid, by=expert, has_conflict=False)
    return services.submit_review(bid, by=expert, scores={c.pk: score for c in bid.challenge.criteria.all()})
