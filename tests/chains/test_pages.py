"""Home page and chain directory: content and pinned query counts."""

import pytest
from django.urls import reverse

from chains.models import ChainType, County, CountyChain, Prefecture


@pytest.mark.django_db
def test_home_page(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # the nine counts in one UNION ALL query
        response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "四链对接平台" in body
    assert 'data-testid="count-counties">83<' in body
    assert 'data-testid="count-prefectures">9<' in body
    assert f'data-testid="count-chains">{CountyChain.objects.active().count()}<' in body


@pytest.mark.django_db
def test_directory_lists_every_prefecture_county_and_chain(client, django_assert_num_queries):
    with django_assert_num_queries(5):
        response = client.get(reverse("chains:directory"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="prefecture"') == 9
    assert body.count('data-testid="county"') == 83
    assert body.count('data-testid="chain"') == 60
    assert "晋江市" in body and "纺织鞋服" in body


@pytest.mark.django_db
def test_directory_query_count_does_not_grow_with_chains(client, django_assert_num_queries):
    county = County.objects.get(name="长汀县")
    for chain_type in ChainType.objects.exclude(county_chains__county=county)[:5]:
        CountyChain.objects.create(
            county=county, chain_type=chain_type, name=f"长汀县{chain_type.name}产业链"
        )
    with django_assert_num_queries(5):
        client.get(reverse("chains:directory"))


@pytest.mark.django_db
def test_prefecture_page(client, django_assert_num_queries):
    quanzhou = Prefecture.objects.get(name="泉州市")
    with django_assert_num_queries(3):
        response = client.get(reverse("chains:prefecture", args=[quanzhou.pk]))
    assert response.status_code == 200
    assert "晋江市纺织鞋服产业链" in response.content.decode()


@pytest.mark.django_db
def test_county_page(client, django_assert_num_queries):
    county = County.objects.get(name="蕉城区")
    with django_assert_num_queries(3):
        response = client.get(reverse("chains:county", args=[county.pk]))
    body = response.content.decode()
    assert "蕉城区锂电新能源产业链" in body or "锂电" in body
    assert "宁德时代" in body


@pytest.mark.django_db
def test_chain_page_shows_links_in_order_with_firms_and_sample_marks(client, django_assert_num_queries):
    chain = CountyChain.objects.get(county__name="蕉城区", chain_type__code="lithium-battery")
    # the chain, its type's links, their firms, the links it focuses on, its chain leader firms, its siblings
    with django_assert_num_queries(6):
        response = client.get(reverse("chains:chain", args=[chain.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="link"') == 11
    assert body.index("锂矿与基础原料") < body.index("电芯与电池包") < body.index("电池回收")
    assert "宁德时代" in body
    assert "示例" in body  # sample firms are marked


@pytest.mark.django_db
def test_chain_type_page(client, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = client.get(reverse("chains:chain_type", args=["textile-apparel"]))
    assert response.status_code == 200
    assert "晋江市" in response.content.decode()


@pytest.mark.django_db
def test_unknown_objects_are_404(client):
    assert client.get(reverse("chains:chain", args=[999999])).status_code == 404
    assert client.get(reverse("chains:chain_type", args=["nope"])).status_code == 404
    assert client.get(reverse("chains:county", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_chinese_by_default_and_english_on_request(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in response.content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_home_counts_are_the_union_query_and_follow_the_data(django_assert_num_queries):
    from django.db.models import Func, Value

    from chains import views
    from chains.choices import ChainStatus

    first, *rest = (
        qs.order_by().values(counted_as=Value(label), n=Func("pk", function="COUNT"))
        for label, qs in views._home_counted().items()
    )
    expected = {row["counted_as"]: row["n"] for row in first.union(*rest, all=True)}
    assert views.home_counts() == expected
    assert expected == {label: qs.count() for label, qs in views._home_counted().items()}
    county = County.objects.get(name="长汀县")
    chain_type = ChainType.objects.exclude(county_chains__county=county).first()
    CountyChain.objects.create(
        county=county, chain_type=chain_type, name="长汀县新产业链", status=ChainStatus.CONFIRMED
    )
    with django_assert_num_queries(1):  # compiled already: only run
        counts = views.home_counts()
    assert counts["chains"] == CountyChain.objects.active().count() == expected["chains"] + 1
    assert counts["counties"] == expected["counties"] and counts["prefectures"] == Prefecture.objects.count()
