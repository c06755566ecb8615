"""XLSX writing shared by every report: safe cells, Chinese headers, one sheet per table, downloads.

Workbooks are written in openpyxl's write-only mode (rows streamed to disk, constant memory). Text cells that a
spreadsheet would read as a formula (= + - @, tab, CR) are prefixed with a quote.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from core.xlsx import XLSX_TYPE, header, safe, xlsx_response
from core.xlsx import sheet_title as _sheet_title
from reports.tables import Dashboard, Table

__all__ = [
    "XLSX_TYPE",
    "dashboard_workbook",
    "header",
    "safe",
    "tables_workbook",
    "write_table",
    "xlsx_response",
]


def write_table(wb: Workbook, table: Table, used: set[str]) -> None:
    """One dashboard section as a sheet: Chinese headers, raw numbers (percentages as numbers 0-100)."""
    ws = wb.create_sheet(_sheet_title(table.title, used))
    ws.append(header(ws, [c.label for c in table.columns]))
    for row in table.rows:
        ws.append([safe(row.get(c.key)) for c in table.columns])
    if table.note:
        ws.append([])
        ws.append([safe(table.note)])


def tables_workbook(tables: list[Table]) -> Workbook:
    """A write-only workbook with one sheet per table."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        write_table(wb, table, used)
    return wb


TOTAL_LABELS = {
    "total": gettext_lazy("需求数（不含草稿）"),
    "open": gettext_lazy("进行中"),
    "resolved": gettext_lazy("已解决"),
    "resolved_share": gettext_lazy("解决率（%）"),
    "median_claim_days": gettext_lazy("接单用时中位数（天）"),
    "median_resolve_days": gettext_lazy("解决用时中位数（天）"),
    "sla_share": gettext_lazy("按时接单率（%）"),
    "financed": gettext_lazy("融资金额（元）"),
    "agreements": gettext_lazy("签订协议数"),
}


def dashboard_workbook(board: Dashboard) -> Workbook:
    """A dashboard as XLSX: an overview sheet with the headline figures, then one sheet per section."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    ws = wb.create_sheet(_sheet_title(_("概览"), used))
    ws.append(header(ws, [_("指标"), _("数值")]))
    ws.append([safe(_("看板")), safe(board.level.title)])
    ws.append([safe(_("导出时间")), safe(timezone.localtime().strftime("%Y-%m-%d %H:%M"))])
    for key, label in TOTAL_LABELS.items():
        ws.append([safe(str(label)), safe(board.totals.get(key))])
    for table in board.tables:
        write_table(wb, table, used)
    return wb
