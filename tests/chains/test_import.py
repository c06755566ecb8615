"""Spreadsheet import of chains and catalog rows: all-or-nothing, bad rows named with line and reason."""

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from chains.models import ChainType, County, CountyChain, Enterprise, FinancialProduct, Fund, Institution
from chains.services import import_catalog_file


def write_xlsx(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


CHAIN_HEADER = ["county", "chain_type", "chain_name", "evidence"]


@pytest.mark.django_db
def test_xlsx_with_one_bad_row_imports_nothing_and_names_the_row(tmp_path):
    path = write_xlsx(
        tmp_path / "chains.xlsx",
        CHAIN_HEADER,
        [
            ["罗源县", "ceramics", "罗源县陶瓷产业链（测试）", "官方清单"],
            ["不存在县", "textile-apparel", "不存在县纺织鞋服产业链", "官方清单"],
            ["长汀县", "textile-apparel", "长汀县纺织产业链", "官方清单"],
        ],
    )
    before = CountyChain.objects.count()

    outcome = import_catalog_file("chains", path)

    assert not outcome.ok and not outcome.applied
    assert [p.line for p in outcome.problems] == [3]
    assert "未知的县域" in outcome.problems[0].reason and "不存在县" in outcome.problems[0].reason
    assert CountyChain.objects.count() == before
    assert not CountyChain.objects.filter(name="罗源县陶瓷产业链（测试）").exists()


@pytest.mark.django_db
def test_xlsx_good_file_imports_and_reimport_is_idempotent(tmp_path):
    path = write_xlsx(
        tmp_path / "chains.xlsx",
        CHAIN_HEADER,
        [
            ["长汀县", "textile-apparel", "长汀县纺织产业链", "官方清单"],
            ["罗源县", "ceramics", "罗源县陶瓷产业链（测试）", ""],
            [None, None, None, None],  # trailing blank row as spreadsheets often have
        ],
    )
    outcome = import_catalog_file("chains", path)
    assert outcome.ok and (outcome.new, outcome.updated) == (2, 0)
    chain = CountyChain.objects.get(name="长汀县纺织产业链")
    assert (
        chain.status == "confirmed"
        and chain.source == "whitepaper"
        and chain.county.prefecture.name == "龙岩市"
    )
    assert [e.kind for e in chain.events.all()] == ["imported"]  # the official list confirms what it lists

    again = import_catalog_file("chains", path)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_a_second_chain_of_one_type_in_a_county_is_its_own_chain(tmp_path):
    """Identity is (county, chain name): a county may hold two chains of one type (issue 14)."""
    path = write_csv(
        tmp_path / "chains.csv",
        CHAIN_HEADER,
        [["罗源县", "metallurgy", "罗源县绿色冶金与新材料产业链", "官方清单"]],
    )
    outcome = import_catalog_file("chains", path)
    assert outcome.ok and (outcome.new, outcome.updated) == (1, 0)
    names = set(
        CountyChain.objects.filter(county__name="罗源县", chain_type__code="metallurgy").values_list(
            "name", flat=True
        )
    )
    assert names == {"罗源县绿色冶金产业链", "罗源县绿色冶金与新材料产业链"}


@pytest.mark.django_db
def test_the_official_list_confirms_a_declared_chain_and_revokes_a_delisted_one(tmp_path):
    county = County.objects.get(name="思明区")
    declared = CountyChain.objects.create(
        county=county, chain_type=ChainType.objects.get(code="ai"), name="思明区软件和信息服务产业链"
    )
    assert declared.status == "declared"
    path = write_csv(
        tmp_path / "chains.csv",
        [*CHAIN_HEADER, "active"],
        [
            ["思明区", "ai", "思明区软件和信息服务产业链", "官方清单", "是"],
            ["罗源县", "metallurgy", "罗源县绿色冶金产业链", "官方清单", "否"],
        ],
    )
    outcome = import_catalog_file("chains", path)
    assert outcome.ok and outcome.updated == 2
    declared.refresh_from_db()
    assert declared.status == "confirmed" and declared.confirmed_at is not None
    assert [(e.kind, e.from_status, e.to_status) for e in declared.events.all()] == [
        ("imported", "declared", "confirmed")
    ]
    delisted = CountyChain.objects.get(name="罗源县绿色冶金产业链")
    assert delisted.status == "revoked"
    assert delisted.events.last().kind == "revoked"


@pytest.mark.django_db
def test_every_kind_of_bad_row_is_reported(tmp_path):
    header = ["name", "county", "chain_type", "link", "role", "products", "description", "source"]
    path = write_csv(
        tmp_path / "firms.csv",
        header,
        [
            ["测试企业甲", "晋江市", "textile-apparel", "织造", "supporting", "面料", "", "sample"],
            ["测试企业乙", "晋江市", "no-such-type", "织造", "supporting", "", "", "sample"],
            ["测试企业丙", "晋江市", "textile-apparel", "不存在环节", "supporting", "", "", "sample"],
            ["", "晋江市", "textile-apparel", "织造", "supporting", "", "", "sample"],
            ["测试企业丁", "晋江市", "textile-apparel", "织造", "boss", "", "", "sample"],
        ],
    )
    outcome = import_catalog_file("enterprises", path)
    lines = {p.line: p.reason for p in outcome.problems}
    assert set(lines) == {3, 4, 5, 6}
    assert "产业链类型" in lines[3]
    assert "不存在环节" in lines[4]
    assert "名称不能为空" in lines[5]
    assert "链上角色" in lines[6]
    assert not Enterprise.objects.filter(name__startswith="测试企业").exists()


@pytest.mark.django_db
def test_bad_number_is_reported(tmp_path):
    header = [
        "name",
        "sponsor",
        "level",
        "prefecture",
        "county",
        "size_yuan",
        "stage",
        "focus",
        "description",
        "source",
    ]
    path = write_xlsx(
        tmp_path / "funds.xlsx",
        header,
        [
            ["测试基金一", "某县", "county", "宁德市", "蕉城区", "500000000", "growth", "锂电", "", "sample"],
            ["测试基金二", "某县", "county", "宁德市", "蕉城区", "五亿", "growth", "锂电", "", "sample"],
        ],
    )
    outcome = import_catalog_file("funds", path)
    assert [p.line for p in outcome.problems] == [3]
    assert "不是有效的数字" in outcome.problems[0].reason
    assert not Fund.objects.filter(name__startswith="测试基金").exists()


@pytest.mark.django_db
def test_unknown_region_of_a_product_is_reported(tmp_path):
    header = [
        "name",
        "provider",
        "product_type",
        "region",
        "max_amount_yuan",
        "term_months",
        "collateral",
        "target",
        "description",
        "source",
    ]
    path = write_csv(
        tmp_path / "products.csv",
        header,
        [
            ["测试贷", "某银行", "credit_loan", "火星市", "1000000", "12", "", "", "", "sample"],
        ],
    )
    outcome = import_catalog_file("financial-products", path)
    assert "火星市" in outcome.problems[0].reason
    assert not FinancialProduct.objects.filter(name="测试贷").exists()


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    header = ["name", "kind", "location", "in_fujian", "fields", "description", "source"]
    path = write_csv(
        tmp_path / "inst.csv",
        header,
        [["测试研究院", "research_institute", "福州市", "是", "材料", "", "sample"]],
    )
    outcome = import_catalog_file("institutions", path, dry_run=True)
    assert outcome.ok and outcome.new == 1 and not outcome.applied
    assert not Institution.objects.filter(name="测试研究院").exists()


@pytest.mark.django_db
def test_command_reports_rows_and_fails(tmp_path, capsys):
    path = write_xlsx(
        tmp_path / "chains.xlsx",
        CHAIN_HEADER,
        [
            ["罗源县", "no-such-type", "罗源县某产业链", ""],
        ],
    )
    with pytest.raises(CommandError, match="文件未导入"):
        call_command("import_catalog", "chains", str(path))
    assert "第 2 行" in capsys.readouterr().err


@pytest.mark.django_db
def test_command_imports_and_dry_runs(tmp_path, capsys):
    path = write_xlsx(
        tmp_path / "chains.xlsx", CHAIN_HEADER, [["长汀县", "textile-apparel", "长汀县纺织产业链", ""]]
    )
    call_command("import_catalog", "chains", str(path), "--dry-run")
    assert not CountyChain.objects.filter(name="长汀县纺织产业链").exists()
    call_command("import_catalog", "chains", str(path))
    assert CountyChain.objects.filter(name="长汀县纺织产业链").exists()
    assert "新增 1" in capsys.readouterr().out


@pytest.mark.django_db
def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "chains.txt"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(CommandError, match="CSV 或 XLSX"):
        call_command("import_catalog", "chains", str(path))


@pytest.mark.django_db
def test_admin_import_is_all_or_nothing(admin_client, tmp_path):
    path = write_xlsx(
        tmp_path / "chains.xlsx",
        CHAIN_HEADER,
        [
            ["长汀县", "textile-apparel", "长汀县纺织产业链", ""],
            ["长汀县", "no-such-type", "长汀县某产业链", ""],
        ],
    )
    with path.open("rb") as handle:
        response = admin_client.post(
            "/admin/chains/countychain/import/",
            {"import_file": handle, "format": "1", "resource": "0"},
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "未知的产业链类型" in body
    assert not CountyChain.objects.filter(name="长汀县纺织产业链").exists()


def _official_list(tmp_path, bad_line: int | None = None):
    """A generated official list of 164 county key chains: the 60 shipped ones plus 104 more that reach every
    county (the real list is not public); `bad_line` (sheet line, header = 1) gets an unknown county."""
    import csv

    from chains.loaders import DATA_DIR
    from chains.models import ChainType, County

    with (DATA_DIR / "county_chains.csv").open(encoding="utf-8") as handle:
        rows = [
            [r["county"], r["chain_type"], r["chain_name"], r["evidence"]] for r in csv.DictReader(handle)
        ]
    counties = list(County.objects.order_by("position").values_list("name", flat=True))
    types = list(ChainType.objects.order_by("position").values_list("code", "name"))
    index = 0
    while len(rows) < 164:
        county = counties[index % len(counties)]
        code, type_name = types[index % len(types)]
        rows.append([county, code, f"{county}{type_name}产业链（清单{index + 1}）", "全省县域重点产业链清单"])
        index += 1
    if bad_line is not None:
        rows[bad_line - 2][0] = "不存在县"
    return write_xlsx(tmp_path / "全省县域重点产业链清单.xlsx", CHAIN_HEADER, rows)


@pytest.mark.django_db
def test_the_official_164_row_list_confirms_every_row_and_reaches_every_county(tmp_path):
    from chains.stats import chain_tally

    assert chain_tally()["uncovered_counties"] == 45  # the 60 white-paper chains cover 38 of 83 counties
    outcome = import_catalog_file("chains", _official_list(tmp_path))
    assert (
        outcome.ok
        and outcome.total == 164
        and (outcome.new, outcome.updated + outcome.unchanged) == (104, 60)
    )
    listed = CountyChain.objects.filter(source="whitepaper")
    assert listed.count() == 164 and not listed.exclude(status="confirmed").exists()
    tally = chain_tally()
    assert tally["uncovered_counties"] == 0 and tally["orderable_counties"] == 83


@pytest.mark.django_db
def test_the_official_list_with_one_bad_row_imports_nothing(tmp_path):
    before = CountyChain.objects.count()
    outcome = import_catalog_file("chains", _official_list(tmp_path, bad_line=100))
    assert not outcome.ok and [p.line for p in outcome.problems] == [100]
    assert "不存在县" in outcome.problems[0].reason
    assert CountyChain.objects.count() == before
