"""The blank filter bar of the order lists is rendered once per language and version of the region options: a
saved or deleted county shows on the next page, each language gets its own, and the bar is what the filterset
renders (with a page number, and without one)."""

import pytest
from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string

from matchmaking.filtersets import page_filterset
from matchmaking.models import Order


def filter_bar(html: str) -> str:
    start = html.index('<form method="get"')
    return html[start : html.index("</form>", start) + len("</form>")]


def rendered(data) -> str:
    """The filter bar as the filterset renders it, uncached."""
    return filter_bar(
        render_to_string("matchmaking/_filters.html", {"filter": page_filterset(data, Order.objects.all())})
    )


@pytest.mark.django_db
def test_blank_bar_follows_region_changes(reference, county_jinjiang, login):
    client = login(county_jinjiang)
    assert "测试新县" not in client.get("/orders/county/").content.decode()
    prefecture = reference.Prefecture.objects.first()
    county = reference.County.objects.create(name="测试新县", prefecture=prefecture, position=999)
    page = client.get("/orders/county/").content.decode()
    assert f'<option value="{county.pk}">测试新县</option>' in filter_bar(page)
    county.name = "测试改名县"
    county.save()
    page = client.get("/orders/county/?page=1").content.decode()
    assert "测试新县" not in page and f'<option value="{county.pk}">测试改名县</option>' in filter_bar(page)
    county.delete()
    assert "测试改名县" not in client.get("/orders/county/").content.decode()


@pytest.mark.django_db
def test_blank_bar_is_the_filtersets_in_each_language(reference, county_jinjiang, login):
    client = login(county_jinjiang)
    for _ in range(2):  # rendered, then from the cache
        assert filter_bar(client.get("/orders/county/").content.decode()) == rendered(None)
        assert filter_bar(client.get("/orders/county/?page=1").content.decode()) == rendered(
            QueryDict("page=1")
        )
    assert '<option value="" selected>全部类型</option>' in rendered(None)  # Django's select differs here
    assert '<option value="">全部类型</option>' in rendered(QueryDict("page=1"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = filter_bar(client.get("/orders/county/").content.decode())
    assert "All types" in english and "全部类型" not in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "全部类型" in filter_bar(client.get("/orders/county/").content.decode())


@pytest.mark.django_db
def test_filtered_bar_shows_the_values(reference, county_jinjiang, login):
    client = login(county_jinjiang)
    page = client.get("/orders/county/?kind=capital&q=面料").content.decode()
    assert '<option value="capital" selected>' in page and 'value="面料"' in page
    assert filter_bar(client.get("/orders/county/").content.decode()) == rendered(None)
