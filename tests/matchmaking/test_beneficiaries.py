"""The firms an order serves: catalog firms or firms with a valid 统一社会信用代码, named by the county, the
outcome split per firm by the taking body; orders on declared (待认定), returned and revoked chains."""

import datetime

import pytest

from chains.models import ChainType, CountyChain, Enterprise
from matchmaking import beneficiaries, services
from matchmaking.models import OrderBeneficiary
from matchmaking.workflow import WorkflowError
from tests.matchmaking.conftest import order_data

GOOD = "91350582MA2Y00010W"
BAD_CHECK_DIGIT = "91350582MA2Y00010X"


@pytest.mark.django_db
def test_catalog_firm_and_named_firm(county_jinjiang):
    firm = Enterprise.objects.filter(county__name="晋江市").order_by("pk").first()
    order = services.create_order(
        by=county_jinjiang,
        data=order_data(county_jinjiang),
        beneficiaries=[{"enterprise": firm.pk}, {"name": "晋江某鞋服企业（测试）", "uscc": GOOD.lower()}],
    )
    rows = list(order.beneficiaries.order_by("pk"))
    assert [(r.enterprise_id, r.name, r.uscc) for r in rows] == [
        (firm.pk, firm.name, firm.uscc or ""),
        (None, "晋江某鞋服企业（测试）", GOOD),
    ]
    assert order.events.filter(kind="edited", note__contains="晋江某鞋服企业（测试）").exists()


@pytest.mark.django_db
def test_an_invalid_code_is_refused_and_nothing_is_written(county_jinjiang):
    before = OrderBeneficiary.objects.count()
    orders_before = county_jinjiang.organization.county.orders.count()
    with pytest.raises(WorkflowError) as excinfo:
        services.create_order(
            by=county_jinjiang,
            data=order_data(county_jinjiang),
            beneficiaries=[{"name": "某企业", "uscc": BAD_CHECK_DIGIT}, {"name": "", "uscc": GOOD}],
        )
    message = excinfo.value.errors["beneficiaries"]
    assert "第 1 家企业" in message and "校验位不正确" in message and "应为 W" in message
    assert "第 2 家企业" in message and "名称" in message
    assert OrderBeneficiary.objects.count() == before
    assert county_jinjiang.organization.county.orders.count() == orders_before


@pytest.mark.django_db
def test_a_code_of_a_catalog_firm_links_it_and_duplicates_are_refused(county_jinjiang):
    firm = Enterprise.objects.filter(county__name="晋江市").order_by("pk").first()
    Enterprise.objects.filter(pk=firm.pk).update(uscc=GOOD)
    rows = beneficiaries.parse_beneficiaries([{"name": "别名", "uscc": GOOD}])
    assert rows[0].enterprise_id == firm.pk and rows[0].name == firm.name
    with pytest.raises(WorkflowError) as excinfo:
        beneficiaries.parse_beneficiaries([{"enterprise": firm.pk}, {"name": "别名", "uscc": GOOD}])
    assert "重复" in excinfo.value.errors["beneficiaries"]


@pytest.mark.django_db
def test_outcome_split_per_firm_by_the_taking_body(county_jinjiang, drive, body_kjt, bank_cib):
    order = services.create_order(
        by=county_jinjiang,
        data=order_data(county_jinjiang),
        beneficiaries=[{"name": "甲企业", "uscc": GOOD}, {"name": "乙企业", "uscc": "91350200MA3A000208"}],
    )
    first, second = order.beneficiaries.order_by("pk")
    with pytest.raises(WorkflowError) as excinfo:
        beneficiaries.record_firm_outcomes(order, by=body_kjt, splits=[])
    assert excinfo.value.code == "forbidden"  # not yet claimed by it
    drive(order, "docking")
    order.refresh_from_db()
    with pytest.raises(WorkflowError):
        beneficiaries.record_firm_outcomes(order, by=county_jinjiang, splits=[])
    beneficiaries.record_firm_outcomes(
        order,
        by=body_kjt,
        splits=[
            {"beneficiary": first.pk, "amount_financed_yuan": 3_000_000, "agreement_signed": True},
            {"beneficiary": second.pk, "amount_financed_yuan": None, "agreement_signed": True},
        ],
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.amount_financed_yuan, first.agreement_signed, first.financed) == (3_000_000, True, True)
    assert (second.amount_financed_yuan, second.agreement_signed, second.financed) == (None, True, False)
    assert order.events.filter(note__contains="甲企业 300 万元").exists()


def _declared_chain(county_name="晋江市", status="declared"):
    from chains.models import County

    return CountyChain.objects.create(
        county=County.objects.get(name=county_name),
        chain_type=ChainType.objects.get(code="ai"),
        name=f"{county_name}测试产业链（{status}）",
        status=status,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "accepted"),
    [("declared", True), ("reviewed", True), ("confirmed", True), ("returned", False), ("revoked", False)],
)
def test_orders_accept_a_chain_in_any_status_but_returned_and_revoked(county_jinjiang, status, accepted):
    chain = _declared_chain(status=status)
    link = chain.chain_type.links.order_by("position").first()
    data = order_data(county_jinjiang, chain=chain, link=link)
    if accepted:
        order = services.create_order(by=county_jinjiang, data=data)
        assert order.chain == chain
        assert order.chain.is_pending == (status != "confirmed")
    else:
        with pytest.raises(WorkflowError) as excinfo:
            services.create_order(by=county_jinjiang, data=data)
        assert "chain" in excinfo.value.errors


@pytest.mark.django_db
def test_a_revoked_chains_open_order_stays_open(county_jinjiang, drive, body_gxt, platform_admin):
    from chains import services as chain_services

    chain = _declared_chain()
    link = chain.chain_type.links.order_by("position").first()
    order = services.create_order(
        by=county_jinjiang, data=order_data(county_jinjiang, chain=chain, link=link)
    )
    drive(order, "published")
    chain_services.revoke_chain(chain, by=platform_admin, reason="未列入全省清单")
    order.refresh_from_db()
    assert order.state == "published" and order.chain.is_revoked


@pytest.mark.django_db
def test_the_order_form_takes_catalog_and_named_firms_and_refuses_a_bad_code(county_jinjiang, login):
    from django.urls import reverse

    from matchmaking.models import Order

    client = login(county_jinjiang)
    chain = CountyChain.objects.filter(county__name="晋江市").order_by("pk").first()
    firm = Enterprise.objects.filter(county__name="晋江市").order_by("pk").first()
    data = {
        "kind": "capital",
        "chain": chain.pk,
        "title": "纺织企业技改设备融资需求",
        "description": "辖区规上纺织企业计划更新智能织造设备，需要中长期技改贷款支持，希望银行给出方案。",
        "amount_yuan": 8_000_000,
        "financing_type": "loan",
        "due_date": str(datetime.date.today() + datetime.timedelta(days=365)),
        "contact_name": "陈主任",
        "contact_phone": "13905950000",
        "visibility": "open",
        "beneficiary_firms": [firm.pk],
        "other_beneficiaries": f"晋江某鞋服企业 {BAD_CHECK_DIGIT}",
    }
    response = client.post(reverse("orders:create"), data)
    assert response.status_code == 200 and not Order.objects.filter(created_by=county_jinjiang).exists()
    assert "校验位不正确" in response.content.decode()
    response = client.post(
        reverse("orders:create"), {**data, "other_beneficiaries": f"晋江某鞋服企业 {GOOD}"}
    )
    assert response.status_code == 302
    order = Order.objects.get(created_by=county_jinjiang)
    assert sorted(order.beneficiaries.values_list("name", flat=True)) == sorted([firm.name, "晋江某鞋服企业"])
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'data-testid="beneficiaries"' in page and GOOD in page  # the placing county reads the codes
