"""Order pages: every role's lists (query counts pinned), forms, actions and the loop through the views."""

import datetime

import pytest
from django.urls import reverse

from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Order

pytestmark = pytest.mark.django_db


LISTS = [
    ("orders:county", "county_jinjiang"),
    ("orders:queue", "body_kjt"),
    ("orders:taken", "body_kjt"),
    ("orders:city", "city_quanzhou"),
    ("orders:open", "inst_dhu"),
    ("orders:matched", "inst_dhu"),
    ("orders:responses", "inst_dhu"),
    ("orders:moderation", "admin"),
    ("orders:list", "admin"),
    ("orders:inbox", "county_jinjiang"),
]


@pytest.fixture
def some_orders(make_order, drive):
    """A few orders in different states and kinds."""
    drive(make_order(), OrderState.RESOLVED)
    drive(make_order(kind=OrderKind.CAPITAL), OrderState.PUBLISHED)
    drive(make_order(kind=OrderKind.TALENT), OrderState.CLAIMED)
    drive(make_order(kind=OrderKind.INDUSTRY), OrderState.SUBMITTED)
    make_order()


@pytest.mark.parametrize(("name", "username"), LISTS)
def test_list_pages_render(name, username, some_orders, personas, login):
    """Each role's list renders for that role."""
    client = login(personas[username])
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "四链对接平台" in response.content.decode()


QUERY_COUNTS = {
    "orders:county": 12,
    "orders:queue": 11,
    "orders:taken": 12,
    "orders:city": 12,
    "orders:open": 12,
    "orders:matched": 11,  # both lists counted in one query, a page each, both pages' own matches; resource labels
    "orders:responses": 9,
    "orders:moderation": 12,
    "orders:list": 12,
    "orders:inbox": 9,
}


@pytest.mark.parametrize(("name", "username"), LISTS)
def test_list_query_counts_are_pinned(
    name, username, some_orders, personas, login, make_order, drive, django_assert_num_queries
):
    """Query counts do not grow with the number of rows (filters, pagination, related rows in one query)."""
    from matchmaking.models import Match

    client = login(personas[username])
    for _ in range(3):
        order = drive(make_order(), OrderState.CLAIMED)
        Match.objects.create(
            order=order,
            resource_type="institution",
            resource_id=1,
            resource_name="东华大学",
            provider_org=personas["inst_dhu"].organization,
            rank=1,
            score=0.8,
            reasons=["学科方向相符"],
        )
    with django_assert_num_queries(QUERY_COUNTS[name]):
        assert client.get(reverse(name)).status_code == 200


def test_filters_and_search(some_orders, personas, login):
    """Kind, state, prefecture and text search narrow the list; amount filters in 万元."""
    client = login(personas["admin"])
    html = client.get(reverse("orders:list"), {"kind": "capital"}).content.decode()
    assert html.count('data-testid="order-row"') == 1
    html = client.get(reverse("orders:list"), {"state": "draft"}).content.decode()
    assert html.count('data-testid="order-row"') == 1
    html = client.get(reverse("orders:list"), {"q": "功能性面料"}).content.decode()
    assert html.count('data-testid="order-row"') == 5
    html = client.get(
        reverse("orders:list"), {"amount_min_wan": "400", "amount_max_wan": "600"}
    ).content.decode()
    assert html.count('data-testid="order-row"') == 1
    html = client.get(reverse("orders:list"), {"amount_min_wan": "600"}).content.decode()
    assert html.count('data-testid="order-row"') == 0


def test_role_pages_are_404_for_other_roles(personas, login):
    """A body has no county page, a county no queue, a provider no moderation page."""
    assert login(personas["body_kjt"]).get(reverse("orders:county")).status_code == 404
    assert login(personas["county_jinjiang"]).get(reverse("orders:queue")).status_code == 404
    assert login(personas["inst_dhu"]).get(reverse("orders:moderation")).status_code == 404


def test_create_order_through_the_form(personas, login, reference):
    """The kind decides required fields; the county comes from the organization; save + submit."""
    user = personas["county_jinjiang"]
    client = login(user)
    page = client.get(reverse("orders:create"))
    assert page.status_code == 200
    chain = reference.CountyChain.objects.filter(county__name="晋江市").first()
    other = reference.CountyChain.objects.filter(county__name="罗源县").first()
    data = {
        "kind": "capital",
        "chain": chain.pk,
        "title": "纺织企业技改设备融资需求",
        "description": "辖区规上纺织企业计划更新智能织造设备，需要中长期技改贷款支持，希望银行给出方案。",
        "keywords": "技改；设备更新",
        "due_date": str(datetime.date.today() + datetime.timedelta(days=365)),
        "contact_name": "陈主任",
        "contact_phone": "13905950000",
        "visibility": "open",
    }
    # 提交审核 checks completeness (the kind's own fields); 保存草稿 would keep it incomplete (test_drafts.py).
    response = client.post(reverse("orders:create"), {**data, "submit": "1"})
    assert response.status_code == 200
    assert "须填写" in response.content.decode()
    response = client.post(
        reverse("orders:create"), {**data, "chain": other.pk, "amount_yuan": 1, "financing_type": "loan"}
    )
    assert response.status_code == 200 and not Order.objects.exists()
    response = client.post(
        reverse("orders:create"),
        {**data, "amount_yuan": 8_000_000, "financing_type": "loan", "tech_field": "ignored", "submit": "1"},
    )
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert (order.county.name, order.state, order.tech_field) == ("晋江市", OrderState.SUBMITTED, "")


def test_full_loop_through_the_pages(personas, login, make_order):
    """place → publish → claim → respond → accept → resolve, each through its page."""
    from django.test import Client

    def as_(username):
        c = Client()
        c.force_login(personas[username], backend="django.contrib.auth.backends.ModelBackend")
        return c

    order = make_order()
    detail = reverse("orders:detail", args=[order.pk])
    assert as_("county_jinjiang").post(reverse("orders:submit", args=[order.pk])).status_code == 302
    r = as_("admin").post(reverse("orders:moderate", args=[order.pk]), {"decision": "approve"})
    assert r.status_code == 302
    kjt = as_("body_kjt")
    assert 'data-testid="claim"' in kjt.get(detail).content.decode()
    kjt.post(reverse("orders:claim", args=[order.pk]), {"handler": personas["body_kjt"].pk})
    dhu = as_("inst_dhu")
    assert "政府部门及响应被接受的资源方可见" in dhu.get(detail).content.decode()
    r = dhu.post(
        reverse("orders:respond", args=[order.pk]), {"proposal": "我校纺织学院组建专班，三个月内完成中试。"}
    )
    assert r.status_code == 302
    response_pk = order.responses.get().pk
    as_("county_jinjiang").post(reverse("orders:accept", args=[response_pk]))
    assert order.contact_phone in dhu.get(detail).content.decode()
    r = kjt.post(
        reverse("orders:resolve", args=[order.pk]),
        {
            "outcome_type": "agreement",
            "partner": "东华大学",
            "date": "2020-01-01",
            "summary": "签订产学研合作协议",
        },
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RESOLVED
    html = as_("city_quanzhou").get(detail).content.decode()
    assert "签订产学研合作协议" in html and order.contact_phone in html  # the city is a government viewer


def test_outsiders_get_404(make_order, drive, personas, login):
    """罗源 and 兴业银行 cannot see a 晋江 draft; providers never see submitted orders; restricted needs invitation."""
    draft = make_order()
    submitted = drive(make_order(), OrderState.SUBMITTED)
    restricted = drive(make_order(visibility="restricted"), OrderState.PUBLISHED)
    for username, order, status in [
        ("county_luoyuan", draft, 404),
        ("city_quanzhou", draft, 404),
        ("city_quanzhou", submitted, 200),
        ("bank_cib", submitted, 404),
        ("body_kjt", submitted, 404),
        ("bank_cib", restricted, 404),
        ("body_kjt", restricted, 200),
        ("body_jrb", restricted, 404),
        ("admin", draft, 200),
    ]:
        got = login(personas[username]).get(reverse("orders:detail", args=[order.pk])).status_code
        assert got == status, (username, order.state, got)


def test_actions_outside_role_are_404(make_order, drive, personas, login):
    """Posting an action one may not take is a 404 and changes nothing."""
    order = drive(make_order(), OrderState.PUBLISHED)
    assert login(personas["body_jrb"]).post(reverse("orders:claim", args=[order.pk])).status_code == 404
    assert login(personas["inst_dhu"]).post(reverse("orders:claim", args=[order.pk])).status_code == 404
    r = login(personas["county_jinjiang"]).post(
        reverse("orders:moderate", args=[order.pk]), {"decision": "approve"}
    )
    assert r.status_code == 404
    assert (
        login(personas["inst_dhu"])
        .post(reverse("orders:comment", args=[order.pk]), {"note": "x"})
        .status_code
        == 404
    )
    order.refresh_from_db()
    assert order.state == OrderState.PUBLISHED


def test_attachments_only_for_those_who_see_the_order(make_order, drive, personas, login, settings, tmp_path):
    """Downloads are attachments with nosniff; outsiders get 404."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from matchmaking import services

    settings.MEDIA_ROOT = tmp_path
    order = make_order(visibility="restricted")
    (attachment,) = services.add_attachments(
        order, by=personas["county_jinjiang"], files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test")]
    )
    url = reverse("orders:attachment", args=[attachment.pk])
    response = login(personas["county_jinjiang"]).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    drive(order, OrderState.PUBLISHED)
    for username in ("county_luoyuan", "bank_cib", "body_jrb"):
        assert login(personas[username]).get(url).status_code == 404
    assert login(personas["body_kjt"]).get(url).status_code == 200


def test_response_attachments_stay_with_the_response(make_order, drive, personas, settings, tmp_path):
    """Another provider cannot download a competitor's response files."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from matchmaking import services
    from matchmaking.models import Attachment

    settings.MEDIA_ROOT = tmp_path
    order = drive(make_order(), OrderState.CLAIMED)
    services.respond(
        order,
        by=personas["inst_dhu"],
        proposal="我校可组建团队联合攻关，附方案。",
        files=[SimpleUploadedFile("报价.pdf", b"%PDF-1.4 price")],
    )
    attachment = Attachment.objects.get(response__isnull=False)
    assert Attachment.objects.visible_to(personas["inst_dhu"]).filter(pk=attachment.pk).exists()
    assert not Attachment.objects.visible_to(personas["firm_demo"]).filter(pk=attachment.pk).exists()
    assert Attachment.objects.visible_to(personas["county_jinjiang"]).filter(pk=attachment.pk).exists()


def test_inbox_unread_count_and_open(make_order, drive, personas, login):
    """The header shows the unread count; opening a message marks it read and goes to the order."""
    order = drive(make_order(), OrderState.PUBLISHED)
    client = login(personas["county_jinjiang"])
    html = client.get(reverse("orders:county")).content.decode()
    assert 'data-testid="unread-count"' in html
    note = personas["county_jinjiang"].notifications.first()
    response = client.post(reverse("orders:notification_open", args=[note.pk]))
    assert response["Location"] == order.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_preferences_and_subscription_pages(personas, login, reference):
    """Users switch e-mail off or to a digest; providers follow kinds and prefectures."""
    from matchmaking.models import NotificationPreference, Subscription

    client = login(personas["bank_cib"])
    client.post(reverse("orders:preferences"), {"daily_digest": "on"})
    pref = NotificationPreference.objects.get(user=personas["bank_cib"])
    assert (pref.email_enabled, pref.daily_digest) == (False, True)
    fuzhou = reference.Prefecture.objects.get(name="福州市")
    client.post(reverse("orders:subscription"), {"kinds": ["capital"], "prefectures": [fuzhou.pk]})
    sub = Subscription.objects.get(user=personas["bank_cib"])
    assert sub.kinds == ["capital"] and list(sub.prefectures.all()) == [fuzhou]
    assert login(personas["county_jinjiang"]).get(reverse("orders:subscription")).status_code == 404


def test_matches_render_with_invite_button_for_the_taking_body(make_order, drive, personas, login):
    """The taking body sees ranked matches with reasons and can invite a matched provider in one click."""
    from matchmaking.models import Invitation, Match

    order = drive(make_order(), OrderState.CLAIMED)
    Match.objects.create(
        order=order,
        resource_type="institution",
        resource_id=1,
        resource_name="东华大学",
        provider_org=personas["inst_dhu"].organization,
        rank=1,
        score=0.83,
        reasons=["纺织材料学科优势", "曾服务晋江纺织企业"],
    )
    client = login(personas["body_kjt"])
    html = client.get(order.get_absolute_url()).content.decode()
    assert "纺织材料学科优势" in html and "83%" in html and "邀请响应" in html
    client.post(
        reverse("orders:invite", args=[order.pk]), {"provider_org": personas["inst_dhu"].organization_id}
    )
    assert Invitation.objects.filter(order=order, provider_org=personas["inst_dhu"].organization).exists()
    matched = login(personas["inst_dhu"]).get(reverse("orders:matched")).content.decode()
    assert order.title in matched
