"""Verb-named operations on the chain map and catalog: reading spreadsheets and importing them."""

from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from chains.resources import IMPORT_KINDS, RowProblem, row_problems


class SpreadsheetError(ValueError):
    """The file cannot be read as a CSV or XLSX sheet with a header row."""


@dataclass
class ImportOutcome:
    """What an import did (or, on a dry run or with bad rows, would have done)."""

    kind: str
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.problems

    @property
    def applied(self) -> bool:
        """True when rows were written to the database."""
        return self.ok and not self.dry_run


def read_dataset(path: Path | str, *, file_format: str | None = None) -> tablib.Dataset:
    """Read a CSV (UTF-8, with or without BOM) or XLSX file into a dataset with stripped headers."""
    path = Path(path)
    file_format = (file_format or path.suffix.lstrip(".")).lower()
    if file_format not in {"csv", "xlsx"}:
        raise SpreadsheetError(_("只支持 CSV 或 XLSX 文件：%(name)s") % {"name": path.name})
    try:
        if file_format == "csv":
            dataset = tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
        else:
            dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    except (UnicodeDecodeError, ValueError, KeyError, OSError) as exc:
        raise SpreadsheetError(
            _("无法读取文件 %(name)s：%(error)s") % {"name": path.name, "error": exc}
        ) from exc
    return clean_dataset(dataset)


def clean_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """Strip headers and cells, and drop rows that are entirely blank (spreadsheets often end with some)."""
    if not dataset.headers:
        raise SpreadsheetError(_("文件缺少表头行"))
    headers = [str(h or "").strip() for h in dataset.headers]
    cleaned = tablib.Dataset(headers=headers)
    for row in dataset:
        values = ["" if v is None else (v.strip() if isinstance(v, str) else v) for v in row]
        if any(str(v) != "" for v in values):
            cleaned.append(values)
    return cleaned


def import_dataset(
    kind: str, dataset: tablib.Dataset, *, dry_run: bool = False, user=None, audit: bool = True, progress=None
) -> ImportOutcome:
    """Import one sheet of a kind; a sheet with any bad row imports nothing and names every bad row.
    `progress(rows_done)` is called as rows are processed (background imports show a progress bar)."""
    spec = IMPORT_KINDS[kind]
    resource = spec.resource()
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            audit=audit,
            progress=progress,
        )
    totals = result.totals
    return ImportOutcome(
        kind=kind,
        total=result.total_rows,
        new=totals.get("new", 0),
        updated=totals.get("update", 0),
        unchanged=totals.get("skip", 0),
        problems=row_problems(result),
        dry_run=dry_run,
    )


def import_catalog_file(kind: str, path: Path | str, *, dry_run: bool = False) -> ImportOutcome:
    """Read a CSV/XLSX file and import it as `kind` (see IMPORT_KINDS)."""
    if kind not in IMPORT_KINDS:
        raise SpreadsheetError(
            _("未知的导入类型 %(kind)s，可选：%(kinds)s") % {"kind": kind, "kinds": ", ".join(IMPORT_KINDS)}
        )
    return import_dataset(kind, read_dataset(path), dry_run=dry_run)
