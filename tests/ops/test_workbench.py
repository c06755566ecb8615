"""Pages that guide each role: the workbench after login, and the order form and pages fixes."""

import pytest
from django.urls import reverse

from matchmaking import services

pytestmark = pytest.mark.django_db


def _sections(client):
    import re

    page = client.get(reverse("orders:workbench")).content.decode()
    return dict(re.findall(r'<h2 class="h6[^>]*>([^<]+)</h2><span class="badge[^>]*>(\d+)', page)), page


def test_login_lands_on_the_workbench(client, county_jinjiang):
    from tests.conftest import PASSWORD

    response = client.post(reverse("accounts:login"), {"username": "county_jinjiang", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("orders:workbench")


def test_each_role_sees_what_waits_for_it(
    login, make_order, drive, county_jinjiang, platform_admin, body_kjt, body_gxt, inst_dhu, firm_demo
):
    draft = make_order(title="草稿需求甲")
    submitted = make_order(title="待审核需求乙")
    services.submit_order(submitted, by=county_jinjiang)
    published = drive(make_order(title="待接单需求丙"), "published")
    claimed = drive(make_order(title="承办需求丁"), "claimed")
    response = services.respond(claimed, by=firm_demo, proposal="我司可提供中试产线。")

    sections, page = _sections(login(platform_admin))
    assert sections["待审核的需求"] == "1" and "待审核需求乙" in page
    sections, page = _sections(login(county_jinjiang))
    assert sections["待处理的响应"] == "1" and "承办需求丁" in page
    assert sections["草稿"] == "1" and draft.title in page
    sections, page = _sections(login(body_gxt))  # routed innovation orders: 省工信厅 may claim them too
    assert sections["待接单的需求"] == "1" and published.title in page
    sections, page = _sections(login(body_kjt))
    assert sections["本部门承办中的需求"] == "1" and claimed.title in page
    sections, page = _sections(login(firm_demo))
    assert sections["等待县域处理的响应"] == "1"
    assert response.order_id == claimed.pk
    assert "未读消息" in sections


def test_order_form_prefills_contact_and_chain_and_filters_links(login, county_jinjiang):
    from chains.models import CountyChain

    chain = CountyChain.objects.filter(county_id=county_jinjiang.organization.county_id).first()
    page = login(county_jinjiang).get(reverse("orders:create") + f"?chain={chain.pk}").content.decode()
    assert f'value="{county_jinjiang.display_name}"' in page  # contact from the profile
    assert f'<option value="{chain.pk}" selected data-chain-type="{chain.chain_type_id}">' in page
    assert 'data-chain-type="' in page.split('name="link"')[1]  # links carry their type for the script


def test_chain_page_has_an_order_button_for_its_county(login, client, county_jinjiang, county_luoyuan):
    from chains.models import CountyChain

    chain = CountyChain.objects.filter(county_id=county_jinjiang.organization.county_id).first()
    url = reverse("chains:chain", args=[chain.pk])
    button = reverse("orders:create") + f"?chain={chain.pk}"
    assert button in login(county_jinjiang).get(url).content.decode()
    assert button not in login(county_luoyuan).get(url).content.decode()


def test_resolve_form_proposes_the_accepted_partner(login, make_order, drive, body_kjt):
    order = drive(make_order(), "docking")
    page = login(body_kjt).get(reverse("orders:resolve", args=[order.pk])).content.decode()
    assert 'value="东华大学"' in page


def test_a_search_without_hits_says_so(login, make_order, county_jinjiang):
    make_order()
    client = login(county_jinjiang)
    page = client.get(reverse("orders:county"), {"q": "没有这样的需求词"}).content.decode()
    assert "没有符合条件的需求" in page
    assert "还没有需求" not in page


def test_signup_starts_at_the_organization_and_lists_no_placeholders(client):
    page = client.get(reverse("accounts:signup")).content.decode()
    assert "各商业银行" not in page
    assert page.index("autofocus") < page.index('name="username"')
