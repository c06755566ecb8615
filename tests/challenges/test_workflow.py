"""Every transition of the 揭榜挂帅 tables, legal and illegal, with the clock moved by the tests."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges import services, workflow
from challenges.choices import BidState, ChallengeState, ListState, MilestoneState, ProjectState
from challenges.models import Bid, ChallengeEvent, Milestone
from core.errors import ServiceError as WorkflowError
from tests.challenges.conftest import CRITERIA, challenge_data, make_bid, make_challenge, review_all

pytestmark = pytest.mark.django_db


def _code(call):
    with pytest.raises(WorkflowError) as exc:
        call()
    return exc.value.code


def test_list_transitions_legal_and_illegal(personas):
    body, admin, county = personas["body_kjt"], personas["admin"], personas["county_jinjiang"]
    lst = services.create_list(by=body, data={"title": "榜单"})
    assert _code(lambda: services.submit_list(lst, by=body)) == "invalid"  # no challenge yet
    services.add_challenge(lst, by=body, data=challenge_data(), criteria=CRITERIA)
    assert _code(lambda: services.approve_list(lst, by=admin)) == "illegal_transition"  # still a draft
    assert _code(lambda: services.publish_list(lst, by=body)) == "illegal_transition"
    assert _code(lambda: services.submit_list(lst, by=county)) == "forbidden"
    services.submit_list(lst, by=body)
    assert lst.state == ListState.SUBMITTED
    assert _code(lambda: services.approve_list(lst, by=body)) == "forbidden"
    assert _code(lambda: services.return_list(lst, by=admin, reason=" ")) == "invalid"
    services.return_list(lst, by=admin, reason="榜额出资方不明确")
    assert lst.state == ListState.RETURNED
    services.submit_list(lst, by=body)
    services.approve_list(lst, by=admin)
    assert lst.state == ListState.APPROVED
    assert _code(lambda: services.publish_list(lst, by=personas["body_jrb"])) == "forbidden"
    services.publish_list(lst, by=body)
    assert lst.state == ListState.PUBLISHED
    assert set(lst.challenges.values_list("state", flat=True)) == {ChallengeState.OPEN}
    assert _code(lambda: services.close_list(lst, by=body, reason="")) == "invalid"
    services.close_list(lst, by=body, reason="年度榜单结束")
    assert lst.state == ListState.CLOSED
    assert set(lst.challenges.values_list("state", flat=True)) == {ChallengeState.CANCELLED}
    kinds = list(ChallengeEvent.objects.filter(list=lst, challenge=None).values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "submitted", "approved", "published", "closed"]


def test_county_drafts_a_list_that_its_city_submits(personas):
    county, city = personas["county_jinjiang"], personas["city_quanzhou"]
    lst = services.create_list(by=county, data={"title": "晋江市纺织鞋服攻关榜"})
    assert lst.publisher_org == city.organization and lst.county.name == "晋江市"
    services.add_challenge(lst, by=county, data=challenge_data(), criteria=CRITERIA)
    assert _code(lambda: services.submit_list(lst, by=county)) == "forbidden"
    services.submit_list(lst, by=city)
    assert lst.state == ListState.SUBMITTED


def test_providers_cannot_publish_lists(personas):
    assert _code(lambda: services.create_list(by=personas["inst_dhu"], data={"title": "x"})) == "forbidden"


def test_bid_withdraw_and_late_bid(personas, clock):
    challenge = make_challenge(personas)
    bid = make_bid(challenge, personas["inst_dhu"])
    assert bid.state == BidState.SUBMITTED
    assert _code(lambda: make_bid(challenge, personas["inst_dhu"])) == "invalid"  # one live bid per org
    assert _code(lambda: services.withdraw_bid(bid, by=personas["firm_demo"])) == "forbidden"
    services.withdraw_bid(bid, by=personas["inst_dhu"])
    assert bid.state == BidState.WITHDRAWN
    assert _code(lambda: services.withdraw_bid(bid, by=personas["inst_dhu"])) == "illegal_transition"
    again = make_bid(challenge, personas["inst_dhu"])  # after withdrawing, a new bid is allowed
    clock.move(days=8)
    with pytest.raises(WorkflowError) as exc:
        make_bid(challenge, personas["firm_demo"])
    assert exc.value.code == "deadline_passed" and "截止" in exc.value.message
    assert _code(lambda: services.withdraw_bid(again, by=personas["inst_dhu"])) == "deadline_passed"


def test_eligibility_region_kind_and_joint_bids(personas, experts):
    from chains.models import Prefecture

    fujian = make_challenge(personas, region_scope="fujian", joint_bids_allowed=False)
    with pytest.raises(WorkflowError) as exc:  # 东华大学 is in Shanghai
        make_bid(fujian, personas["inst_dhu"])
    assert "福建省内" in exc.value.message
    with pytest.raises(WorkflowError) as exc:
        make_bid(fujian, experts["inst_fzu"], partners=[{"name": "东华大学", "role": "纤维"}])
    assert "联合揭榜" in exc.value.message
    assert make_bid(fujian, experts["inst_fzu"]).state == BidState.SUBMITTED
    quanzhou = make_challenge(
        personas, region_scope="prefecture", region_prefecture=Prefecture.objects.get(name="泉州市")
    )
    assert _code(lambda: make_bid(quanzhou, experts["inst_fzu"])) == "invalid"  # 福州
    assert make_bid(quanzhou, personas["firm_demo"]).state == BidState.SUBMITTED  # 晋江 firm
    firms_only = make_challenge(personas, eligible_kinds=["enterprise"])
    assert _code(lambda: make_bid(firms_only, personas["inst_dhu"])) == "invalid"
    assert _code(lambda: make_bid(firms_only, personas["county_jinjiang"])) == "forbidden"


def test_unpublished_challenge_takes_no_bid(personas):
    draft = make_challenge(personas, publish=False)
    assert _code(lambda: make_bid(draft, personas["inst_dhu"])) == "forbidden"  # not even visible


def test_deadline_review_award_milestones_acceptance(personas, experts, clock):
    body, admin = personas["body_kjt"], personas["admin"]
    challenge = make_challenge(personas)
    services.add_expert(challenge, by=body, expert=experts["expert_lin"])
    services.add_expert(challenge, by=body, expert=experts["expert_wu"])
    dhu = make_bid(challenge, personas["inst_dhu"], files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 bid")])
    firm = make_bid(challenge, personas["firm_demo"])
    assert _code(lambda: services.close_bidding(challenge)) == "illegal_transition"  # before the deadline
    assert _code(lambda: review_all(dhu, experts["expert_lin"])) == "illegal_transition"  # not reviewing yet
    assert (
        _code(lambda: services.award_challenge(challenge, by=body, bids=[dhu], reason="x"))
        == "illegal_transition"
    )
    clock.move(days=7, minutes=1)
    assert services.close_due_bidding() == 1
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.REVIEWING
    assert services.close_due_bidding() == 0  # idempotent
    review_all(dhu, experts["expert_lin"], 90)
    review_all(dhu, experts["expert_wu"], 70)
    review_all(firm, experts["expert_lin"], 60)
    assert _code(lambda: review_all(firm, personas["inst_dhu"])) == "forbidden"  # not on the panel
    assert (
        _code(lambda: services.award_challenge(challenge, by=personas["body_jrb"], bids=[dhu], reason="x"))
        == "forbidden"
    )
    assert _code(lambda: services.award_challenge(challenge, by=body, bids=[dhu], reason="")) == "invalid"
    (project,) = services.award_challenge(challenge, by=body, bids=[dhu], reason="综合评分第一")
    challenge.refresh_from_db()
    dhu.refresh_from_db()
    firm.refresh_from_db()
    assert challenge.state == ChallengeState.AWARDED
    assert (dhu.state, firm.state, firm.reason_category) == ("awarded", "unsuccessful", "ranked_lower")
    assert _code(lambda: services.decline_award(challenge, by=body, reason="x")) == "illegal_transition"
    first, second = project.milestones.all()
    assert (first.title, second.title) == ("完成小试配方", "中试线连续生产")
    assert _code(lambda: services.report_milestone(first, by=personas["firm_demo"], text="x")) == "forbidden"
    assert _code(lambda: services.accept_milestone(first, by=body)) == "illegal_transition"  # not reported
    assert _code(lambda: services.accept_project(project, by=body)) == "illegal_transition"
    services.report_milestone(first, by=personas["inst_dhu"], text="小试完成，附检测报告")
    assert _code(lambda: services.accept_milestone(first, by=personas["inst_dhu"])) == "forbidden"
    assert _code(lambda: services.rework_milestone(first, by=body, reason="")) == "invalid"
    services.rework_milestone(first, by=body, reason="缺少第三方检测报告")
    assert first.state == MilestoneState.REWORK
    services.report_milestone(first, by=personas["inst_dhu"], text="补充第三方检测报告")
    services.accept_milestone(first, by=body, note="符合")
    services.report_milestone(second, by=personas["inst_dhu"], text="中试 3 批次合格")
    services.accept_milestone(second, by=admin)
    assert _code(lambda: services.accept_project(project, by=personas["inst_dhu"])) == "forbidden"
    services.accept_project(project, by=body, note="通过最终验收")
    assert project.state == ProjectState.ACCEPTED
    assert _code(lambda: services.accept_project(project, by=body)) == "illegal_transition"
    assert (
        _code(lambda: services.report_milestone(first, by=personas["inst_dhu"], text="x"))
        == "illegal_transition"
    )


def test_no_award_and_cancel(personas, clock):
    body = personas["body_kjt"]
    challenge = make_challenge(personas)
    bid = make_bid(challenge, personas["inst_dhu"])
    clock.move(days=8)
    services.close_due_bidding()
    challenge.refresh_from_db()
    services.decline_award(challenge, by=body, reason="方案均未达到指标")
    bid.refresh_from_db()
    assert (challenge.state, bid.state, bid.reason_category) == ("no_award", "unsuccessful", "no_award")
    other = make_challenge(personas, bid_deadline=clock.now + datetime.timedelta(days=3))
    assert _code(lambda: services.cancel_challenge(other, by=personas["inst_dhu"], reason="x")) == "forbidden"
    services.cancel_challenge(other, by=body, reason="需求已由其他渠道解决")
    assert other.state == ChallengeState.CANCELLED


def test_final_acceptance_resolves_linked_orders(personas, experts, clock):
    from tests.access.matchmaking import _order

    order = _order(personas, "docking")  # 晋江's innovation order, claimed by 省科技厅, in docking
    claimed = _order(personas, "claimed")
    body = personas["body_kjt"]
    challenge = make_challenge(personas, orders=[order, claimed])
    bid = make_bid(challenge, personas["inst_dhu"])
    clock.move(days=8)
    services.close_due_bidding()
    challenge.refresh_from_db()
    (project,) = services.award_challenge(challenge, by=body, bids=[bid], reason="唯一方案且达标")
    for milestone in project.milestones.all():
        services.report_milestone(milestone, by=personas["inst_dhu"], text="完成")
        services.accept_milestone(milestone, by=body)
    services.accept_project(project, by=body, note="指标全部达到")
    order.refresh_from_db()
    claimed.refresh_from_db()
    assert order.state == "resolved"
    assert order.outcome.partner == "东华大学" and "揭榜挂帅" in order.outcome.summary
    assert claimed.state == "claimed"  # not in docking: left as it is, and said so
    notes = list(ChallengeEvent.objects.filter(project=project).values_list("kind", flat=True))
    assert "order_resolved" in notes and "order_not_resolved" in notes


def test_overdue_milestones_remind_then_escalate(personas, clock, settings, mailoutbox):
    from matchmaking.models import Notification

    settings.CHALLENGE_ESCALATE_DAYS = 5
    body = personas["body_kjt"]
    challenge = make_challenge(personas)
    bid = make_bid(challenge, personas["inst_dhu"])
    clock.move(days=8)
    services.close_due_bidding()
    challenge.refresh_from_db()
    (project,) = services.award_challenge(challenge, by=body, bids=[bid], reason="达标")
    first = project.milestones.first()
    due = first.due_date
    assert services.remind_overdue_milestones(due) == {"reminded": 0, "escalated": 0}
    assert services.remind_overdue_milestones(due + datetime.timedelta(days=1)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert services.remind_overdue_milestones(due + datetime.timedelta(days=2)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert services.remind_overdue_milestones(due + datetime.timedelta(days=6)) == {
        "reminded": 0,
        "escalated": 1,
    }
    assert services.remind_overdue_milestones(due + datetime.timedelta(days=9)) == {
        "reminded": 0,
        "escalated": 0,
    }
    reminded = Notification.objects.filter(kind="reminder", title__contains="里程碑逾期提醒")
    assert set(reminded.values_list("recipient__username", flat=True)) == {"inst_dhu"}
    escalated = Notification.objects.filter(kind="escalated", title__contains="里程碑逾期上报")
    assert {"body_kjt", "admin"} <= set(escalated.values_list("recipient__username", flat=True))
    assert "inst_dhu" not in set(escalated.values_list("recipient__username", flat=True))


def test_transition_table_is_complete():
    assert set(workflow.TABLES) == {"list", "challenge", "bid", "milestone", "project"}
    for table in workflow.TABLES.values():
        for transition in table.values():
            assert transition.action in workflow.ACTION_LABELS
    assert Bid.objects.none().count() == 0 and Milestone.objects.none().count() == 0
