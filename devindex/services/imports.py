"""Bulk import of yearly values from a spreadsheet."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chains.models import County
from chains.resources import RowProblem
from devindex.choices import (
    EventAction,
    ReportState,
    ValueOrigin,
)
from devindex.models import (
    Indicator,
    IndicatorReport,
)
from devindex.services.common import _scope, check_year, log, request_recompute
from devindex.services.values import _write_values, parse_value
from devindex.workflow import DevIndexError

COUNTY_HEADERS = ("county", "县域")

YEAR_HEADERS = ("year", "年度")

UNIT_SUFFIX = re.compile(r"[（(][^（）()]*[）)]$")


@dataclass
class ImportOutcome:
    """What an import did (or, on a dry run or with bad rows, would have done)."""

    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.problems


def _column_map(headers: list[str], indicators: Mapping[str, Indicator]) -> tuple[dict, list[RowProblem]]:
    """Which header is the county, the year and each indicator (by code, name, or name with its unit)."""
    by_name = {i.name: i.code for i in indicators.values()}
    mapping: dict[str, str] = {}
    problems = []
    for header in headers:
        key = header.strip()
        if key in COUNTY_HEADERS:
            mapping[header] = "county"
        elif key in YEAR_HEADERS:
            mapping[header] = "year"
        elif key in indicators:
            mapping[header] = key
        elif UNIT_SUFFIX.sub("", key) in by_name:
            mapping[header] = by_name[UNIT_SUFFIX.sub("", key)]
        elif key:
            problems.append(RowProblem(1, _("未知的列：%(name)s") % {"name": key}))
    found = list(mapping.values())
    for needed, label in (("county", _("县域")), ("year", _("年度"))):
        if needed not in found:
            problems.append(RowProblem(1, _("缺少“%(label)s”列") % {"label": label}))
    duplicates = {code for code in found if found.count(code) > 1}
    for code in sorted(duplicates):
        problems.append(RowProblem(1, _("列重复：%(name)s") % {"name": code}))
    if not set(found) & set(indicators):
        problems.append(RowProblem(1, _("没有任何指标列")))
    return mapping, problems


def import_values(
    dataset: tablib.Dataset, *, by=None, dry_run: bool = False, origin: str = ValueOrigin.IMPORT
) -> ImportOutcome:
    """Import a sheet of yearly values (one row per county and year, one column per indicator; blank cells
    are "not reported"). Any bad row rejects the whole file and every bad row is named with its line
    (the header is line 1). Imported reports are approved; the years are recomputed. Administrators only
    (`by=None` is the command line)."""
    if by is not None and not _scope(by).is_admin:
        raise DevIndexError(_("只有平台管理员可以批量导入指标数据。"), code="forbidden")
    indicators = {i.code: i for i in Indicator.objects.all()}
    outcome = ImportOutcome(total=len(dataset), dry_run=dry_run)
    mapping, outcome.problems = _column_map(list(dataset.headers or []), indicators)
    if outcome.problems:
        return outcome
    counties = {c.name: c for c in County.objects.all()}
    rows: dict[tuple[int, int], tuple[County, int, dict]] = {}
    seen_at: dict[tuple[int, int], int] = {}
    for number, raw in enumerate(dataset.dict, start=2):
        cells = {mapping[h]: v for h, v in raw.items() if h in mapping}
        reasons = []
        name = str(cells.get("county") or "").strip()
        county = counties.get(name)
        if county is None:
            reasons.append(_("未知的县域：%(value)s") % {"value": name} if name else _("县域不能为空"))
        try:
            year = check_year(cells.get("year"))
        except DevIndexError as exc:
            reasons.append(exc.message)
            year = None
        values = {}
        for code, cell in cells.items():
            if code in indicators:
                try:
                    values[code] = parse_value(indicators[code], cell)
                except ValueError as exc:
                    reasons.append(str(exc))
        if county and year:
            key = (county.pk, year)
            if key in seen_at:
                reasons.append(
                    _("%(county)s %(year)s 年与第 %(line)s 行重复")
                    % {"county": county.name, "year": year, "line": seen_at[key]}
                )
            seen_at.setdefault(key, number)
        if reasons:
            outcome.problems.append(RowProblem(number, "；".join(str(r) for r in reasons)))
        else:
            rows[(county.pk, year)] = (county, year, values)
    if outcome.problems or dry_run:
        outcome.years = sorted({year for _c, year, _v in rows.values()})
        if dry_run and not outcome.problems:
            existing = set(
                IndicatorReport.objects.filter(county_id__in=[k[0] for k in rows]).values_list(
                    "county_id", "year"
                )
            )
            outcome.new = sum(1 for key in rows if key not in existing)
            outcome.updated = len(rows) - outcome.new
        return outcome
    with transaction.atomic():
        _apply_import(rows.values(), indicators, outcome, by=by, origin=origin)
        request_recompute(outcome.years)
    return outcome


def _apply_import(rows, indicators, outcome: ImportOutcome, *, by, origin: str) -> None:
    now = timezone.now()
    years = set()
    for county, year, values in rows:
        years.add(year)
        report, created = IndicatorReport.objects.get_or_create(
            county=county,
            year=year,
            defaults={"origin": origin, "state": ReportState.APPROVED, "reviewed_at": now},
        )
        before = "" if created else report.state
        changed = _write_values(report, values, indicators)
        if not created and not changed and report.state == ReportState.APPROVED and report.origin == origin:
            outcome.unchanged += 1
            continue
        report.state, report.origin, report.reviewed_at, report.state_note = (
            ReportState.APPROVED,
            origin,
            now,
            "",
        )
        report.save()
        outcome.new += created
        outcome.updated += not created
        log(
            EventAction.IMPORTED,
            by=by,
            report=report,
            from_state=before,
            to_state=report.state,
            note=_("%(n)s 项指标") % {"n": len(values)},
        )
    outcome.years = sorted(years)
