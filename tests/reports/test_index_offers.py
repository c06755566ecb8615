"""A weak 创新能力 on a county's index page and dashboard panel links to the open challenges (揭榜挂帅) of the
county's chains, beside the matching institutions and the prefilled innovation order: devindex offers a hook,
reports/offers.py registers challenges' counts into it (neither domain imports the other)."""

import html as html_lib

import pytest
from django.urls import reverse

from chains.models import County, CountyChain
from tests.challenges.conftest import make_challenge
from tests.devindex.conftest import index_system, small_year  # noqa: F401 (fixtures re-used here)

pytestmark = pytest.mark.django_db


def _block(html: str, marker: str) -> str:
    """The part of the page from a marker to the next list item or card end."""
    rest = html.split(marker, 1)[1]
    return rest.split('<div class="list-group-item"', 1)[0]


@pytest.fixture
def jinjiang_chains(small_year):  # noqa: F811
    """晋江市's two chains the index offers help for (its first two active chains)."""
    county = County.objects.get(name="晋江市")
    return list(CountyChain.objects.active().filter(county=county).select_related("chain_type")[:2])


def test_weak_innovation_links_to_open_challenges(jinjiang_chains, personas, login, county_jinjiang):
    first, second = jinjiang_chains
    assert first.chain_type_id != second.chain_type_id
    make_challenge(personas, chain_type=first.chain_type, chain=first)  # open
    make_challenge(personas, chain_type=first.chain_type, chain=first, title="另一项攻关")  # open
    make_challenge(personas, publish=False, chain_type=second.chain_type, chain=second)  # a draft: not shown
    jinjiang = County.objects.get(name="晋江市")
    html = login(county_jinjiang).get(reverse("devindex:county", args=[jinjiang.pk]), {"year": 2024})
    html = html.content.decode()
    # 晋江市 has no weakness in 2024; its last dimension, 创新能力, is the relative one
    innovation = _block(html, 'data-help="innovation"')
    first_part, second_part = innovation.split(first.name, 1)[1].split(second.name, 1)
    hall = f"{reverse('challenges:index')}?state=open&amp;chain_type={first.chain_type_id}"
    assert f'<a href="{hall}">揭榜挂帅：{first.chain_type.name}揭榜中的榜 2 项</a>' in first_part
    assert f"揭榜挂帅：暂无揭榜中的{second.chain_type.name}榜" in second_part
    assert f"?chain_type={second.chain_type_id}" in second_part and "state=open" not in second_part
    # beside the matching institutions and the prefilled innovation order of each chain
    assert "科研机构" in first_part and 'data-testid="prefilled-order"' in first_part
    assert "kind=innovation" in first_part
    # the hall behind the link lists exactly those challenges
    hall_page = login(county_jinjiang).get(html_lib.unescape(hall)).content.decode()
    assert "功能性面料抗菌凉感关键工艺攻关" in hall_page and "另一项攻关" in hall_page


def test_only_the_weak_innovation_gets_challenges(jinjiang_chains, personas, login, county_luoyuan):
    first = jinjiang_chains[0]
    make_challenge(personas, chain_type=first.chain_type, chain=first)
    luoyuan = County.objects.get(name="罗源县")
    # 罗源县 leads in 创新能力 (a strength): its weak dimensions offer no challenges
    html = login(county_luoyuan).get(reverse("devindex:county", args=[luoyuan.pk]), {"year": 2024})
    html = html.content.decode()
    assert 'data-help="industry_strength"' in html and 'data-offer="challenges"' not in html


def test_the_county_dashboard_panel_links_them_too(jinjiang_chains, personas, login, county_jinjiang):
    first = jinjiang_chains[0]
    make_challenge(personas, chain_type=first.chain_type, chain=first)
    jinjiang = County.objects.get(name="晋江市")
    html = login(county_jinjiang).get(reverse("devindex:panel", args=["county"]), {"id": jinjiang.pk})
    weak = _block(html.content.decode(), 'data-weak="innovation"')
    assert 'data-offer="challenges"' in weak
    assert f"揭榜挂帅：{first.chain_type.name}揭榜中的榜 1 项" in weak
    assert f"state=open&amp;chain_type={first.chain_type_id}" in weak
