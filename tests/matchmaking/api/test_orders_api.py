"""Orders API per endpoint and persona: anonymous (401), no scope (404/empty), outside scope (404), visible
but not this role's action (403), in scope (200/201); 400 for bad input, 409 for illegal transitions."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from matchmaking import services
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Match, Order, OrderEvent
from tests.matchmaking.api.conftest import payload

ERROR_KEYS = {"detail", "code", "fields"}


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
def published(make_order, drive):
    return drive(make_order(), OrderState.PUBLISHED)


# --- anonymous and no scope ------------------------------------------------------------------------


ORDER_URLS = [
    ("get", "order-list", False),
    ("post", "order-list", False),
    ("get", "order-detail", True),
    ("patch", "order-detail", True),
    *[("post", f"order-{a}", True) for a in ("submit", "approve", "return", "reject", "claim", "withdraw")],
    *[("post", f"order-{a}", True) for a in ("resolve", "close")],
    ("get", "order-events", True),
    ("get", "order-matches", True),
    ("get", "order-responses", True),
    ("post", "order-responses", True),
    ("get", "notification-list", False),
    ("post", "notification-read-all", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "detail"), ORDER_URLS)
def test_anonymous_is_401_everywhere(method, name, detail, make_order):
    order = make_order()
    target = url(name, order.pk) if detail else url(name)
    response = getattr(APIClient(), method)(target, {}, format="json")
    assert_error(response, 401, "not_authenticated")


@pytest.mark.django_db
def test_no_scope_user_sees_nothing_and_may_not_create(api, no_scope_user, published, county_jinjiang):
    client = api(no_scope_user)
    assert client.get(url("order-list")).json()["count"] == 0
    assert_error(client.get(url("order-detail", published.pk)), 404, "not_found")
    assert_error(client.post(url("order-claim", published.pk), {}, format="json"), 404)
    assert_error(
        client.post(url("order-list"), payload(county_jinjiang), format="json"), 403, "permission_denied"
    )
    assert client.get(url("notification-list")).json()["count"] == 0


# --- list, filters, ordering -----------------------------------------------------------------------


@pytest.mark.django_db
def test_list_is_scoped_per_role(
    api, make_order, drive, county_jinjiang, county_luoyuan, city_quanzhou, body_kjt, body_jrb, inst_dhu
):
    draft = make_order()
    published = drive(make_order(title="已发布的创新需求"), OrderState.PUBLISHED)
    capital = drive(make_order(kind=OrderKind.CAPITAL, title="已发布的资金需求"), OrderState.PUBLISHED)
    luoyuan = make_order(by=county_luoyuan, title="罗源县的需求草稿")

    def ids(user):
        return {o["id"] for o in api(user).get(url("order-list")).json()["results"]}

    assert ids(county_jinjiang) == {draft.pk, published.pk, capital.pk}
    assert ids(county_luoyuan) == {luoyuan.pk}
    assert ids(city_quanzhou) == {published.pk, capital.pk}  # no drafts
    assert ids(body_kjt) == {published.pk}  # 科技厅 takes innovation, not capital
    assert ids(body_jrb) == {capital.pk}
    assert ids(inst_dhu) == {published.pk, capital.pk}  # open and respondable


@pytest.mark.django_db
def test_list_filters_search_and_ordering(api, make_order, drive, county_jinjiang, platform_admin):
    innovation = make_order(title="功能性面料攻关需求")
    capital = drive(
        make_order(kind=OrderKind.CAPITAL, title="技改贷款需求", amount_yuan=8_000_000), OrderState.SUBMITTED
    )
    talent = make_order(kind=OrderKind.TALENT, title="纺织工程人才需求", keywords="纺织 工程师")
    client = api(platform_admin)

    def ids(**params):
        response = client.get(url("order-list"), params)
        assert response.status_code == 200, response.content
        return [o["id"] for o in response.json()["results"]]

    assert ids(kind="capital") == [capital.pk]
    assert set(ids(kind=["capital", "talent"])) == {capital.pk, talent.pk}
    assert ids(state="submitted") == [capital.pk]
    county = county_jinjiang.organization.county
    assert set(ids(county=county.pk)) == {innovation.pk, capital.pk, talent.pk}
    assert set(ids(prefecture=county.prefecture_id)) == {innovation.pk, capital.pk, talent.pk}
    assert ids(prefecture=county.prefecture_id + 1) == []
    assert set(ids(chain_type=innovation.chain.chain_type.code)) == {innovation.pk, capital.pk, talent.pk}
    assert ids(chain_type="no-such-type") == []
    assert ids(amount_min=5_000_000, amount_max=9_000_000) == [capital.pk]
    assert ids(amount_min=9_000_001) == []
    today = datetime.date.today()
    assert len(ids(created_after=(today - datetime.timedelta(days=2)).isoformat())) == 3
    assert ids(created_before=(today - datetime.timedelta(days=2)).isoformat()) == []
    assert ids(search="技改") == [capital.pk]
    assert ids(search="工程师") == [talent.pk]
    assert ids(search="晋江") != []
    assert_error(client.get(url("order-list"), {"search": "\x00技改"}), 400)  # never reaches PostgreSQL
    assert ids(ordering="id") == sorted([innovation.pk, capital.pk, talent.pk])
    assert ids(ordering="-id") == sorted([innovation.pk, capital.pk, talent.pk], reverse=True)
    assert_error(client.get(url("order-list"), {"page": 99}), 404, "not_found")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nonsense"},
        {"state": "bogus"},
        {"county": "abc"},
        {"amount_min": "-1"},
        {"created_after": "x"},
    ],
)
def test_bad_filter_is_400(api, county_jinjiang, params):
    body = assert_error(api(county_jinjiang).get(url("order-list"), params), 400, "invalid")
    assert set(params) <= set(body["fields"])


@pytest.mark.django_db
def test_list_query_count_does_not_grow(
    api, make_order, drive, city_quanzhou, django_assert_max_num_queries, platform_admin
):
    for i in range(12):
        order = drive(make_order(title=f"第{i}号批量测试需求"), OrderState.SUBMITTED)
        if i % 2:
            services.approve_order(order, by=platform_admin)
    client = api(city_quanzhou)
    with django_assert_max_num_queries(6):
        response = client.get(url("order-list"), {"page_size": 50})
    assert response.json()["count"] == 12


# --- create and edit -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_county_creates_a_draft_county_and_state_not_writable(api, county_jinjiang, county_luoyuan):
    other_county = county_luoyuan.organization.county_id
    data = payload(county_jinjiang, county=other_county, state="published", keywords="面料 抗菌;凉感，功能")
    response = api(county_jinjiang).post(url("order-list"), data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["county"] == county_jinjiang.organization.county_id != other_county
    assert body["keyword_list"] == ["面料", "抗菌", "凉感", "功能"]
    assert body["contact_phone"] == "13905950000"
    assert body["actions"] == ["submit", "withdraw"]
    order = Order.objects.get(pk=body["id"])
    assert order.created_by == county_jinjiang
    assert OrderEvent.objects.filter(order=order, kind="created").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "required"),
    [
        (OrderKind.INNOVATION, {"tech_field", "expected_outcome"}),
        (OrderKind.CAPITAL, {"amount_yuan", "financing_type"}),
        (OrderKind.TALENT, {"headcount", "talent_profile"}),
        (OrderKind.INDUSTRY, {"wanted_link", "products"}),
    ],
)
def test_create_each_kind_and_its_required_fields(api, county_jinjiang, kind, required):
    client = api(county_jinjiang)
    response = client.post(url("order-list"), payload(county_jinjiang, kind), format="json")
    assert response.status_code == 201, response.content
    missing = payload(county_jinjiang, kind, **dict.fromkeys(required))
    for name in required:
        missing.pop(name)
    # A draft may lack them (issue 19); submission refuses it, naming each missing field.
    draft = client.post(url("order-list"), missing, format="json")
    assert draft.status_code == 201, draft.content
    body = assert_error(client.post(url("order-submit", draft.json()["id"]), format="json"), 400, "invalid")
    assert required <= set(body["fields"])


@pytest.mark.django_db
def test_create_rejects_foreign_chain_bad_link_and_bad_values(
    api, county_jinjiang, county_luoyuan, reference
):
    client = api(county_jinjiang)
    foreign = reference.CountyChain.objects.filter(county_id=county_luoyuan.organization.county_id).first()
    body = assert_error(
        client.post(url("order-list"), payload(county_jinjiang, chain=foreign.pk, link=None), format="json"),
        400,
    )
    assert "chain" in body["fields"]
    own = reference.CountyChain.objects.get(pk=payload(county_jinjiang)["chain"])
    other_link = reference.ChainLink.objects.exclude(chain_type_id=own.chain_type_id).first()
    body = assert_error(
        client.post(url("order-list"), payload(county_jinjiang, link=other_link.pk), format="json"), 400
    )
    assert "link" in body["fields"]
    for bad in (
        {"kind": "weapons"},
        {"title": "换行\r\n标题：功能面料"},
        {"contact_name": "陈\x00主任"},
        {"contact_phone": "abc"},
        {"chain": 10**20},
        {"due_date": "2026-13-01"},
        {"due_date": "9999-12-31"},
        {"due_date": (datetime.date.today() - datetime.timedelta(days=1)).isoformat()},
        {"link": "x"},
    ):
        body = assert_error(
            client.post(url("order-list"), {**payload(county_jinjiang), **bad}, format="json"), 400
        )
        assert set(bad) <= set(body["fields"]), bad
    body = assert_error(client.post(url("order-list"), {}, format="json"), 400, "invalid")
    # What a draft needs: the kind, the chain and a title (the rest is checked on submission).
    assert {"kind", "chain", "title"} == set(body["fields"])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["city_quanzhou", "body_kjt", "inst_dhu", "admin"])
def test_only_counties_create(api, personas, county_jinjiang, persona):
    response = api(personas[persona]).post(url("order-list"), payload(county_jinjiang), format="json")
    assert_error(response, 403, "permission_denied")


@pytest.mark.django_db
def test_order_creation_is_throttled(api, county_jinjiang, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "order_create": "2/min",
        },
    }
    cache.clear()
    client = api(county_jinjiang)
    try:
        for _ in range(2):
            assert client.post(url("order-list"), payload(county_jinjiang), format="json").status_code == 201
        body = assert_error(
            client.post(url("order-list"), payload(county_jinjiang), format="json"), 429, "throttled"
        )
        assert "秒后再试" in body["detail"]
        assert client.get(url("order-list")).status_code == 200  # only creation is throttled
    finally:
        cache.clear()


@pytest.mark.django_db
def test_patch_only_by_its_county_while_draft_or_returned(
    api, make_order, drive, county_jinjiang, county_luoyuan, body_kjt, city_quanzhou, platform_admin
):
    order = make_order()
    client = api(county_jinjiang)
    response = client.patch(
        url("order-detail", order.pk), {"title": "改过的标题：功能面料", "state": "published"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "改过的标题：功能面料" and response.json()["state"] == "draft"
    assert OrderEvent.objects.filter(order=order, kind="edited").exists()
    assert_error(
        client.patch(url("order-detail", order.pk), {"title": "x\ny"}, format="json"), 400, "invalid"
    )
    assert_error(api(county_luoyuan).patch(url("order-detail", order.pk), {}, format="json"), 404)

    drive(order, OrderState.SUBMITTED)
    assert_error(client.patch(url("order-detail", order.pk), {"title": "再改一次标题"}, format="json"), 409)
    assert_error(api(city_quanzhou).patch(url("order-detail", order.pk), {}, format="json"), 403)
    services.return_order(order, by=platform_admin, reason="请补充技术指标")
    assert (
        client.patch(url("order-detail", order.pk), {"keywords": "高强 面料"}, format="json").status_code
        == 200
    )

    published = drive(make_order(), OrderState.PUBLISHED)
    assert_error(api(body_kjt).patch(url("order-detail", published.pk), {}, format="json"), 403)


# --- detail and contact phone ----------------------------------------------------------------------


@pytest.mark.django_db
def test_contact_phone_only_for_those_allowed(
    api, published, county_jinjiang, city_quanzhou, body_kjt, inst_dhu, bank_cib, platform_admin
):
    def detail(user):
        response = api(user).get(url("order-detail", published.pk))
        assert response.status_code == 200
        return response.json()

    # The read policy, as on the web page: government viewers (the county, its city, the routed and the
    # taking bodies) and administrators see the contact; a provider only once its response was accepted.
    for user in (county_jinjiang, platform_admin, city_quanzhou, body_kjt):
        assert detail(user)["contact_phone"] == "13905950000"
        assert detail(user)["contact_name"] == "陈主任"
    assert "contact_phone" not in detail(inst_dhu) and "contact_name" not in detail(inst_dhu)
    listed = api(inst_dhu).get(url("order-list")).json()["results"]
    assert all("contact_phone" not in o and "contact_name" not in o for o in listed)

    services.claim_order(published, by=body_kjt)
    response = services.respond(published, by=inst_dhu, proposal="我校纺织学院可组建团队联合攻关。")
    assert "contact_phone" not in detail(inst_dhu)
    services.accept_proposal(response, by=county_jinjiang)
    assert detail(inst_dhu)["contact_phone"] == "13905950000"
    assert detail(inst_dhu)["contact_name"] == "陈主任"
    assert "contact_phone" not in detail(bank_cib)

    # Lists apply the same rule to each order of the page.
    def listed_phones(user):
        rows = api(user).get(url("order-list")).json()["results"]
        return {row["id"]: row.get("contact_phone") for row in rows}

    for user in (county_jinjiang, platform_admin, body_kjt, inst_dhu, city_quanzhou):
        assert listed_phones(user)[published.pk] == "13905950000"
    assert listed_phones(bank_cib)[published.pk] is None


@pytest.mark.django_db
def test_detail_outside_scope_is_404(api, published, county_luoyuan, body_jrb):
    for user in (county_luoyuan, body_jrb):
        assert_error(api(user).get(url("order-detail", published.pk)), 404, "not_found")
    assert_error(api(county_luoyuan).get(url("order-detail", 10**12)), 404)


# --- state actions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moderation_actions(api, make_order, drive, platform_admin, county_jinjiang, city_quanzhou):
    admin = api(platform_admin)
    draft = make_order()
    assert_error(admin.post(url("order-approve", draft.pk), {}, format="json"), 409, "illegal_transition")
    assert_error(admin.post(url("order-submit", draft.pk), {}, format="json"), 403, "permission_denied")

    order = drive(make_order(), OrderState.SUBMITTED)
    assert_error(api(county_jinjiang).post(url("order-approve", order.pk), {}, format="json"), 403)
    assert_error(api(city_quanzhou).post(url("order-reject", order.pk), {"reason": "x"}, format="json"), 403)
    body = assert_error(admin.post(url("order-return", order.pk), {}, format="json"), 400, "invalid")
    assert "reason" in body["fields"]
    body = assert_error(admin.post(url("order-return", order.pk), {"reason": "   "}, format="json"), 400)
    assert "reason" in body["fields"]
    response = admin.post(url("order-return", order.pk), {"reason": "请补充技术指标"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "returned"
    assert response.json()["state_note"] == "请补充技术指标"

    resubmitted = api(county_jinjiang).post(url("order-submit", order.pk), format="json")
    assert resubmitted.json()["state"] == "submitted"
    response = admin.post(url("order-reject", order.pk), {"reason": "不属于县域重点产业链"}, format="json")
    assert response.json()["state"] == "rejected"
    assert_error(admin.post(url("order-reject", order.pk), {"reason": "再拒"}, format="json"), 409)

    approved = drive(make_order(), OrderState.SUBMITTED)
    response = admin.post(url("order-approve", approved.pk), {"note": "同意发布"}, format="json")
    assert response.json()["state"] == "published"
    assert approved.routes.filter(body__short_name="省科技厅").exists()


@pytest.mark.django_db
def test_withdraw(api, make_order, drive, county_jinjiang, body_kjt, inst_dhu):
    order = drive(make_order(), OrderState.PUBLISHED)
    assert_error(api(inst_dhu).post(url("order-withdraw", order.pk), {}, format="json"), 403)
    assert_error(api(body_kjt).post(url("order-withdraw", order.pk), {}, format="json"), 403)
    response = api(county_jinjiang).post(
        url("order-withdraw", order.pk), {"reason": "已自行解决"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert OrderEvent.objects.filter(order=order, kind="withdrawn", note="已自行解决").exists()
    assert_error(api(county_jinjiang).post(url("order-withdraw", order.pk), {}, format="json"), 409)


@pytest.mark.django_db
def test_claim_with_handler_and_second_claim_is_409(api, published, body_kjt, gxt_user, county_jinjiang):
    from accounts.models import User

    colleague = User.objects.create_user(
        "kjt_colleague", email="kjt2@example.com", password="x", organization=body_kjt.organization
    )
    client = api(body_kjt)
    body = assert_error(
        client.post(url("order-claim", published.pk), {"handler": "nobody"}, format="json"), 400
    )
    assert "handler" in body["fields"]
    body = assert_error(
        client.post(url("order-claim", published.pk), {"handler": "county_jinjiang"}, format="json"), 400
    )
    assert "handler" in body["fields"]
    response = client.post(url("order-claim", published.pk), {"handler": "kjt_colleague"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "claimed"
    assert response.json()["handler_name"] == colleague.display_name
    assert response.json()["claimed_by_body_name"] == "福建省科学技术厅"

    # 省工信厅 was routed too and still sees the order: claiming now is a conflict, not a 404.
    assert_error(
        api(gxt_user).post(url("order-claim", published.pk), {}, format="json"), 409, "illegal_transition"
    )
    assert_error(api(county_jinjiang).post(url("order-claim", published.pk), {}, format="json"), 403)


@pytest.mark.django_db
def test_lost_claim_race_is_409(api, published, body_kjt, gxt_user, monkeypatch):
    """Another body claims between our read and our write: the service reports claim_conflict → 409."""
    original = services.claim_order

    def claim_after_rival(order, *, by, handler=None):
        original(Order.objects.get(pk=order.pk), by=body_kjt)  # the rival wins first
        return original(order, by=by, handler=handler)  # our copy still says "published"

    monkeypatch.setattr(services, "claim_order", claim_after_rival)
    body = assert_error(api(gxt_user).post(url("order-claim", published.pk), {}, format="json"), 409)
    assert body["code"] == "claim_conflict"
    assert Order.objects.get(pk=published.pk).claimed_by_body.short_name == "省科技厅"


@pytest.mark.django_db
def test_resolve_and_close(api, make_order, drive, body_kjt, county_jinjiang, inst_dhu):
    docking = drive(make_order(), OrderState.DOCKING)
    client = api(body_kjt)
    body = assert_error(
        client.post(url("order-resolve", docking.pk), {"outcome_type": "peace"}, format="json"), 400
    )
    assert {"outcome_type", "summary"} <= set(body["fields"])
    assert_error(
        client.post(url("order-resolve", docking.pk), {"outcome_type": "credit", "summary": "x", "amount_yuan": -1},
                    format="json"),
        400,
    )  # fmt: skip
    assert_error(api(county_jinjiang).post(url("order-resolve", docking.pk), {}, format="json"), 403)
    assert_error(api(inst_dhu).post(url("order-resolve", docking.pk), {}, format="json"), 403)
    outcome = {
        "outcome_type": "agreement",
        "amount_yuan": 0,
        "partner": "东华大学",
        "summary": "签订产学研合作协议",
    }
    response = client.post(url("order-resolve", docking.pk), outcome, format="json")
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    docking.refresh_from_db()
    assert docking.outcome.partner == "东华大学" and docking.outcome.amount_yuan == 0
    assert_error(
        client.post(url("order-resolve", docking.pk), outcome, format="json"), 409, "illegal_transition"
    )

    claimed = drive(make_order(), OrderState.CLAIMED)
    assert_error(client.post(url("order-close", claimed.pk), {"reason": ""}, format="json"), 400)
    response = client.post(url("order-close", claimed.pk), {"reason": "企业需求已变化"}, format="json")
    assert response.json()["state"] == "closed"


@pytest.mark.django_db
def test_malformed_bodies_are_400_not_500(api, published, body_kjt, platform_admin):
    client = api(platform_admin)
    for body in ("not json", "[1, 2]", '{"reason": ["a"]}', '{"reason": {"x": 1}}', '{"reason": null}'):
        response = client.post(url("order-return", published.pk), body, content_type="application/json")
        assert response.status_code in (400, 409), (body, response.content)
        assert set(response.json()) == ERROR_KEYS
    response = api(body_kjt).post(
        url("order-claim", published.pk), '{"handler": 5', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


# --- timeline and matches --------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_full_for_officials_redacted_for_providers(
    api, make_order, drive, county_jinjiang, inst_dhu, platform_admin
):
    order = drive(make_order(), OrderState.SUBMITTED)
    services.return_order(order, by=platform_admin, reason="请补充技术指标")
    services.submit_order(order, by=county_jinjiang)
    services.approve_order(order, by=platform_admin)
    services.comment_order(order, by=county_jinjiang, note="内部协调：请科技厅优先对接")
    events = api(county_jinjiang).get(url("order-events", order.pk)).json()
    kinds = [e["kind"] for e in events]
    assert kinds[:3] == ["created", "submitted", "returned"] and "commented" in kinds
    assert any(e["note"] == "请补充技术指标" for e in events)
    assert events[0]["actor_name"] == county_jinjiang.display_name

    seen = api(inst_dhu).get(url("order-events", order.pk)).json()
    assert "commented" not in {e["kind"] for e in seen} and "routed" not in {e["kind"] for e in seen}
    assert all(e["note"] == "" and e["actor_name"] is None for e in seen)


@pytest.mark.django_db
def test_matches_ranked_with_scores_and_reasons(
    api, published, county_jinjiang, body_kjt, inst_dhu, reference
):
    Match.objects.filter(order=published).delete()
    institutions = list(reference.Institution.objects.order_by("pk")[:3])
    for rank, inst in enumerate(institutions, 1):
        Match.objects.create(
            order=published, resource_type="institution", resource_id=inst.pk, resource_name=inst.name,
            rank=rank, score=1 - rank / 10, reasons=[f"理由{rank}", "同一产业链"],
        )  # fmt: skip
    for user in (county_jinjiang, body_kjt):
        matches = api(user).get(url("order-matches", published.pk)).json()
        assert [m["rank"] for m in matches] == [1, 2, 3]
        assert matches[0]["score"] == pytest.approx(0.9) and matches[0]["reasons"] == ["理由1", "同一产业链"]
        assert matches[0]["reason_codes"][0] == {"code": "text", "params": {"text": "理由1"}}
        assert matches[0]["resource_name"] == institutions[0].name
    assert_error(api(inst_dhu).get(url("order-matches", published.pk)), 403, "permission_denied")


# --- responses -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_respond_list_accept_decline(
    api, published, county_jinjiang, city_quanzhou, body_kjt, inst_dhu, bank_cib, firm_demo
):
    responses_url = url("order-responses", published.pk)
    assert_error(
        api(county_jinjiang).post(responses_url, {"proposal": "县里自己来响应一下"}, format="json"), 403
    )
    body = assert_error(api(inst_dhu).post(responses_url, {"proposal": "短"}, format="json"), 400)
    assert "proposal" in body["fields"]
    proposal = {"proposal": "我校纺织学院可组建团队联合攻关。", "amount_yuan": None, "terms": "共享知识产权"}
    created = api(inst_dhu).post(responses_url, proposal, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["provider_org_name"] == "东华大学" and created.json()["state"] == "pending"
    assert_error(api(inst_dhu).post(responses_url, proposal, format="json"), 409, "duplicate")  # one per org
    loan = api(bank_cib).post(
        responses_url,
        {
            "proposal": "可提供科技贷，额度五百万元。",
            "amount_yuan": 5_000_000,
            "rate_percent": "3.45",
            "term_months": 36,
        },
        format="json",
    )
    assert loan.status_code == 201, loan.content

    def listed(user):
        return {r["id"] for r in api(user).get(responses_url).json()["results"]}

    both = {created.json()["id"], loan.json()["id"]}
    assert listed(county_jinjiang) == listed(city_quanzhou) == listed(body_kjt) == both
    assert listed(inst_dhu) == {created.json()["id"]}
    assert listed(firm_demo) == set()
    assert_error(api(bank_cib).get(url("response-detail", created.json()["id"])), 404)

    accept_url = url("response-accept", created.json()["id"])
    assert_error(api(county_jinjiang).post(accept_url, {}, format="json"), 409)  # not claimed yet
    services.claim_order(published, by=body_kjt)
    assert_error(api(inst_dhu).post(accept_url, {}, format="json"), 403, "permission_denied")
    assert_error(api(bank_cib).post(accept_url, {}, format="json"), 404)
    accepted = api(county_jinjiang).post(accept_url, {"note": "请尽快对接"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    published.refresh_from_db()
    assert published.state == OrderState.DOCKING
    assert_error(api(county_jinjiang).post(accept_url, {}, format="json"), 409)

    decline_url = url("response-decline", loan.json()["id"])
    body = assert_error(
        api(county_jinjiang).post(decline_url, {"reason_category": "meh"}, format="json"), 400
    )
    assert "reason_category" in body["fields"]
    declined = api(county_jinjiang).post(
        decline_url, {"reason_category": "terms", "note": "利率偏高"}, format="json"
    )
    assert declined.json()["state"] == "declined" and declined.json()["reason_category"] == "terms"
    assert api(bank_cib).get(url("response-detail", loan.json()["id"])).json()["decision_note"] == "利率偏高"


@pytest.mark.django_db
def test_cannot_respond_to_unpublished_or_hidden_orders(api, make_order, drive, inst_dhu, county_jinjiang):
    submitted = drive(make_order(), OrderState.SUBMITTED)
    assert_error(
        api(inst_dhu).post(
            url("order-responses", submitted.pk), {"proposal": "提前响应一下试试看"}, format="json"
        ),
        404,
    )
    resolved = drive(make_order(), OrderState.RESOLVED)
    # inst_dhu responded during `drive`, so it still sees the resolved order but may no longer respond.
    response = api(inst_dhu).post(
        url("order-responses", resolved.pk), {"proposal": "再响应一次看看"}, format="json"
    )
    assert response.status_code in (400, 409)


@pytest.mark.django_db
def test_responses_list_query_count(
    api, published, county_jinjiang, django_assert_max_num_queries, reference
):
    from accounts.choices import OrgKind
    from accounts.models import Organization, User

    for i in range(8):
        org = Organization.objects.create(name=f"测试资源方{i}", kind=OrgKind.PROVIDER)
        user = User.objects.create_user(
            f"provider_{i}", email=f"p{i}@example.com", password="x", organization=org
        )
        services.respond(published, by=user, proposal=f"第{i}家单位的响应方案，可联合攻关。")
    with django_assert_max_num_queries(6):
        response = api(county_jinjiang).get(url("order-responses", published.pk))
    assert response.json()["count"] == 8


# --- the complete loop with tokens -----------------------------------------------------------------


@pytest.mark.django_db
def test_complete_loop_with_tokens(personas):
    def client(username):
        c = APIClient()
        token = c.post(url("token"), {"username": username, "password": "Demo-Password-2026!"}, format="json")
        assert token.status_code == 200, token.content
        c.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
        return c

    county, admin, body, provider = (client(n) for n in ("county_jinjiang", "admin", "body_kjt", "inst_dhu"))
    created = county.post(url("order-list"), payload(personas["county_jinjiang"]), format="json")
    order_id = created.json()["id"]
    assert county.post(url("order-submit", order_id)).json()["state"] == "submitted"
    assert admin.post(url("order-approve", order_id)).json()["state"] == "published"
    assert body.post(url("order-claim", order_id)).json()["state"] == "claimed"
    response = provider.post(
        url("order-responses", order_id), {"proposal": "我校纺织学院可组建团队联合攻关。"}, format="json"
    )
    assert county.post(url("response-accept", response.json()["id"])).json()["state"] == "accepted"
    resolved = body.post(
        url("order-resolve", order_id),
        {
            "outcome_type": "agreement",
            "amount_yuan": 0,
            "partner": "东华大学",
            "summary": "签订产学研合作协议",
        },
        format="json",
    )
    assert resolved.json()["state"] == "resolved"
    kinds = [e["kind"] for e in county.get(url("order-events", order_id)).json()]
    assert kinds == [
        "created", "submitted", "published", "routed", "claimed", "responded", "accepted", "docking", "resolved",
    ]  # fmt: skip
