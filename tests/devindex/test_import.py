"""Bulk import of yearly values: all-or-nothing with line errors (like the catalog), CSV and XLSX, headers by
name (with units) or code, the command and the admin page; the export round-trips."""

from decimal import Decimal
from io import BytesIO

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from chains.services import read_dataset
from devindex import services
from devindex.choices import EventAction, ReportState, ValueOrigin
from devindex.models import IndexEvent, Indicator, IndicatorReport, IndicatorValue

from .conftest import sheet, small_rows

pytestmark = pytest.mark.django_db


def named_sheet(rows: list[list]) -> tablib.Dataset:
    """Chinese headers as a person would write them (names, some with units)."""
    headers = ["县域", "年度", "规上工业营业收入（亿元）", "新增专利授权量", "profit_margin"]
    return tablib.Dataset(*rows, headers=headers)


def test_a_good_sheet_is_imported_as_approved_reports(index_system, django_capture_on_commit_callbacks):
    data = named_sheet([["晋江市", 2024, "1,234.5", 800, "6.2%"], ["罗源县", "2024", "", 90, -1.5]])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = services.import_values(data)
    assert (
        outcome.ok and (outcome.total, outcome.new, outcome.updated) == (2, 2, 0) and outcome.years == [2024]
    )
    assert len(callbacks) == 1  # one recomputation of 2024
    report = IndicatorReport.objects.get(county__name="晋江市", year=2024)
    assert (report.state, report.origin) == (ReportState.APPROVED, ValueOrigin.IMPORT)
    values = dict(report.values.values_list("indicator__code", "value"))
    assert values == {
        "industrial_revenue": Decimal("1234.5000"),
        "new_patents": Decimal("800.0000"),
        "profit_margin": Decimal("6.2000"),
    }
    luoyuan = IndicatorReport.objects.get(county__name="罗源县", year=2024)
    assert luoyuan.values.get(indicator__code="industrial_revenue").value is None  # blank = not reported
    assert IndexEvent.objects.filter(action=EventAction.IMPORTED).count() == 2
    # the same sheet again changes nothing
    again = services.import_values(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)


def test_any_bad_row_rejects_the_whole_file_with_line_numbers(index_system):
    data = named_sheet(
        [
            ["晋江市", 2024, 100, 10, 5],  # line 2: fine
            ["金门县", 2024, 100, 10, 5],  # 3: not one of the 83
            ["罗源县", 1999, 100, 10, 5],  # 4: year
            ["南安市", 2024, "很多", 10.5, 5],  # 5: not a number; patents not whole
            ["惠安县", 2024, -3, 10, 101],  # 6: below 0; margin above 100
            ["晋江市", 2024, 100, 10, 5],  # 7: repeats line 2
            ["", 2024, 1, 1, 1],  # 8: no county
        ]
    )
    outcome = services.import_values(data)
    assert not outcome.ok
    lines = {p.line: p.reason for p in outcome.problems}
    assert set(lines) == {3, 4, 5, 6, 7, 8}
    assert "金门县" in lines[3] and "2000" in lines[4]
    assert "不是有效的数字" in lines[5] and "应为整数" in lines[5]
    assert "不能小于" in lines[6] and "不能大于" in lines[6]
    assert "第 2 行重复" in lines[7] and "县域不能为空" in lines[8]
    assert str(outcome.problems[0]).startswith("第 3 行：")
    assert not IndicatorReport.objects.exists() and not IndicatorValue.objects.exists()


def test_header_problems_are_line_one(index_system):
    data = tablib.Dataset(["晋江市", 2024, 1], headers=["县域", "年份", "不存在的指标"])
    outcome = services.import_values(data)
    reasons = [p.reason for p in outcome.problems]
    assert {p.line for p in outcome.problems} == {1}
    assert any("不存在的指标" in r for r in reasons) and any("年度" in r for r in reasons)


def test_a_dry_run_writes_nothing(index_system):
    outcome = services.import_values(sheet(small_rows(index_system), 2024), dry_run=True)
    assert outcome.ok and outcome.new == 3 and not IndicatorReport.objects.exists()


def test_only_administrators_import(index_system, county_jinjiang, platform_admin):
    from devindex.workflow import DevIndexError

    with pytest.raises(DevIndexError):
        services.import_values(sheet(small_rows(index_system), 2024), by=county_jinjiang)
    assert services.import_values(sheet(small_rows(index_system), 2024), by=platform_admin).ok


def test_an_import_replaces_a_submitted_report_and_logs_the_state(index_system, county_luoyuan):
    from chains.models import County

    report = services.save_values(
        County.objects.get(name="罗源县"), 2024, {"new_patents": "5"}, by=county_luoyuan
    )
    services.submit_report(report, by=county_luoyuan)
    services.import_values(sheet({"罗源县": {"new_patents": 7}}, 2024))
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    event = IndexEvent.objects.filter(report=report, action=EventAction.IMPORTED).get()
    assert (event.from_state, event.to_state) == (ReportState.SUBMITTED, ReportState.APPROVED)


def test_command_imports_csv_and_reports_errors(index_system, tmp_path):
    good = tmp_path / "values.csv"
    good.write_text("县域,年度,新增专利授权量\n晋江市,2024,500\n", encoding="utf-8-sig")
    call_command("import_devindex", str(good))
    assert IndicatorValue.objects.get(report__county__name="晋江市").value == Decimal("500")
    bad = tmp_path / "bad.csv"
    bad.write_text("县域,年度,新增专利授权量\n晋江市,2024,abc\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_devindex", str(bad))


def test_the_values_export_imports_back_unchanged(small_year, login, platform_admin, tmp_path):
    client = login(platform_admin)
    response = client.get(reverse("devindex:export_values"), {"year": small_year})
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    indicators = list(Indicator.objects.all())
    assert rows[0][:3] == ("县域", "年度", "规上工业营业收入（亿元）") and len(rows[0]) == 2 + len(indicators)
    assert {r[0] for r in rows[1:]} == {"晋江市", "南安市", "罗源县"}
    path = tmp_path / "back.xlsx"
    path.write_bytes(response.content)
    outcome = services.import_values(read_dataset(path))
    assert outcome.ok and outcome.unchanged == 3


def test_import_page_checks_then_imports(index_system, login, platform_admin, county_jinjiang):
    url = reverse("devindex:import")
    assert login(county_jinjiang).get(url).status_code == 404
    client = login(platform_admin)
    content = "县域,年度,新增专利授权量\n晋江市,2024,500\n罗源县,2024,x\n".encode()
    page = client.post(url, {"file": SimpleUploadedFile("v.csv", content), "dry_run": "on"})
    assert page.status_code == 200 and "第 3 行" in page.content.decode()
    assert not IndicatorReport.objects.exists()
    content = "县域,年度,新增专利授权量\n晋江市,2024,500\n".encode()
    page = client.post(url, {"file": SimpleUploadedFile("v.csv", content)}, follow=True)
    assert "已导入" in page.content.decode()
    assert IndicatorReport.objects.get().state == ReportState.APPROVED
