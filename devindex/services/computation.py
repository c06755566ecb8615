"""Computing a year's index and the tiers it sets."""

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chains.models import County
from devindex import compute
from devindex.choices import (
    EventAction,
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
    IndexResult,
    IndicatorReport,
    IndicatorValue,
    MethodVersion,
)
from devindex.services.common import (
    INDUSTRIAL_STRONG_SIZE,
    _scope,
    check_year,
    log,
    years_with_data,
)
from devindex.services.values import (
    method_of,
)
from devindex.workflow import DevIndexError


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
