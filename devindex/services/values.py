"""Method versions and the yearly values of a county, with their review workflow."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chains.models import County
from devindex import compute, workflow
from devindex.choices import (
    EventAction,
    Normalisation,
    ReportState,
    ValueOrigin,
)
from devindex.models import (
    Indicator,
    IndicatorReport,
    IndicatorValue,
    MethodVersion,
)
from devindex.services.common import _scope, check_year, log, request_recompute, years_with_data
from devindex.workflow import DevIndexError


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
