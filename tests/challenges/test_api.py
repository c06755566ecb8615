"""The 揭榜挂帅 API end to end as the personas: lists, challenges, sealed bids with attachments, panel, conflicts,
reviews, award, milestones with evidence, final acceptance, achievements; errors in the common shape."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from challenges import services
from challenges.models import Challenge

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_whole_loop_through_the_api(personas, experts, clock):
    from chains.models import CountyChain

    body, admin, dhu = api(personas["body_kjt"]), api(personas["admin"]), api(personas["inst_dhu"])
    lst = body.post(
        "/api/v1/challenge-lists/", {"title": "API 榜单", "description": "d"}, format="json"
    ).json()
    assert lst["state"] == "draft" and lst["publisher_name"] == "福建省科学技术厅"
    chain = CountyChain.objects.filter(county__name="晋江市").order_by("pk").first()
    payload = {
        "list": lst["id"], "title": "API 榜", "summary": "s", "targets": "抗菌率≥99%", "acceptance_criteria": "检测报告",
        "chain_type": chain.chain_type_id, "chain": chain.pk, "funding_yuan": 1_000_000, "funder": "省科技厅",
        "bid_deadline": (timezone.now() + datetime.timedelta(days=5)).isoformat(),
        "criteria": [{"name": "可行性", "weight": 60}, {"name": "团队", "weight": 40}],
    }  # fmt: skip
    created = body.post("/api/v1/challenges/", payload, format="json")
    assert created.status_code == 201, created.json()
    challenge_id = created.json()["id"]
    assert [c["weight"] for c in created.json()["criteria"]] == [60, 40]
    # a bad weight: 400 in the common shape
    bad = body.post(
        "/api/v1/challenges/", {**payload, "criteria": [{"name": "x", "weight": 0}]}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()) == {"detail", "code", "fields"}
    assert body.post(f"/api/v1/challenge-lists/{lst['id']}/submit/").json()["state"] == "submitted"
    assert body.post(f"/api/v1/challenge-lists/{lst['id']}/approve/").status_code == 403
    assert admin.post(f"/api/v1/challenge-lists/{lst['id']}/approve/").json()["state"] == "approved"
    assert body.post(f"/api/v1/challenge-lists/{lst['id']}/publish/").json()["state"] == "published"
    assert (
        body.post(
            f"/api/v1/challenges/{challenge_id}/panel/", {"expert": "expert_wu"}, format="json"
        ).status_code
        == 200
    )
    bid_body = {
        "lead_name": "李华", "team": "8 人", "approach": "API 路线", "budget_yuan": 900000,
        "partners": [{"name": "晋江针织面料企业（示例）", "organization": personas["firm_demo"].organization_id, "role": "中试"}],
        "milestones": [{"title": "小试", "due_date": "2027-03-31", "deliverable": "报告"}],
    }  # fmt: skip
    bid = dhu.post(f"/api/v1/challenges/{challenge_id}/bids/", bid_body, format="json")
    assert bid.status_code == 201, bid.json()
    bid_id = bid.json()["id"]
    upload = dhu.post(f"/api/v1/bids/{bid_id}/attachments/", {"files": [SimpleUploadedFile("方案.pdf", b"%PDF-1.4 a")]}, format="multipart")  # fmt: skip
    assert upload.status_code == 200 and upload.json()["attachments"][0]["name"] == "方案.pdf"
    # the consortium partner sees the bid too; the publisher does not (sealed)
    assert api(personas["firm_demo"]).get(f"/api/v1/bids/{bid_id}/").json()["approach"] == "API 路线"
    assert body.get(f"/api/v1/bids/{bid_id}/").status_code == 404
    clock.move(days=6)
    late = api(personas["bank_cib"]).post(f"/api/v1/challenges/{challenge_id}/bids/", bid_body, format="json")
    assert (
        late.status_code == 409
        and late.json()["code"] == "deadline_passed"
        and "截止" in late.json()["detail"]
    )
    assert dhu.post(f"/api/v1/bids/{bid_id}/withdraw/").status_code == 409
    services.close_due_bidding()
    wu = api(experts["expert_wu"])
    assert (
        wu.post(f"/api/v1/bids/{bid_id}/conflict/", {"has_conflict": False}, format="json").status_code == 200
    )
    criteria = Challenge.objects.get(pk=challenge_id).criteria.all()
    review = wu.post("/api/v1/reviews/", {"bid": bid_id, "scores": [{"criterion": c.pk, "score": 90 if c.weight == 60 else 70} for c in criteria]}, format="json")  # fmt: skip
    assert review.status_code == 201 and review.json()["total"] == 82.0
    assert [r["id"] for r in body.get("/api/v1/reviews/").json()["results"]] == [review.json()["id"]]
    awarded = body.post(
        f"/api/v1/challenges/{challenge_id}/award/", {"bids": [bid_id], "reason": "达标"}, format="json"
    )
    assert awarded.json()["state"] == "awarded"
    (project,) = body.get("/api/v1/projects/").json()["results"]
    (milestone,) = dhu.get(f"/api/v1/projects/{project['id']}/milestones/").json()
    report = dhu.post(f"/api/v1/milestones/{milestone['id']}/report/",
                      {"text": "完成", "files": [SimpleUploadedFile("证明.pdf", b"%PDF-1.4 e")]}, format="multipart")  # fmt: skip
    assert (
        report.json()["state"] == "reported"
        and report.json()["reports"][0]["attachments"][0]["name"] == "证明.pdf"
    )
    assert (
        body.post(f"/api/v1/milestones/{milestone['id']}/rework/", {"reason": "补充"}, format="json").json()[
            "state"
        ]
        == "rework"
    )
    dhu.post(f"/api/v1/milestones/{milestone['id']}/report/", {"text": "已补充"}, format="json")
    assert (
        body.post(f"/api/v1/milestones/{milestone['id']}/accept/", {}, format="json").json()["state"]
        == "accepted"
    )
    assert dhu.post(f"/api/v1/projects/{project['id']}/accept/").status_code == 403
    assert (
        body.post(f"/api/v1/projects/{project['id']}/accept/", {"note": "通过"}, format="json").json()[
            "state"
        ]
        == "accepted"
    )


def test_achievements_api(personas):
    dhu, bank = api(personas["inst_dhu"]), api(personas["body_kjt"])
    data = {"title": "再生涤纶纺丝", "field": "化纤", "summary": "s", "maturity": "pilot", "ip_kind": "know_how", "licensing": "joint"}  # fmt: skip
    created = dhu.post("/api/v1/achievements/", data, format="json")
    assert created.status_code == 201 and created.json()["organization_name"] == "东华大学"
    assert bank.post("/api/v1/achievements/", data, format="json").status_code == 403  # not a provider
    pk = created.json()["id"]
    assert (
        dhu.patch(f"/api/v1/achievements/{pk}/", {"is_published": False}, format="json").json()[
            "is_published"
        ]
        is False
    )
    assert bank.get(f"/api/v1/achievements/{pk}/").status_code == 404
    assert (
        api(personas["firm_demo"])
        .patch(f"/api/v1/achievements/{pk}/", {"title": "x"}, format="json")
        .status_code
        == 404
    )
    assert dhu.get("/api/v1/achievements/?search=涤纶").json()["count"] == 1
