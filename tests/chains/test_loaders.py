"""The shipped reference data loads completely and idempotently."""

import shutil

import pytest
from django.core.management import call_command

from chains.loaders import DATA_DIR, load_reference_data
from chains.models import (
    ChainLink,
    ChainType,
    County,
    CountyChain,
    Enterprise,
    FinancialProduct,
    Fund,
    Institution,
    Prefecture,
    ProvincialBody,
    TalentResource,
)

MODELS = [
    Prefecture,
    County,
    ChainType,
    ChainLink,
    CountyChain,
    Institution,
    Enterprise,
    Fund,
    FinancialProduct,
    TalentResource,
    ProvincialBody,
]

EXPECTED = {
    Prefecture: 9,
    County: 83,
    ChainType: 34,
    ChainLink: 123,
    CountyChain: 60,
    Institution: 79,
    Enterprise: 217,
    Fund: 30,
    FinancialProduct: 39,
    TalentResource: 26,
    ProvincialBody: 17,
}


def counts():
    return {model: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_reference_data_is_complete():
    assert counts() == EXPECTED


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    before = counts()
    stamps = list(Enterprise.objects.order_by("pk").values_list("updated_at", flat=True))
    report = load_reference_data()
    assert report.changed == 0
    assert counts() == before
    assert list(Enterprise.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


@pytest.mark.django_db
def test_changed_csv_row_updates_that_row_only(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "institutions.csv"
    text = path.read_text(encoding="utf-8")
    assert "以纺织、材料、设计为特色的高校" in text
    path.write_text(
        text.replace("以纺织、材料、设计为特色的高校", "以纺织和时尚为特色的高校"), encoding="utf-8"
    )

    report = load_reference_data(data)

    assert report.updated == {"institution": 1}
    assert report.created == {}
    assert counts() == EXPECTED
    assert Institution.objects.get(name="东华大学").description.startswith("以纺织和时尚为特色的高校")


@pytest.mark.django_db
def test_rows_keep_their_source_and_links():
    firm = Enterprise.objects.select_related("county", "chain_type", "link").get(name="宁德时代")
    assert (firm.county.name, firm.chain_type.code, firm.link.name) == (
        "蕉城区",
        "lithium-battery",
        "电芯与电池包",
    )
    assert firm.source == "whitepaper" and not firm.is_sample
    assert Enterprise.objects.filter(source="sample").count() == 88
    assert all(e.is_sample for e in Enterprise.objects.filter(source="sample"))
    assert Enterprise.objects.filter(county__isnull=True).count() == 6  # firms outside Fujian


@pytest.mark.django_db
def test_chain_links_are_ordered_upstream_to_downstream():
    links = list(ChainType.objects.get(code="lithium-battery").links.order_by("position"))
    assert links[0].name == "锂矿与基础原料" and links[0].stage == "upstream"
    assert links[-1].name == "电池回收" and links[-1].stage == "downstream"
    assert "碳酸锂" in links[0].keyword_list


@pytest.mark.django_db
def test_region_and_handles():
    jinjiang = County.objects.select_related("prefecture").get(name="晋江市")
    fuding = County.objects.select_related("prefecture").get(name="福鼎市")
    product = FinancialProduct.objects.get(name="质量贷")
    assert product.available_to(jinjiang) and not product.available_to(fuding)
    assert FinancialProduct.objects.get(name="专精特新贷").available_to(fuding)
    kjt = ProvincialBody.objects.get(short_name="省科技厅")
    assert kjt.takes("innovation")
    assert set(ProvincialBody.objects.handling("capital").values_list("short_name", flat=True)) >= {
        "省委金融办"
    }
    assert "省科技厅" not in set(
        ProvincialBody.objects.handling("capital").values_list("short_name", flat=True)
    )


@pytest.mark.django_db
def test_command_prints_counts():
    from io import StringIO

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert "0 行有变化" in out.getvalue()
    assert "county" in out.getvalue()
