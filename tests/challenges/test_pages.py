"""Pages, downloads and exports of 揭榜挂帅 read what the policy allows (content, not only status codes)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from challenges import services
from challenges.review import aggregate, weighted_total
from tests.challenges.conftest import make_bid, make_challenge, review_all

pytestmark = pytest.mark.django_db


def _sheet_text(response) -> str:
    book = load_workbook(io.BytesIO(response.content))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )


def test_aggregation_weighted_mean_spread_and_outliers():
    assert weighted_total({1: 90, 2: 60}, {1: 40, 2: 60}) == pytest.approx(72.0)
    ranked = aggregate([10, 20, 30], [(10, 1, 80), (10, 2, 82), (10, 3, 40), (20, 1, 90), (20, 2, 88)], 20)
    first, second, third = ranked
    assert (first.bid_id, first.rank, round(first.score, 1), round(first.spread, 1)) == (20, 1, 89.0, 1.0)
    assert (second.bid_id, second.rank, second.outliers) == (10, 2, {3})  # 40 is 42 points from the median 80
    assert (third.bid_id, third.rank, third.score) == (30, None, None)  # no review: last, unranked
    assert aggregate([1], [(1, 1, 10), (1, 2, 90)], 20)[0].outliers == set()  # fewer than three: no outliers


def test_public_hall_lists_published_challenges_only(client, personas):
    published = make_challenge(personas, title="公开的榜")
    make_challenge(personas, publish=False, title="草稿中的榜")
    page = client.get("/challenges/").content.decode()
    assert "公开的榜" in page and "草稿中的榜" not in page
    detail = client.get(f"/challenges/{published.pk}/").content.decode()
    assert "抗菌率≥99%" in detail and "我要揭榜" not in detail  # anonymous: no bid button


def test_sealed_on_the_publisher_page_until_the_deadline(login, personas, experts, clock):
    challenge = make_challenge(personas)
    services.add_expert(challenge, by=personas["body_kjt"], expert=experts["expert_lin"])
    services.add_expert(challenge, by=personas["body_kjt"], expert=experts["expert_wu"])
    make_bid(challenge, personas["inst_dhu"], approach="东华密封路线")
    make_bid(challenge, personas["firm_demo"])
    page = login(personas["body_kjt"]).get(f"/challenges/{challenge.pk}/").content.decode()
    assert "方案密封中" in page and 'data-testid="ranking"' not in page and "/challenges/bids/" not in page
    assert login(personas["body_kjt"]).get(f"/challenges/{challenge.pk}/bids.xlsx").status_code == 404
    clock.move(days=8)
    services.close_due_bidding()
    page = login(personas["body_kjt"]).get(f"/challenges/{challenge.pk}/").content.decode()
    assert 'data-testid="ranking"' in page and "方案密封中" not in page
    assert page.count("/challenges/bids/") == 2
    sheet = _sheet_text(login(personas["body_kjt"]).get(f"/challenges/{challenge.pk}/bids.xlsx"))
    assert "东华密封路线" in sheet
    # another bidder's page still shows only its own bid
    page = login(personas["firm_demo"]).get(f"/challenges/{challenge.pk}/").content.decode()
    assert "东华大学" not in page


def test_expert_declares_before_reading_and_scores_through_the_page(login, personas, experts, clock):
    challenge = make_challenge(personas)
    services.add_expert(challenge, by=personas["body_kjt"], expert=experts["expert_wu"])
    services.add_expert(challenge, by=personas["body_kjt"], expert=experts["expert_lin"])
    bid = make_bid(challenge, personas["inst_dhu"], approach="东华技术路线正文")
    fzu = make_bid(challenge, experts["inst_fzu"], approach="福大技术路线正文")
    clock.move(days=8)
    services.close_due_bidding()
    client = login(experts["expert_wu"])
    page = client.get(f"/challenges/bids/{bid.pk}/").content.decode()
    assert "请先声明利益冲突" in page and "东华技术路线正文" not in page
    client.post(f"/challenges/bids/{bid.pk}/conflict/", {"has_conflict": "0"})
    page = client.get(f"/challenges/bids/{bid.pk}/").content.decode()
    assert "东华技术路线正文" in page and 'data-testid="review-form"' in page
    data = {f"score_{c.pk}": 85 for c in challenge.criteria.all()} | {"comment": "路线清晰"}
    client.post(f"/challenges/bids/{bid.pk}/review/", data)
    page = client.get(f"/challenges/bids/{bid.pk}/").content.decode()
    assert "路线清晰" in page and "85.0" in page and 'data-testid="review-form"' not in page
    lin = login(experts["expert_lin"])
    lin.post(f"/challenges/bids/{fzu.pk}/conflict/", {"has_conflict": "0"})  # affiliated: a conflict anyway
    assert lin.get(f"/challenges/bids/{fzu.pk}/").status_code == 404
    assert "福大技术路线正文" not in lin.get(f"/challenges/{challenge.pk}/").content.decode()


def test_bid_page_with_attachment_late_bid_and_downloads(login, personas, clock):
    challenge = make_challenge(personas)
    client = login(personas["inst_dhu"])
    response = client.post(
        f"/challenges/{challenge.pk}/bid/",
        {
            "lead_name": "李华", "team": "8 人", "approach": "页面提交的路线", "budget_yuan": 2500000,
            "milestones_text": "2027-03-31；完成小试；小试报告\n2027-09-30；中试；检测报告",
            "partners_text": "福建师范大学；材料表征",
            "attachments": SimpleUploadedFile("技术方案.pdf", b"%PDF-1.4 page bid"),
        },
    )  # fmt: skip
    bid = challenge.bids.get()
    assert (
        response.status_code == 302 and bid.files.count() == 1 and bid.partners.get().name == "福建师范大学"
    )
    page = client.get(f"/challenges/bids/{bid.pk}/").content.decode()
    assert "页面提交的路线" in page and "技术方案.pdf" in page and "完成小试" in page
    file_url = f"/challenges/files/{bid.files.get().pk}/"
    assert client.get(file_url).status_code == 200
    assert login(personas["body_kjt"]).get(file_url).status_code == 404  # sealed
    clock.move(days=8)
    late = login(personas["firm_demo"]).post(
        f"/challenges/{challenge.pk}/bid/",
        {
            "lead_name": "张",
            "team": "5 人",
            "approach": "迟到",
            "budget_yuan": 1,
            "milestones_text": "2027-03-31；a；b",
        },
        follow=True,
    )
    assert "截止" in late.content.decode() and challenge.bids.count() == 1
    assert login(personas["body_kjt"]).get(file_url).status_code == 200  # unsealed


def test_reviews_export_flags_outliers(login, personas, experts, clock):
    from accounts.models import User

    challenge = make_challenge(personas)
    third = User.objects.create(username="expert_third", organization=personas["bank_cib"].organization)
    for expert in (experts["expert_wu"], experts["expert_lin"], third):
        services.add_expert(challenge, by=personas["body_kjt"], expert=expert)
    bid = make_bid(challenge, personas["inst_dhu"])
    clock.move(days=8)
    services.close_due_bidding()
    review_all(bid, experts["expert_wu"], 80)
    review_all(bid, experts["expert_lin"], 82)
    review_all(bid, third, 30)
    text = _sheet_text(login(personas["body_kjt"]).get(f"/challenges/{challenge.pk}/reviews.xlsx"))
    assert "离群评分专家" in text and "expert_third" in text
    page = login(personas["body_kjt"]).get(f"/challenges/{challenge.pk}/").content.decode()
    assert "离群" in page and "64.0" in page
    assert login(personas["inst_dhu"]).get(f"/challenges/{challenge.pk}/reviews.xlsx").status_code == 404


def test_milestone_report_with_evidence_and_final_acceptance_through_pages(login, personas, clock):
    challenge = make_challenge(personas)
    bid = make_bid(challenge, personas["inst_dhu"])
    clock.move(days=8)
    services.close_due_bidding()
    challenge.refresh_from_db()
    (project,) = services.award_challenge(challenge, by=personas["body_kjt"], bids=[bid], reason="达标")
    winner, publisher = login(personas["inst_dhu"]), None
    for milestone in project.milestones.all():
        winner.post(f"/challenges/milestones/{milestone.pk}/report/",
                    {"text": f"{milestone.title}完成", "attachments": SimpleUploadedFile("检测报告.pdf", b"%PDF-1.4 x")})  # fmt: skip
    page = winner.get(f"/challenges/projects/{project.pk}/").content.decode()
    assert "检测报告.pdf" in page and "已报告，待验收" in page
    publisher = login(personas["body_kjt"])
    for milestone in project.milestones.all():
        publisher.post(f"/challenges/milestones/{milestone.pk}/accept/", {"reason": "符合"})
    publisher.post(f"/challenges/projects/{project.pk}/accept/", {"reason": "通过最终验收"})
    project.refresh_from_db()
    assert project.state == "accepted"
    assert login(personas["firm_demo"]).get(f"/challenges/projects/{project.pk}/").status_code == 404


def test_achievements_page_and_search(client, personas, experts):
    services.save_achievement(None, by=experts["inst_fzu"], data={
        "title": "光催化降解印染废水技术", "field": "环境工程", "summary": "光催化", "maturity": "pilot",
        "ip_kind": "invention_patent", "licensing": "license"})  # fmt: skip
    services.save_achievement(None, by=experts["inst_fzu"], data={
        "title": "未公开成果", "field": "x", "summary": "x", "maturity": "lab", "ip_kind": "other",
        "licensing": "negotiable", "is_published": False})  # fmt: skip
    page = client.get("/challenges/achievements/?q=印染").content.decode()
    assert "光催化降解印染废水技术" in page and "未公开成果" not in page
    assert "光催化" not in client.get("/challenges/achievements/?q=锂电").content.decode()


def test_list_pages_and_api_lists_take_a_fixed_number_of_queries(
    client, personas, django_assert_max_num_queries, clock
):
    for i in range(3):
        challenge = make_challenge(personas, title=f"榜{i}")
        make_bid(challenge, personas["inst_dhu"])
    clock.move(days=8)
    api = APIClient()
    api.force_authenticate(personas["body_kjt"])
    with django_assert_max_num_queries(6):
        assert client.get("/challenges/").status_code == 200
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/challenges/").json()["results"]) == 3
    with django_assert_max_num_queries(9):
        assert len(api.get("/api/v1/bids/").json()["results"]) == 3
    for i in range(3, 6):
        make_challenge(
            personas, title=f"榜{i}", bid_deadline=clock.now + __import__("datetime").timedelta(days=3)
        )
    with django_assert_max_num_queries(6):
        assert client.get("/challenges/").status_code == 200
    with django_assert_max_num_queries(8):
        assert len(api.get("/api/v1/challenges/").json()["results"]) == 6
