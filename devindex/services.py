"""The only functions that change the index: yearly values and their review, imports, method versions, tiers
and the computation. Each validates, writes its IndexEvent in the same transaction and enqueues the
recomputation on commit. They raise only `DevIndexError` (pages show its message, the API its error shape).
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Scope
from chains.models import County
from chains.resources import RowProblem
from core import dispatch
from devindex import compute, workflow
from devindex.choices import (
    EventAction,
    Normalisation,
    ReportState,
    ResultSource,
    Tier,
    TierSource,
    ValueOrigin,
)
from devindex.models import (
    Computation,
    CountyTier,
    Dimension,
    DimensionScore,
    IndexEvent,
    IndexResult,
    Indicator,
    IndicatorReport,
    IndicatorValue,
    MethodVersion,
)
from devindex.workflow import DevIndexError

MIN_YEAR, MAX_YEAR = 2000, 2100
INDUSTRIAL_STRONG_SIZE = 10


def _scope(user) -> Scope:
    return Scope.for_user(user)


def log(action: str, *, by=None, report=None, county=None, year=None, note="", from_state="", to_state=""):
    """Append one entry to the index log (call inside the caller's transaction)."""
    return IndexEvent.objects.create(
        action=action,
        report=report,
        county=county or (report.county if report else None),
        year=year or (report.year if report else None),
        actor=by,
        note=note,
        from_state=from_state,
        to_state=to_state,
    )


def request_recompute(years: Iterable[int]) -> None:
    """Recompute these years once the current transaction commits (Celery; in-process without a broker)."""
    for year in sorted(set(years)):
        dispatch.enqueue_on_commit("devindex.tasks.recompute_index", year)


def check_year(year) -> int:
    """A year the index can hold, or DevIndexError."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        message = _("年度应在 %(a)s–%(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}
        raise DevIndexError(message, errors={"year": message})
    return year


# --- method versions ---------------------------------------------------------------------------------


def method_of(version: MethodVersion) -> compute.Method:
    """The computation's parameters for a method version (indicators added later weigh 1, keep their
    default direction)."""
    grouped: dict[str, list[str]] = {}
    for indicator in Indicator.objects.select_related("dimension").order_by(
        "dimension__position", "position"
    ):
        grouped.setdefault(indicator.dimension.code, []).append(indicator.code)
    directions = {code: version.directions.get(code) for codes in grouped.values() for code in codes}
    defaults = dict(Indicator.objects.values_list("code", "direction"))
    return compute.Method(
        indicators=grouped,
        dimension_weights={d: float(version.dimension_weights.get(d, 1.0)) for d in grouped},
        indicator_weights={
            c: float(version.indicator_weights.get(c, 1.0)) for codes in grouped.values() for c in codes
        },
        directions={c: d or defaults[c] for c, d in directions.items()},
        normalisation=version.normalisation,
        min_coverage=version.min_coverage,
    )


def save_method(
    *,
    by,
    normalisation: str,
    min_coverage: int,
    dimension_weights: Mapping[str, float],
    indicator_weights: Mapping[str, float],
    directions: Mapping[str, str],
    note: str = "",
) -> MethodVersion:
    """A new method version (administrators only); every year with data is recomputed with it."""
    if not _scope(by).is_admin:
        raise DevIndexError(_("只有平台管理员可以修改计算方法和权重。"), code="forbidden")
    indicators = list(Indicator.objects.select_related("dimension"))
    dims = {i.dimension.code for i in indicators}
    errors = {}
    if normalisation not in Normalisation.values:
        errors["normalisation"] = _("未知的标准化方法。")
    if not 1 <= int(min_coverage) <= len(indicators):
        errors["min_coverage"] = _("最少指标数应在 1–%(n)s 之间。") % {"n": len(indicators)}
    weights = {**{f"dim:{k}": v for k, v in dimension_weights.items()}, **indicator_weights}
    for key, value in weights.items():
        if value is None or float(value) < 0:
            errors[key] = _("权重不能为负数。")
    if set(dimension_weights) != dims or set(indicator_weights) != {i.code for i in indicators}:
        errors["__all__"] = _("须为每个维度和每个指标给出权重。")
    if any(directions.get(i.code) not in ("positive", "negative") for i in indicators):
        errors["directions"] = _("每个指标的方向须为正向或逆向。")
    if errors:
        raise DevIndexError(_("计算方法有误：") + "；".join(str(e) for e in errors.values()), errors=errors)
    method = compute.Method(
        indicators={d: [i.code for i in indicators if i.dimension.code == d] for d in dims},
        dimension_weights={k: float(v) for k, v in dimension_weights.items()},
        indicator_weights={k: float(v) for k, v in indicator_weights.items()},
        directions=dict(directions),
        normalisation=normalisation,
        min_coverage=int(min_coverage),
    )
    try:
        method.check()
    except compute.MethodError:
        message = _("每个维度至少一个指标的权重须大于 0，且至少一个维度的权重须大于 0。")
        raise DevIndexError(message, errors={"__all__": message}) from None
    with transaction.atomic():
        number = (MethodVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = MethodVersion.objects.create(
            number=number,
            normalisation=normalisation,
            min_coverage=int(min_coverage),
            dimension_weights={k: float(v) for k, v in dimension_weights.items()},
            indicator_weights={k: float(v) for k, v in indicator_weights.items()},
            directions=dict(directions),
            note=note.strip()[:200],
            created_by=by,
        )
        for indicator in indicators:
            if indicator.direction != directions[indicator.code]:
                indicator.direction = directions[indicator.code]
                indicator.save(update_fields=["direction"])
        log(EventAction.METHOD_CHANGED, by=by, note=_("第 %(n)s 版：%(note)s") % {"n": number, "note": note})
        request_recompute(years_with_data())
    return version


# --- yearly values -----------------------------------------------------------------------------------


def parse_value(indicator: Indicator, raw) -> Decimal | None:
    """A cell or form value as a Decimal (blank = not reported); ValueError with a readable reason."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").rstrip("%")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(
                _("%(name)s不是有效的数字：%(value)s") % {"name": indicator.name, "value": raw}
            ) from None
    if not value.is_finite():
        raise ValueError(_("%(name)s不是有效的数字：%(value)s") % {"name": indicator.name, "value": raw})
    value = value.quantize(Decimal("0.0001"))
    problem = indicator.check_value(value)
    if problem:
        raise ValueError(problem)
    return value


def _locked_report(pk: int) -> IndicatorReport:
    return IndicatorReport.objects.select_for_update().select_related("county__prefecture").get(pk=pk)


def save_values(county: County, year, values: Mapping[str, object], *, by) -> IndicatorReport:
    """Set some of a county's values for a year (the county while a draft or returned, administrators always);
    a missing report is created. Blank values mean "not reported"."""
    scope = _scope(by)
    year = check_year(year)
    if not (scope.is_admin or (scope.is_county and scope.county_id == county.pk)):
        raise DevIndexError(_("只能填报本县域的指标。"), code="forbidden")
    indicators = {i.code: i for i in Indicator.objects.all()}
    parsed, errors = {}, {}
    for code, raw in values.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors[code] = _("未知的指标：%(code)s") % {"code": code}
            continue
        try:
            parsed[code] = parse_value(indicator, raw)
        except ValueError as exc:
            errors[code] = str(exc)
    if errors:
        raise DevIndexError(_("填写内容有误：") + "；".join(errors.values()), errors=errors)
    with transaction.atomic():
        report, created = IndicatorReport.objects.get_or_create(
            county=county,
            year=year,
            defaults={"origin": ValueOrigin.IMPORT if scope.is_admin else ValueOrigin.COUNTY},
        )
        report = _locked_report(report.pk)
        if not workflow.may_edit_values(report, scope):
            raise DevIndexError(
                _("填报当前状态为“%(state)s”，不能修改。") % {"state": report.get_state_display()},
                code="illegal_transition",
            )
        changed = _write_values(report, parsed, indicators)
        if created:
            log(EventAction.CREATED, by=by, report=report, to_state=report.state)
        if changed:
            names = "、".join(indicators[c].name for c in changed)
            log(EventAction.EDITED, by=by, report=report, note=names)
            if report.state == ReportState.APPROVED:
                request_recompute([year])
        report.save(update_fields=["updated_at"])
    return report


def _write_values(report: IndicatorReport, parsed: Mapping[str, Decimal | None], indicators) -> list[str]:
    """Store values on a report; return the codes whose value changed."""
    existing = {v.indicator.code: v for v in report.values.select_related("indicator")}
    changed, new, updated = [], [], []
    for code, value in parsed.items():
        row = existing.get(code)
        if row is None:
            new.append(IndicatorValue(report=report, indicator=indicators[code], value=value))
            changed.append(code)
        elif row.value != value:
            row.value = value
            updated.append(row)
            changed.append(code)
    IndicatorValue.objects.bulk_create(new)
    if updated:
        now = timezone.now()
        for row in updated:
            row.updated_at = now
        IndicatorValue.objects.bulk_update(updated, ["value", "updated_at"])
    return changed


def _transition(report: IndicatorReport, action: str, *, by, reason: str = "") -> IndicatorReport:
    scope = _scope(by)
    with transaction.atomic():
        report = _locked_report(report.pk)
        step = workflow.check(report, action, scope, reason)
        if action == "submit" and not report.values.filter(value__isnull=False).exists():
            raise DevIndexError(_("尚未填写任何指标，不能提交。"), code="invalid")
        before = report.state
        report.state = step.target
        now = timezone.now()
        if action == "submit":
            report.submitted_at, report.state_note = now, ""
        elif action == "approve":
            report.reviewed_at, report.state_note = now, ""
        else:
            report.reviewed_at, report.state_note = now, reason.strip()[:300]
        report.save()
        log(step.event, by=by, report=report, from_state=before, to_state=report.state, note=reason.strip())
        if ReportState.APPROVED in (before, report.state):
            request_recompute([report.year])
    return report


def submit_report(report: IndicatorReport, *, by) -> IndicatorReport:
    """县域提交审核 (draft or returned → submitted)."""
    return _transition(report, "submit", by=by)


def approve_report(report: IndicatorReport, *, by) -> IndicatorReport:
    """设区市审核通过 (submitted → approved); the year is recomputed."""
    return _transition(report, "approve", by=by)


def return_report(report: IndicatorReport, *, by, reason: str) -> IndicatorReport:
    """设区市退回修改 (submitted → returned, with the reason)."""
    return _transition(report, "return", by=by, reason=reason)


def reopen_report(report: IndicatorReport, *, by, reason: str) -> IndicatorReport:
    """管理员重新打开 an approved report (→ returned); its values leave the computation."""
    return _transition(report, "reopen", by=by, reason=reason)


# --- bulk import -------------------------------------------------------------------------------------

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


# --- computation -------------------------------------------------------------------------------------


def years_with_data() -> list[int]:
    """Years that have approved values or an earlier computation."""
    years = set(IndicatorReport.objects.filter(state=ReportState.APPROVED).values_list("year", flat=True))
    years |= set(Computation.objects.values_list("year", flat=True))
    return sorted(years)


def approved_inputs(year: int) -> tuple[dict[int, dict[str, Decimal | None]], bool]:
    """Approved values of the year by county id and indicator code, and whether any is a sample."""
    values: dict[int, dict[str, Decimal | None]] = {}
    sample = False
    reports = IndicatorReport.objects.filter(year=year, state=ReportState.APPROVED)
    for county_id, origin in reports.values_list("county_id", "origin"):
        values.setdefault(county_id, {})  # a report without values still counts (coverage 0)
        sample |= origin == ValueOrigin.SAMPLE
    rows = IndicatorValue.objects.filter(report__in=reports).values_list(
        "report__county_id", "indicator__code", "value"
    )
    for county_id, code, value in rows:
        values.setdefault(county_id, {})[code] = value
    return dict(values), sample


def fingerprint(
    version: MethodVersion, values: Mapping[int, Mapping[str, Decimal | None]], sample: bool
) -> str:
    """A digest of everything a year's computation depends on."""
    payload = {
        "version": version.number,
        "sample": sample,
        "values": sorted((c, k, str(v)) for c, row in values.items() for k, v in row.items()),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def is_current(year: int) -> bool:
    """Whether the stored computation of the year matches today's approved values and method version."""
    version = MethodVersion.current()
    done = Computation.objects.filter(year=year).first()
    if version is None or done is None:
        return False
    values, sample = approved_inputs(year)
    return done.method_version_id == version.pk and done.fingerprint == fingerprint(version, values, sample)


def compute_year(year: int, *, force: bool = False) -> Computation | None:
    """Compute a year's scores and ranks with the current method version and store them (idempotent: the
    same approved values and version leave everything as it is). Returns the computation record."""
    version = MethodVersion.current()
    if version is None:
        return None
    with transaction.atomic():
        # one computation of a year at a time (the row lock serialises concurrent tasks on PostgreSQL)
        done = Computation.objects.select_for_update().filter(year=year).first()
        values, sample = approved_inputs(year)
        digest = fingerprint(version, values, sample)
        if done and not force and done.fingerprint == digest and done.method_version_id == version.pk:
            return done
        scores = compute.compute(values, method_of(version))
        _store_results(year, version, scores, sample)
        ranked = sum(1 for s in scores.values() if s.ranked)
        unranked = County.objects.count() - ranked
        done, _created = Computation.objects.update_or_create(
            year=year,
            defaults={
                "method_version": version,
                "fingerprint": digest,
                "counties_ranked": ranked,
                "counties_unranked": unranked,
            },
        )
        refresh_industrial_strong(year)
        log(
            EventAction.COMPUTED,
            year=year,
            note=_("方法第 %(v)s 版：%(r)s 个县域参与排名，%(u)s 个未参与")
            % {"v": version.number, "r": ranked, "u": unranked},
        )
    return done


RESULT_FIELDS = ("method_version", "total", "rank", "coverage", "imputed", "is_sample", "note")


def _store_results(
    year: int, version: MethodVersion, scores: Mapping[int, compute.CountyScore], sample: bool
):
    """Upsert one computed result per county (every county: those without data are unranked)."""
    dimensions = list(Dimension.objects.all())
    existing = {r.county_id: r for r in IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED)}
    new, changed = [], []
    for county_id in County.objects.values_list("pk", flat=True):
        score = scores.get(county_id)
        fields = {
            "method_version": version,
            "total": score.total if score else None,
            "rank": score.rank if score else None,
            "coverage": score.coverage if score else 0,
            "imputed": score.imputed if score else [],
            "is_sample": sample,
            "note": "",
        }
        row = existing.get(county_id)
        if row is None:
            new.append(IndexResult(year=year, county_id=county_id, source=ResultSource.COMPUTED, **fields))
        else:
            for key, value in fields.items():
                setattr(row, key, value)
            changed.append(row)
    IndexResult.objects.bulk_create(new)
    now = timezone.now()
    for row in changed:
        row.computed_at = now
    IndexResult.objects.bulk_update(changed, [*RESULT_FIELDS, "computed_at"])
    results = {r.county_id: r.pk for r in IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED)}
    old = {
        (d.result_id, d.dimension_id): d
        for d in DimensionScore.objects.filter(result_id__in=results.values())
    }
    new_dims, changed_dims = [], []
    for county_id, result_id in results.items():
        score = scores.get(county_id)
        for dimension in dimensions:
            value = score.dimensions.get(dimension.code) if score and score.ranked else None
            rank = score.dimension_ranks.get(dimension.code) if score and score.ranked else None
            row = old.get((result_id, dimension.pk))
            if row is None:
                new_dims.append(
                    DimensionScore(result_id=result_id, dimension=dimension, score=value, rank=rank)
                )
            elif (row.score, row.rank) != (value, rank):
                row.score, row.rank = value, rank
                changed_dims.append(row)
    DimensionScore.objects.bulk_create(new_dims)
    DimensionScore.objects.bulk_update(changed_dims, ["score", "rank"])


def years_to_recompute() -> list[int]:
    """Years whose stored computation is missing or older than their approved values or the method."""
    return [year for year in years_with_data() if not is_current(year)]


# --- tiers -------------------------------------------------------------------------------------------


def refresh_industrial_strong(year: int) -> int:
    """工业强县 of a year = the index's top 10: the published ranks where the year has published figures,
    else the computed ranks (ties at 10th place all count). Returns how many tags changed."""
    published = IndexResult.objects.filter(year=year, source=ResultSource.PUBLISHED, rank__isnull=False)
    if published.exists():
        source, top = TierSource.PUBLISHED, published
    else:
        source = TierSource.COMPUTED
        top = IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED, rank__isnull=False)
    wanted = set(top.filter(rank__lte=INDUSTRIAL_STRONG_SIZE).values_list("county_id", flat=True))
    tags = CountyTier.objects.filter(year=year, tier=Tier.INDUSTRIAL_STRONG)
    have = {t.county_id: t for t in tags}
    changes = tags.exclude(county_id__in=wanted).delete()[0]
    for county_id in wanted:
        tag = have.get(county_id)
        if tag is None:
            CountyTier.objects.create(
                county_id=county_id, year=year, tier=Tier.INDUSTRIAL_STRONG, source=source
            )
            changes += 1
        elif tag.source != source:
            tag.source = source
            tag.save(update_fields=["source"])
            changes += 1
    return changes


def set_tier(
    county: County, year, tier: str, *, by, note: str = "", source: str = TierSource.ADMIN
) -> CountyTier:
    """Tag a county 产业特色县 or 试点县 for a year (administrators; 工业强县 follow the index)."""
    if by is not None and not _scope(by).is_admin:
        raise DevIndexError(_("只有平台管理员可以设定县域层级。"), code="forbidden")
    year = check_year(year)
    if tier not in (Tier.DISTINCTIVE, Tier.PILOT):
        raise DevIndexError(_("工业强县由指数前十确定，不能手工指定。"), errors={"tier": _("不能手工指定")})
    with transaction.atomic():
        tag, _created = CountyTier.objects.update_or_create(
            county=county, year=year, tier=tier, defaults={"source": source, "note": note.strip()[:200]}
        )
        log(EventAction.TIER_SET, by=by, county=county, year=year, note=tag.get_tier_display())
    return tag


def remove_tier(tag: CountyTier, *, by) -> None:
    """Remove a county's 产业特色县 or 试点县 tag (administrators)."""
    if by is not None and not _scope(by).is_admin:
        raise DevIndexError(_("只有平台管理员可以设定县域层级。"), code="forbidden")
    if tag.tier == Tier.INDUSTRIAL_STRONG:
        raise DevIndexError(_("工业强县由指数前十确定，不能手工取消。"), code="invalid")
    with transaction.atomic():
        log(EventAction.TIER_REMOVED, by=by, county=tag.county, year=tag.year, note=tag.get_tier_display())
        tag.delete()
