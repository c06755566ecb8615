"""The chain registry API contract (issue 14): declarations and their actions, orders on chains awaiting
confirmation, beneficiary firms with 统一社会信用代码 checks, and the white list, all in the one error shape."""

import pytest
from django.urls import reverse

from chains.models import ChainLink, CountyChain, Enterprise, ProvincialBody
from tests.matchmaking.api.conftest import payload

VALID = "91350582MA2Y00010W"
BAD = "91350582MA2Y00010X"


def _declare(api, user, **overrides):
    body = {
        "name": "晋江市运动鞋服产业链",
        "chain_type": "textile-apparel",
        "links": list(
            ChainLink.objects.filter(chain_type__code="textile-apparel")
            .order_by("position")
            .values_list("pk", flat=True)[:2]
        ),
        "chain_leader": "王链长",
        "chain_leader_office": "晋江市副市长",
        "task_force_contact": "市工信局 0595-0000000",
        "leader_firms": [Enterprise.objects.filter(county__name="晋江市").order_by("pk").first().pk],
        "evidence": "运动鞋服产值超千亿元（示例）",
        **overrides,
    }
    return api(user).post(reverse("api:chain-list"), body, format="json")


@pytest.mark.django_db
def test_a_county_declares_and_the_chain_goes_through_city_and_province(
    api, county_jinjiang, city_quanzhou, body_gxt, county_luoyuan
):
    response = _declare(api, county_jinjiang)
    assert response.status_code == 201, response.content
    chain = response.json()
    assert chain["status"] == "declared" and chain["pending"] is True
    assert chain["county_name"] == "晋江市" and chain["chain_type_code"] == "textile-apparel"
    assert chain["chain_leader"] == "王链长" and len(chain["links"]) == 2 and len(chain["leader_firms"]) == 1
    assert [h["kind"] for h in chain["history"]] == ["declared"]
    assert chain["actions"] == []  # the county waits for its city
    url = reverse("api:chain-detail", args=[chain["id"]])
    assert api(county_luoyuan).get(url).status_code == 404  # another county: not found
    listed = api(county_luoyuan).get(reverse("api:chain-list"), {"page_size": 200}).json()
    assert chain["id"] not in {row["id"] for row in listed["results"]}

    response = api(city_quanzhou).post(reverse("api:chain-return", args=[chain["id"]]), {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert "reason" in response.json()["fields"]
    response = api(city_quanzhou).post(reverse("api:chain-review", args=[chain["id"]]), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "reviewed"
    response = api(city_quanzhou).post(reverse("api:chain-review", args=[chain["id"]]), {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "illegal_transition"
    response = api(county_jinjiang).post(reverse("api:chain-confirm", args=[chain["id"]]), {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = api(body_gxt).post(reverse("api:chain-confirm", args=[chain["id"]]), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert response.json()["pending"] is False
    # confirmed: every county sees it now, without the parties' fields
    seen = api(county_luoyuan).get(url).json()
    assert seen["status"] == "confirmed" and "task_force_contact" not in seen and seen["history"] == []


@pytest.mark.django_db
def test_return_and_submit_again(api, county_jinjiang, city_quanzhou):
    chain = _declare(api, county_jinjiang).json()
    response = api(city_quanzhou).post(
        reverse("api:chain-return", args=[chain["id"]]), {"reason": "请补充链主企业"}, format="json"
    )
    assert response.json()["status"] == "returned" and response.json()["status_note"] == "请补充链主企业"
    response = api(county_jinjiang).patch(
        reverse("api:chain-detail", args=[chain["id"]]), {"chain_leader": "李链长"}, format="json"
    )
    assert response.status_code == 200 and response.json()["chain_leader"] == "李链长"
    response = api(county_jinjiang).post(reverse("api:chain-submit", args=[chain["id"]]), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "declared"


@pytest.mark.django_db
def test_declaration_errors_in_the_error_shape(api, county_jinjiang, city_quanzhou):
    response = api(city_quanzhou).post(
        reverse("api:chain-list"), {"name": "x", "chain_type": "tea"}, format="json"
    )
    assert response.status_code == 403
    response = _declare(api, county_jinjiang, name="", chain_type="no-such")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "fields"} and {"name", "chain_type"} <= set(
        response.json()["fields"]
    )
    tea_link = ChainLink.objects.filter(chain_type__code="tea").first().pk
    response = _declare(api, county_jinjiang, links=[tea_link])
    assert response.status_code == 400 and "links" in response.json()["fields"]
    assert _declare(api, county_jinjiang).status_code == 201
    response = _declare(api, county_jinjiang)
    assert response.status_code == 400 and "同名" in response.json()["fields"]["name"][0]


@pytest.mark.django_db
def test_orders_on_declared_returned_and_revoked_chains(api, county_jinjiang, city_quanzhou, platform_admin):
    chain = _declare(api, county_jinjiang).json()
    link = ChainLink.objects.filter(chain_type__code="textile-apparel").order_by("position").first().pk
    response = api(county_jinjiang).post(
        reverse("api:order-list"), payload(county_jinjiang, chain=chain["id"], link=link), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["chain_status"] == "declared" and response.json()["chain_pending"] is True
    api(city_quanzhou).post(
        reverse("api:chain-return", args=[chain["id"]]), {"reason": "材料不全"}, format="json"
    )
    response = api(county_jinjiang).post(
        reverse("api:order-list"), payload(county_jinjiang, chain=chain["id"], link=link), format="json"
    )
    assert response.status_code == 400 and "chain" in response.json()["fields"]
    api(platform_admin).post(
        reverse("api:chain-revoke", args=[chain["id"]]), {"reason": "未入清单"}, format="json"
    )
    assert CountyChain.objects.get(pk=chain["id"]).status == "revoked"


@pytest.mark.django_db
def test_beneficiaries_on_orders(api, county_jinjiang, bank_cib):
    firm = Enterprise.objects.filter(county__name="晋江市").order_by("pk").first()
    body = payload(county_jinjiang, beneficiaries=[{"enterprise": firm.pk}, {"name": "某企业", "uscc": BAD}])
    response = api(county_jinjiang).post(reverse("api:order-list"), body, format="json")
    assert response.status_code == 400
    assert "校验位不正确" in response.json()["fields"]["beneficiaries"][0]
    body["beneficiaries"][1]["uscc"] = VALID
    response = api(county_jinjiang).post(reverse("api:order-list"), body, format="json")
    assert response.status_code == 201
    rows = response.json()["beneficiaries"]
    assert [(r["name"], r["uscc"]) for r in rows] == [(firm.name, firm.uscc or ""), ("某企业", VALID)]


@pytest.mark.django_db
def test_white_list(api, body_jrb, bank_cib, platform_admin, django_assert_max_num_queries):
    chain = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
    firm = Enterprise.objects.filter(chain_type=chain.chain_type).order_by("pk").first()
    entry = {"enterprise": firm.pk, "chain": chain.pk, "year": 2025, "reason": "纳入金融支持重点企业"}
    assert api(bank_cib).post(reverse("api:white-list-list"), entry, format="json").status_code == 403
    response = api(platform_admin).post(reverse("api:white-list-list"), entry, format="json")
    assert response.status_code == 400 and "listed_by" in response.json()["fields"]
    response = api(body_jrb).post(reverse("api:white-list-list"), entry, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["listed_by_name"] == "省委金融办"
    assert response.json()["listed_by"] == ProvincialBody.objects.get(short_name="省委金融办").pk
    again = api(body_jrb).post(reverse("api:white-list-list"), entry, format="json")
    assert again.status_code == 400 and "enterprise" in again.json()["fields"]
    with django_assert_max_num_queries(4):
        listed = api(bank_cib).get(reverse("api:white-list-list"), {"year": 2025}).json()
    assert [(r["enterprise"], r["chain"], r["year"], r["reason"]) for r in listed["results"]] == [
        (firm.pk, chain.pk, 2025, "纳入金融支持重点企业")
    ]
    assert api(None).get(reverse("api:white-list-list")).status_code == 401


@pytest.mark.django_db
def test_orders_and_firms_filtered_by_the_white_list(api, county_jinjiang, body_jrb, platform_admin, login):
    from matchmaking import services
    from tests.matchmaking.conftest import order_data

    chain = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
    firm = (
        Enterprise.objects.filter(chain_type=chain.chain_type, county__name="晋江市").order_by("pk").first()
    )
    Enterprise.objects.filter(pk=firm.pk).update(uscc=VALID)
    served = services.create_order(
        by=county_jinjiang, data=order_data(county_jinjiang), beneficiaries=[{"name": "别名", "uscc": VALID}]
    )
    other = services.create_order(
        by=county_jinjiang, data=order_data(county_jinjiang, title="另一条需求标题")
    )
    api(body_jrb).post(
        reverse("api:white-list-list"),
        {"enterprise": firm.pk, "chain": chain.pk, "year": 2025, "reason": "重点企业"},
        format="json",
    )
    listed = api(platform_admin).get(reverse("api:order-list"), {"white_listed": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [served.pk]
    rest = {
        row["id"]
        for row in api(platform_admin)
        .get(reverse("api:order-list"), {"white_listed": "false"})
        .json()["results"]
    }
    assert other.pk in rest and served.pk not in rest
    page = login(platform_admin).get(reverse("orders:list"), {"white_listed": "true"}).content.decode()
    assert served.title in page and "另一条需求标题" not in page
    firms = api(platform_admin).get(reverse("api:white-list-list"), {"chain": chain.pk}).json()["results"]
    assert [(row["enterprise"], row["uscc"]) for row in firms] == [(firm.pk, VALID)]
