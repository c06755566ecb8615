"""The platform measures itself (matchmaking.stats and its dashboard section): exact figures on a small data set."""

from datetime import timedelta

import pytest
from django.urls import reverse

from matchmaking import stats
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Match, Order, Proposal

pytestmark = pytest.mark.django_db


def _match(order, org, rank):
    Match.objects.create(
        order=order, resource_type="institution", resource_id=rank, resource_name="东华大学",
        provider_org=org, rank=rank, score=0.5, reasons=[],
    )  # fmt: skip


@pytest.fixture
def measured(make_order, drive, personas):
    """Two innovation orders with accepted responses (one provider in the top 10, answered at once; one ranked
    12th, answered on day 8), one published capital order nobody answered, one draft."""
    dhu = personas["inst_dhu"].organization
    top = drive(make_order(), OrderState.DOCKING)
    late = drive(make_order(), OrderState.DOCKING)
    silent = drive(make_order(kind=OrderKind.CAPITAL), OrderState.PUBLISHED)
    make_order()
    Match.objects.filter(order__in=[top, late]).delete()
    _match(top, dhu, 3)
    _match(late, dhu, 12)
    Proposal.objects.filter(order=late).update(created_at=late.published_at + timedelta(days=8))
    return top, late, silent


def test_shares_per_kind_and_chain_type_are_exact(measured):
    top, _late, silent = measured
    rows = {(r.kind, r.chain_type): r for r in stats.match_quality(Order.objects.all())}
    innovation = rows[(OrderKind.INNOVATION, top.chain.chain_type.name)]
    assert (innovation.accepted, innovation.accepted_from_top) == (2, 1)
    assert (innovation.published, innovation.responded_in_time) == (2, 1)
    assert innovation.from_top_share == 50.0 and innovation.responded_share == 50.0
    capital = rows[(OrderKind.CAPITAL, silent.chain.chain_type.name)]
    assert capital.accepted == 0 and capital.from_top_share is None
    assert (capital.published, capital.responded_share) == (1, 0.0)
    total = rows[("", "")]
    assert (total.accepted, total.accepted_from_top, total.published, total.responded_in_time) == (2, 1, 3, 1)
    assert total.responded_share == 33.3


def test_section_renders_the_figures_with_the_anchors_in_bounded_queries(
    measured, personas, login, django_assert_num_queries
):
    client = login(personas["admin"])  # (a body counts only the orders it sees: 省科技厅 not the capital one)
    url = reverse("dashboards:match_quality_section")
    client.get(url)  # the first request refreshes the session
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert 'data-quality-row="innovation:' in page
    assert "50.0% (1)" in page and "33.3% (1)" in page
    assert "14–15%" in page and "95%" in page
    assert client.get(reverse("dashboards:province")).content.decode().count("match-quality-hook") == 1


def test_section_is_not_there_below_the_province(personas, login):
    assert (
        login(personas["county_jinjiang"]).get(reverse("dashboards:match_quality_section")).status_code == 404
    )
