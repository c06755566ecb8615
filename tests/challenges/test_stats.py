"""Dashboard counts: per chain type and county, bids only after the deadline, funding of awards, milestones on time."""

import pytest

from challenges import services, stats
from tests.challenges.conftest import make_bid, make_challenge

pytestmark = pytest.mark.django_db


def test_counts_per_chain_type_and_county(login, personas, clock):
    first = make_challenge(personas, title="甲")
    make_challenge(personas, title="乙", funding_yuan=500_000)
    make_bid(first, personas["inst_dhu"])
    make_bid(first, personas["firm_demo"])
    data = stats.dashboard(personas["county_jinjiang"])
    assert (data["total"].challenges, data["total"].open, data["total"].bids) == (
        2,
        2,
        0,
    )  # sealed: no bid count
    clock.move(days=8)
    services.close_due_bidding()
    first.refresh_from_db()
    bid = first.bids.get(bidder_org=personas["inst_dhu"].organization)
    (project,) = services.award_challenge(first, by=personas["body_kjt"], bids=[bid], reason="达标")
    milestone = project.milestones.first()
    services.report_milestone(milestone, by=personas["inst_dhu"], text="完成")
    services.accept_milestone(milestone, by=personas["body_kjt"])
    clock.move(days=400)  # both milestones now due; the first was reported in time and accepted
    data = stats.dashboard(personas["body_kjt"])
    total = data["total"]
    assert (total.challenges, total.awarded, total.bids, total.funding_yuan) == (2, 1, 2, 3_000_000)
    assert (total.milestones_due, total.milestones_on_time) == (2, 1)
    (county,) = data["by_county"]
    assert county.label == "晋江市" and county.challenges == 2
    (chain_type,) = data["by_chain_type"]
    assert chain_type.label == first.chain_type.name
    page = login(personas["body_kjt"]).get("/challenges/dashboard/").content.decode()
    assert "晋江市" in page and "3,000,000" in page and "50%" in page
