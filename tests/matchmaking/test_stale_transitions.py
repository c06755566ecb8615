"""Back after a transition: a stale form sent again, or a transition URL opened with GET, lands on the order page
with a note ("该需求已是…"), never on a 404 or 405 page; 撤回需求 asks for a confirmation first (no JavaScript)."""

import pytest
from django.urls import reverse

from matchmaking import services
from matchmaking.choices import OrderState
from matchmaking.models import Proposal

pytestmark = pytest.mark.django_db
STALE = "该需求已是"


def _lands_on_order(response, order, note=STALE):
    assert response.redirect_chain, "expected a redirect to the order page"
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert response.status_code == 200
    assert note in response.content.decode()


def _twice(client, url, data, order):
    """Send the form once (it works), then again as after Back: the second lands on the order page."""
    first = client.post(url, data)
    assert first.status_code == 302
    _lands_on_order(client.post(url, data, follow=True), order)
    _lands_on_order(client.get(url, follow=True), order)


def test_submit_twice(login, make_order, county_jinjiang):
    order = make_order()
    _twice(login(county_jinjiang), reverse("orders:submit", args=[order.pk]), {}, order)


def test_moderate_twice(login, make_order, drive, platform_admin):
    order = drive(make_order(), OrderState.SUBMITTED)
    data = {"decision": "approve", "reason": "同意发布"}
    _twice(login(platform_admin), reverse("orders:moderate", args=[order.pk]), data, order)


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_or_reject_twice(login, make_order, drive, platform_admin, decision):
    order = drive(make_order(), OrderState.SUBMITTED)
    data = {"decision": decision, "reason": "材料不全"}
    _twice(login(platform_admin), reverse("orders:moderate", args=[order.pk]), data, order)


def test_claim_twice(login, make_order, drive, body_kjt):
    order = drive(make_order(), OrderState.PUBLISHED)
    _twice(login(body_kjt), reverse("orders:claim", args=[order.pk]), {"handler": body_kjt.pk}, order)


def test_withdraw_confirmed_twice(login, make_order, county_jinjiang):
    order = make_order()
    data = {"confirm": "1", "reason": "需求已自行解决"}
    _twice(login(county_jinjiang), reverse("orders:withdraw", args=[order.pk]), data, order)
    order.refresh_from_db()
    assert order.state == OrderState.WITHDRAWN


def test_accept_and_decline_twice(login, make_order, drive, county_jinjiang, inst_dhu, bank_other):
    order = drive(make_order(), OrderState.CLAIMED)
    accepted = services.respond(order, by=inst_dhu, proposal="我校可组建团队联合攻关。")
    declined = services.respond(order, by=bank_other, proposal="可提供科技贷款支持联合攻关与中试。")
    client = login(county_jinjiang)
    _twice(client, reverse("orders:accept", args=[accepted.pk]), {"note": "请尽快对接"}, order)
    data = {"reason_category": "terms", "note": "条件不符"}
    _twice(client, reverse("orders:decline", args=[declined.pk]), data, order)
    assert Proposal.objects.get(pk=declined.pk).state == "declined"


def test_resolve_and_close_after_the_order_ended(login, make_order, drive, body_kjt):
    order = drive(make_order(), OrderState.DOCKING)
    client = login(body_kjt)
    data = {
        "outcome_type": "agreement",
        "summary": "签订产学研合作协议",
        "partner": "东华大学",
        "date": "2026-01-05",
    }
    resolve = reverse("orders:resolve", args=[order.pk])
    assert client.post(resolve, data).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED
    _lands_on_order(client.post(resolve, data, follow=True), order)
    _lands_on_order(client.get(resolve, follow=True), order)
    _lands_on_order(
        client.post(reverse("orders:close", args=[order.pk]), {"reason": "无"}, follow=True), order
    )


def test_respond_after_the_order_was_resolved(login, make_order, drive, body_kjt, bank_other):
    order = drive(make_order(), OrderState.CLAIMED)
    services.invite_provider(order, by=body_kjt, provider_org=bank_other.organization)
    order = drive(order, OrderState.RESOLVED)  # the invited provider still sees it, but may no longer respond
    data = {"proposal": "可提供科技贷款支持联合攻关与中试。"}
    client = login(bank_other)
    _lands_on_order(client.post(reverse("orders:respond", args=[order.pk]), data, follow=True), order)
    _lands_on_order(client.get(reverse("orders:respond", args=[order.pk]), follow=True), order)


def test_get_on_post_only_urls_goes_to_the_order_page(login, make_order, drive, body_kjt):
    order = drive(make_order(), OrderState.CLAIMED)
    client = login(body_kjt)
    for name in ("submit", "claim", "invite", "comment"):
        _lands_on_order(client.get(reverse(f"orders:{name}", args=[order.pk]), follow=True), order)


def test_stale_urls_stay_404_outside_scope(login, make_order, county_luoyuan):
    order = make_order()  # 晋江市's draft: 罗源县 cannot see it
    client = login(county_luoyuan)
    for name in ("submit", "withdraw", "claim", "resolve", "close"):
        assert client.get(reverse(f"orders:{name}", args=[order.pk])).status_code == 404


def test_withdraw_asks_for_confirmation_first(login, make_order, county_jinjiang):
    order = make_order()
    client = login(county_jinjiang)
    url = reverse("orders:withdraw", args=[order.pk])
    page = client.post(url, {"reason": "已自行解决"})  # the order page's button, without JavaScript
    html = page.content.decode()
    assert page.status_code == 200 and "确认撤回需求" in html and 'name="confirm" value="1"' in html
    assert 'value="已自行解决"' in html  # the reason typed on the order page is carried over
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT  # nothing happened yet
    assert client.get(url).status_code == 200  # the same page by link
    detail = client.get(order.get_absolute_url()).content.decode()
    assert f'action="{url}"' in detail and "撤回需求" in detail
    done = client.post(url, {"confirm": "1", "reason": "已自行解决"}, follow=True)
    _lands_on_order(done, order, note="需求已撤回。")
    order.refresh_from_db()
    assert order.state == OrderState.WITHDRAWN


def test_withdraw_confirmation_in_english(login, make_order, county_jinjiang):

    order = make_order(title="Title")
    client = login(county_jinjiang)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("orders:withdraw", args=[order.pk])).content.decode()
    assert "Confirm withdrawing the request" in html
    for chinese in ("确认撤回", "撤回后需求不再对外公开", "取消，返回需求", "撤回原因"):
        assert chinese not in html
