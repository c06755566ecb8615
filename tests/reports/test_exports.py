"""XLSX exports: headers, rows, scope, formula guard, the background job and the monthly report."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import exports, monthly, xlsx
from tests.reports.conftest import NOW

pytestmark = pytest.mark.django_db


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_TYPE
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_safe_guards_formulas():
    assert xlsx.safe("=SUM(A1:A9)") == "'=SUM(A1:A9)"
    assert xlsx.safe("+86 138") == "'+86 138"
    assert xlsx.safe("-1") == "'-1"
    assert xlsx.safe("@cmd") == "'@cmd"
    assert xlsx.safe("正常文本") == "正常文本"
    assert xlsx.safe(-5) == -5


def test_order_export_has_chinese_headers_and_only_visible_rows(world, login, county_jinjiang):
    wb = workbook(login(county_jinjiang).get(reverse("dashboards:export_orders")))
    rows = sheet_rows(wb.active)
    assert rows[0][:4] == ["编号", "标题", "需求类型", "状态"]
    assert "开单县域" in rows[0] and "示例" in rows[0]
    ids = {r[0] for r in rows[1:]}
    expected = {world["orders"][n].pk for n in (1, 2, 3, 4, 7, 9)}  # its own, drafts included
    assert ids == expected
    assert {r[rows[0].index("开单县域")] for r in rows[1:]} == {"晋江市"}


def test_order_export_reuses_the_list_filters(world, login, platform_admin):
    client = login(platform_admin)
    rows = sheet_rows(workbook(client.get(reverse("dashboards:export_orders"), {"kind": "capital"})).active)
    assert {r[2] for r in rows[1:]} == {"资金需求"} and len(rows) == 3
    rows = sheet_rows(workbook(client.get(reverse("dashboards:export_orders"), {"state": "resolved"})).active)
    assert sorted(r[0] for r in rows[1:]) == sorted([world["orders"][1].pk, world["orders"][2].pk])


def test_city_export_stays_in_its_prefecture(world, login, city_quanzhou):
    rows = sheet_rows(workbook(login(city_quanzhou).get(reverse("dashboards:export_orders"))).active)
    header = rows[0]
    assert {r[header.index("设区市")] for r in rows[1:]} == {"泉州市"}
    assert len(rows) - 1 == 6  # 1, 2, 3, 4, 5, 9 (never the draft)


def test_formula_like_titles_are_quoted(world, login, platform_admin):
    from matchmaking.models import Order

    Order.objects.filter(pk=world["orders"][4].pk).update(title='=HYPERLINK("http://x")')
    rows = sheet_rows(workbook(login(platform_admin).get(reverse("dashboards:export_orders"))).active)
    titles = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in titles


def test_large_export_runs_as_a_job_only_its_owner_downloads(
    world, login, platform_admin, county_jinjiang, settings, tmp_path
):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    settings.MEDIA_ROOT = tmp_path
    client = login(platform_admin)
    response = client.get(reverse("dashboards:export_orders"))
    assert response.status_code == 302
    status_url = response["Location"]
    page = client.get(status_url)
    assert "下载" in page.content.decode()  # tasks run in-process without a broker: already done
    job_id = status_url.rstrip("/").split("/")[-1]
    wb = workbook(client.get(reverse("dashboards:export_download", args=[job_id])))
    assert len(sheet_rows(wb.active)) == 1 + 9  # every order, drafts included, for the administrator
    other = login(county_jinjiang)
    assert other.get(status_url).status_code == 404
    assert other.get(reverse("dashboards:export_download", args=[job_id])).status_code == 404
    assert exports.run_order_export(job_id)["rows"] == 9  # idempotent re-run


def test_dashboard_export_sheets(world, login, platform_admin):
    wb = workbook(login(platform_admin).get(reverse("dashboards:export_province"), {"kind": "capital"}))
    assert wb.sheetnames[0] == "概览"
    overview = dict(sheet_rows(wb["概览"])[1:])
    assert overview["需求数（不含草稿）"] == 2
    assert overview["融资金额（元）"] == 5_000_000
    geo = sheet_rows(wb["按设区市"])
    assert geo[0][:3] == ["设区市", "需求数", "进行中"]
    assert len(geo) == 1 + 9
    funnel = sheet_rows(wb[wb.sheetnames[1]])
    assert funnel[0] == ["阶段", "达到该阶段的需求数", "占已发布"]


def test_chain_map_export(world, login, platform_admin):
    response = login(platform_admin).get(reverse("dashboards:export_chain_map", args=["textile-apparel"]))
    wb = workbook(response)
    flows = sheet_rows(wb[wb.sheetnames[2]])
    assert flows[0][:3] == ["需求县域", "配套企业所在县域", "推荐企业次数"]


def test_monthly_rows(world, platform_admin, city_quanzhou):
    rows = monthly.monthly_rows(platform_admin, datetime.date(2025, 6, 1), now=NOW)
    by = {(r["prefecture"], r["kind"]): r for r in rows}
    assert len(rows) == 9 * 5  # 9 prefectures × (4 kinds + 合计)
    qz = by[("泉州市", "合计")]
    assert (qz["placed"], qz["taken"], qz["resolved"]) == (5, 3, 2)  # placed 1, 3, 4, 5, 9; taken 1, 2, 3
    assert by[("泉州市", "创新需求")]["placed"] == 3
    assert by[("泉州市", "资金需求")]["financed"] == 5_000_000
    assert by[("泉州市", "创新需求")]["agreements"] == 1
    # published in June and due by "now" (06-16): 1, 3 claimed in time, 4 overdue; 5 not yet due
    assert (qz["sla_due"], qz["sla_met"], qz["sla_share"]) == (3, 2, 66.7)
    fz = by[("福州市", "资金需求")]
    assert (fz["placed"], fz["taken"], fz["sla_share"]) == (1, 1, 100.0)
    city_rows = monthly.monthly_rows(city_quanzhou, datetime.date(2025, 6, 1), now=NOW)
    assert {r["prefecture"] for r in city_rows} == {"泉州市"}


def test_monthly_view(world, login, platform_admin, bank_cib):
    client = login(platform_admin)
    assert client.get(reverse("dashboards:monthly")).status_code == 200
    bad = client.get(reverse("dashboards:monthly"), {"month": "2025-13"})
    assert "月份格式应为" in bad.content.decode()
    response = client.get(reverse("dashboards:monthly"), {"month": "2025-06", "download": "1"})
    assert "2025" in response["Content-Disposition"] or "filename" in response["Content-Disposition"]
    rows = sheet_rows(workbook(response).active)
    assert rows[0][0] == "月度对接情况报表（2025年6月）"
    assert rows[1][:5] == ["设区市", "需求类型", "本月开单数", "本月接单数", "本月解决数"]
    assert login(bank_cib).get(reverse("dashboards:monthly")).status_code == 404
