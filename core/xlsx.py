"""XLSX helpers every app's downloads share: cells no spreadsheet evaluates, bold headers, sheet titles, downloads.

Workbooks are written in openpyxl's write-only mode (rows streamed to disk, constant memory). Text cells that a
spreadsheet would read as a formula (= + - @, tab, CR) are prefixed with a quote.
"""

import tempfile
from datetime import datetime

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31


def safe(value):
    """A cell value that no spreadsheet will evaluate: text starting like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def sheet_title(title: str, used: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:SHEET_TITLE_MAX] or "Sheet"
    candidate, n = cleaned, 2
    while candidate in used:
        suffix = f"({n})"
        candidate = cleaned[: SHEET_TITLE_MAX - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate


def header(ws, labels) -> list:
    """A bold header row of (translated) labels."""
    cells = []
    for label in labels:
        cell = WriteOnlyCell(ws, value=safe(str(label)))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def xlsx_response(wb: Workbook, name: str, dated: bool = True) -> FileResponse:
    """Save the workbook to a temporary file and stream it as a download named `name-YYYYMMDD.xlsx`."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    wb.save(handle)
    handle.seek(0)
    filename = f"{name}-{timezone.localdate():%Y%m%d}.xlsx" if dated else f"{name}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
