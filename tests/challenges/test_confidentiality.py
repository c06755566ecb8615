"""Sealed bids and conflicts of interest: querysets, the read policy, the API and notifications agree."""

import pytest
from rest_framework.test import APIClient

from challenges import policy, services
from challenges.models import Bid, Review
from matchmaking.models import Notification
from tests.challenges.conftest import make_bid, make_challenge, review_all

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sealed(personas, experts, clock):
    """A challenge with three bids (东华大学, the 晋江 firm, 福州大学) and a two-expert panel, before its deadline."""
    challenge = make_challenge(personas)
    services.add_expert(challenge, by=personas["body_kjt"], expert=experts["expert_lin"])
    services.add_expert(challenge, by=personas["body_kjt"], expert=experts["expert_wu"])
    bids = {
        "dhu": make_bid(challenge, personas["inst_dhu"], approach="东华秘密路线"),
        "firm": make_bid(challenge, personas["firm_demo"], approach="企业秘密路线"),
        "fzu": make_bid(challenge, experts["inst_fzu"], approach="福大秘密路线"),
    }
    return challenge, bids


def test_before_the_deadline_only_the_bidder_sees_its_bid(personas, experts, sealed):
    challenge, bids = sealed
    assert list(Bid.objects.visible_to(personas["inst_dhu"])) == [bids["dhu"]]
    assert list(Bid.objects.visible_to(personas["firm_demo"])) == [bids["firm"]]
    for outsider in ("body_kjt", "admin", "county_jinjiang", "city_quanzhou", "bank_cib"):
        assert not Bid.objects.visible_to(personas[outsider]).exists(), outsider
    for expert in ("expert_lin", "expert_wu"):
        assert not Bid.objects.visible_to(experts[expert]).exists()
    # API: the publisher's list is empty, the detail 404, another bidder 404
    response = api(personas["body_kjt"]).get(f"/api/v1/challenges/{challenge.pk}/bids/")
    assert response.status_code == 200 and response.json() == []
    assert api(personas["body_kjt"]).get(f"/api/v1/bids/{bids['dhu'].pk}/").status_code == 404
    assert api(personas["firm_demo"]).get(f"/api/v1/bids/{bids['dhu'].pk}/").status_code == 404
    own = api(personas["inst_dhu"]).get(f"/api/v1/challenges/{challenge.pk}/bids/").json()
    assert [b["approach"] for b in own] == ["东华秘密路线"]
    detail = api(personas["body_kjt"]).get(f"/api/v1/challenges/{challenge.pk}/").json()
    assert detail["bid_count"] is None  # not even how many
    # notifications: nobody but each bidder heard of a bid
    heard = set(
        Notification.objects.filter(title__contains="揭榜方案已提交").values_list(
            "recipient__username", flat=True
        )
    )
    assert heard == {"inst_dhu", "firm_demo", "inst_fzu"}
    assert not Notification.objects.filter(
        recipient__username__in=["body_kjt", "admin"], body__contains="秘密"
    ).exists()


def test_after_the_deadline_publisher_sees_all_and_bidders_only_their_own(personas, experts, sealed, clock):
    challenge, bids = sealed
    services.withdraw_bid(bids["firm"], by=personas["firm_demo"])
    clock.move(days=8)
    services.close_due_bidding()
    publisher = api(personas["body_kjt"]).get(f"/api/v1/challenges/{challenge.pk}/bids/").json()
    assert sorted(b["approach"] for b in publisher) == ["东华秘密路线", "福大秘密路线"]  # withdrawn one gone
    assert api(personas["body_kjt"]).get(f"/api/v1/challenges/{challenge.pk}/").json()["bid_count"] == 2
    other = api(personas["inst_dhu"]).get(f"/api/v1/challenges/{challenge.pk}/bids/").json()
    assert [b["id"] for b in other] == [bids["dhu"].pk]
    assert api(personas["inst_dhu"]).get(f"/api/v1/bids/{bids['fzu'].pk}/").status_code == 404
    assert api(personas["body_jrb"]).get(f"/api/v1/bids/{bids['dhu'].pk}/").status_code == 404
    told = Notification.objects.filter(title__contains="揭榜已截止")
    assert set(told.values_list("recipient__username", flat=True)) == {"body_kjt", "expert_lin", "expert_wu"}
    assert all("2 份" in n.body for n in told)


def test_conflicted_expert_can_neither_see_nor_score(personas, experts, sealed, clock):
    challenge, bids = sealed
    clock.move(days=8)
    services.close_due_bidding()
    lin = experts["expert_lin"]  # 福州大学: conflicted with 福州大学's bid whatever they declare
    client = api(lin)
    listed = client.get(f"/api/v1/challenges/{challenge.pk}/bids/").json()
    assert {b["id"] for b in listed} == {b.pk for b in bids.values()}
    assert all(
        "approach" not in b and b["my_conflict"] is None for b in listed
    )  # undeclared: bidder name only
    response = client.post(f"/api/v1/bids/{bids['fzu'].pk}/conflict/", {"has_conflict": False}, format="json")
    assert response.status_code == 204  # declared "no conflict", but affiliated: recorded as a conflict
    assert client.get(f"/api/v1/bids/{bids['fzu'].pk}/").status_code == 404
    assert not Bid.objects.visible_to(lin).filter(pk=bids["fzu"].pk).exists()
    with pytest.raises(services.WorkflowError):
        services.submit_review(bids["fzu"], by=lin, scores={c.pk: 90 for c in challenge.criteria.all()})
    scores = [{"criterion": c.pk, "score": 95} for c in challenge.criteria.all()]
    response = client.post("/api/v1/reviews/", {"bid": bids["fzu"].pk, "scores": scores}, format="json")
    assert response.status_code == 404
    # a declared conflict on another bid works the same
    assert (
        client.post(
            f"/api/v1/bids/{bids['dhu'].pk}/conflict/",
            {"has_conflict": True, "note": "曾合作"},
            format="json",
        ).status_code
        == 204
    )
    assert [b["id"] for b in client.get(f"/api/v1/challenges/{challenge.pk}/bids/").json()] == [
        bids["firm"].pk
    ]
    # the other expert declares none and reads the content
    wu = api(experts["expert_wu"])
    assert (
        wu.post(f"/api/v1/bids/{bids['dhu'].pk}/conflict/", {"has_conflict": False}, format="json").json()[
            "approach"
        ]
        == "东华秘密路线"
    )
    assert (
        wu.post(
            "/api/v1/reviews/", {"bid": bids["dhu"].pk, "scores": scores, "comment": "好"}, format="json"
        ).status_code
        == 201
    )
    assert list(Review.objects.visible_to(lin)) == []
    assert Review.objects.visible_to(personas["inst_dhu"]).count() == 0
    assert Review.objects.visible_to(personas["body_kjt"]).count() == 1


def test_bidders_learn_their_result_and_reason_category_only(personas, experts, sealed, clock):
    challenge, bids = sealed
    clock.move(days=8)
    services.close_due_bidding()
    review_all(bids["dhu"], experts["expert_wu"], 90)
    services.award_challenge(challenge, by=personas["body_kjt"], bids=[bids["dhu"]], reason="评分第一，秘密理由",
                             reasons={bids["firm"].pk: "budget"})  # fmt: skip
    firm = api(personas["firm_demo"]).get(f"/api/v1/bids/{bids['firm'].pk}/").json()
    assert (firm["state"], firm["reason_category"]) == ("unsuccessful", "budget")
    assert api(personas["inst_dhu"]).get("/api/v1/reviews/").json()["results"] == []
    got = Notification.objects.filter(recipient__username="firm_demo", title__contains="未中榜").get()
    assert "经费预算不合理" in got.body and "东华" not in got.body
    won = Notification.objects.filter(recipient__username="inst_dhu", title__contains="已中榜").get()
    assert "评分第一" in won.body
    assert not Notification.objects.filter(recipient__username="inst_fzu", body__contains="秘密理由").exists()


def test_read_policy_roles(personas, experts, sealed, clock):
    _challenge, bids = sealed
    assert policy.BidReadPolicy.of(personas["inst_dhu"], bids["dhu"]).reads_content
    assert policy.BidReadPolicy.of(personas["body_kjt"], bids["dhu"]).role == ""  # sealed
    clock.move(days=8)
    services.close_due_bidding()
    assert policy.BidReadPolicy.of(personas["body_kjt"], bids["dhu"]).reads_content
    read = policy.BidReadPolicy.of(experts["expert_wu"], bids["dhu"])
    assert read.role == "expert" and read.must_declare and not read.reads_content
    many = policy.BidReadPolicy.for_bids(experts["expert_wu"], list(bids.values()))
    assert {p.role for p in many.values()} == {"expert"}
