"""Services: computation stored per year (hand-checked), idempotence, method versions, published figures,
tiers, the sweeper."""

from decimal import Decimal

import pytest

from chains.models import County
from devindex import services, tasks
from devindex.choices import EventAction, ResultSource, Tier, TierSource, ValueOrigin
from devindex.models import (
    Computation,
    CountyTier,
    DimensionScore,
    IndexEvent,
    IndexResult,
    MethodVersion,
)
from devindex.workflow import DevIndexError

from .conftest import INNOVATION, sheet, small_rows

pytestmark = pytest.mark.django_db


def computed(year: int) -> dict[str, tuple]:
    return {
        r.county.name: (r.total, r.rank)
        for r in IndexResult.objects.filter(year=year, source=ResultSource.COMPUTED, rank__isnull=False)
    }


def test_computation_is_stored_per_county_as_hand_computed(small_year):
    assert computed(2024) == {
        "晋江市": (Decimal("90.00"), 1),
        "南安市": (Decimal("40.00"), 2),
        "罗源县": (Decimal("20.00"), 3),
    }
    luoyuan = IndexResult.objects.get(year=2024, source=ResultSource.COMPUTED, county__name="罗源县")
    dims = {d.dimension.code: (d.score, d.rank) for d in luoyuan.dimension_scores.select_related("dimension")}
    assert dims["innovation"] == (Decimal("100.00"), 1)
    assert dims["industry_strength"] == (Decimal("0.00"), 3)
    assert luoyuan.coverage == 16 and luoyuan.imputed == [] and luoyuan.method_version.number == 1
    # every other county has a row, unranked, with nothing reported
    others = IndexResult.objects.filter(year=2024, source=ResultSource.COMPUTED, rank__isnull=True)
    assert others.count() == County.objects.count() - 3
    assert set(others.values_list("coverage", flat=True)) == {0}
    assert not DimensionScore.objects.filter(result__in=others, score__isnull=False).exists()
    done = Computation.objects.get(year=2024)
    assert (done.counties_ranked, done.counties_unranked) == (3, County.objects.count() - 3)


def test_computing_again_with_the_same_inputs_changes_nothing(small_year):
    ids = set(IndexResult.objects.filter(year=2024).values_list("pk", "total", "rank"))
    events = IndexEvent.objects.filter(action=EventAction.COMPUTED).count()
    assert services.is_current(2024)
    services.compute_year(2024)
    tasks.recompute_index(2024)
    assert set(IndexResult.objects.filter(year=2024).values_list("pk", "total", "rank")) == ids
    assert IndexEvent.objects.filter(action=EventAction.COMPUTED).count() == events


def test_a_new_method_version_recomputes_with_the_changed_weights(
    small_year, platform_admin, django_capture_on_commit_callbacks
):
    current = MethodVersion.current()
    weights = dict.fromkeys(current.dimension_weights, 1.0)
    weights["innovation"] = 6.0
    with django_capture_on_commit_callbacks(execute=True):
        version = services.save_method(
            by=platform_admin,
            normalisation="minmax",
            min_coverage=8,
            dimension_weights=weights,
            indicator_weights=current.indicator_weights,
            directions=current.directions,
            note="创新能力加权",
        )
    assert version.number == 2 and MethodVersion.objects.count() == 2
    # (4·100 + 6·50)/10 = 70, (4·50 + 0)/10 = 20, (0 + 6·100)/10 = 60
    assert computed(2024) == {
        "晋江市": (Decimal("70.00"), 1),
        "罗源县": (Decimal("60.00"), 2),
        "南安市": (Decimal("20.00"), 3),
    }
    assert set(
        IndexResult.objects.filter(year=2024, source=ResultSource.COMPUTED).values_list(
            "method_version__number", flat=True
        )
    ) == {2}
    event = IndexEvent.objects.filter(action=EventAction.METHOD_CHANGED).get()
    assert event.actor == platform_admin and "创新能力加权" in event.note
    with pytest.raises(ValueError):
        version.save()  # versions are append-only


def test_a_negative_direction_is_honoured_through_a_method_version(
    small_year, platform_admin, django_capture_on_commit_callbacks
):
    current = MethodVersion.current()
    directions = {**current.directions, **dict.fromkeys(INNOVATION, "negative")}
    with django_capture_on_commit_callbacks(execute=True):
        services.save_method(
            by=platform_admin, normalisation="minmax", min_coverage=8,
            dimension_weights=current.dimension_weights, indicator_weights=current.indicator_weights,
            directions=directions, note="逆向",
        )  # fmt: skip
    # innovation read negatively: 罗源县 (40) 0, 晋江市 (30) 50, 南安市 (20) 100
    luoyuan = DimensionScore.objects.get(
        result__year=2024, result__source=ResultSource.COMPUTED, result__county__name="罗源县",
        dimension__code="innovation",
    )  # fmt: skip
    assert luoyuan.score == Decimal("0.00") and luoyuan.rank == 3
    # totals: 晋江市 (400 + 50)/5 = 90, 南安市 (200 + 100)/5 = 60, 罗源县 0
    assert computed(2024)["南安市"] == (Decimal("60.00"), 2)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"normalisation": "zscore"}, "normalisation"),
        ({"min_coverage": 17}, "min_coverage"),
        ({"directions": {}}, "directions"),
    ],
)
def test_invalid_methods_are_refused(index_system, platform_admin, change, field):
    current = MethodVersion.current()
    params = {
        "normalisation": "minmax", "min_coverage": 8, "dimension_weights": current.dimension_weights,
        "indicator_weights": current.indicator_weights, "directions": current.directions, "note": "x",
    }  # fmt: skip
    params.update(change)
    with pytest.raises(DevIndexError) as caught:
        services.save_method(by=platform_admin, **params)
    assert field in caught.value.errors
    assert MethodVersion.objects.count() == 1


def test_all_zero_weights_are_refused(index_system, platform_admin):
    current = MethodVersion.current()
    with pytest.raises(DevIndexError):
        services.save_method(
            by=platform_admin, normalisation="minmax", min_coverage=8,
            dimension_weights=dict.fromkeys(current.dimension_weights, 0),
            indicator_weights=current.indicator_weights, directions=current.directions,
        )  # fmt: skip


@pytest.mark.parametrize("persona", ["county_jinjiang", "city_quanzhou", "body_kjt", "inst_dhu"])
def test_only_administrators_change_the_method(index_system, personas, persona):
    current = MethodVersion.current()
    with pytest.raises(DevIndexError) as caught:
        services.save_method(
            by=personas[persona], normalisation="efficacy", min_coverage=8,
            dimension_weights=current.dimension_weights, indicator_weights=current.indicator_weights,
            directions=current.directions,
        )  # fmt: skip
    assert caught.value.code == "forbidden"


def test_missing_values_follow_the_coverage_rule(index_system):
    codes = index_system
    rows = small_rows(codes)
    rows["惠安县"] = dict.fromkeys(codes[:8], 25)  # exactly 8 of 16: ranked, 8 imputed
    rows["云霄县"] = dict.fromkeys(codes[:7], 25)  # 7: not ranked
    services.import_values(sheet(rows, 2024))
    services.compute_year(2024)
    huian = IndexResult.objects.get(year=2024, source=ResultSource.COMPUTED, county__name="惠安县")
    yunxiao = IndexResult.objects.get(year=2024, source=ResultSource.COMPUTED, county__name="云霄县")
    assert huian.rank is not None and huian.coverage == 8 and huian.imputed == codes[8:]
    assert yunxiao.rank is None and yunxiao.total is None and yunxiao.coverage == 7


def test_published_results_are_reference_data(index_system):
    published = IndexResult.objects.filter(year=2025, source=ResultSource.PUBLISHED).order_by("rank")
    assert [(r.county.name, r.total) for r in published][:2] == [
        ("晋江市", Decimal("71.65")),
        ("集美区", Decimal("55.28")),
    ]
    assert published.count() == 10 and published.last().total == Decimal("42.49")
    # the per-dimension top-10 lists are not in the data: stored empty, never invented
    assert DimensionScore.objects.filter(result__in=published).count() == 50
    assert not DimensionScore.objects.filter(result__in=published, score__isnull=False).exists()
    assert all("维度得分为空" in r.note for r in published)
    strong = CountyTier.objects.filter(year=2025, tier=Tier.INDUSTRIAL_STRONG)
    assert set(strong.values_list("county__name", flat=True)) == {
        "晋江市", "集美区", "南安市", "翔安区", "福清市", "同安区", "海沧区", "蕉城区", "长乐区", "闽侯县",
    }  # fmt: skip
    assert set(strong.values_list("source", flat=True)) == {TierSource.PUBLISHED}
    distinctive = CountyTier.objects.filter(year=2025, tier=Tier.DISTINCTIVE)
    assert distinctive.count() == 10 and distinctive.get(county__name="清流县").note == "氟新材料"
    # loading again changes nothing
    from devindex.reference import load_reference

    again = load_reference()
    assert (again.indicators, again.published, again.tiers, again.method_created) == (0, 0, 0, False)


def test_industrial_strong_follows_the_computed_top_ten_without_published_figures(small_year):
    strong = CountyTier.objects.filter(year=2024, tier=Tier.INDUSTRIAL_STRONG)
    assert set(strong.values_list("county__name", "source")) == {
        ("晋江市", TierSource.COMPUTED), ("南安市", TierSource.COMPUTED), ("罗源县", TierSource.COMPUTED),
    }  # fmt: skip


def test_tiers_are_set_by_administrators_only(index_system, platform_admin, county_jinjiang):
    county = County.objects.get(name="罗源县")
    tag = services.set_tier(county, 2025, Tier.PILOT, by=platform_admin, note="试点")
    assert tag.source == TierSource.ADMIN
    assert IndexEvent.objects.filter(action=EventAction.TIER_SET, county=county).exists()
    with pytest.raises(DevIndexError):
        services.set_tier(county, 2025, Tier.INDUSTRIAL_STRONG, by=platform_admin)
    with pytest.raises(DevIndexError):
        services.set_tier(county, 2025, Tier.PILOT, by=county_jinjiang)
    with pytest.raises(DevIndexError):
        services.remove_tier(
            CountyTier.objects.filter(tier=Tier.INDUSTRIAL_STRONG).first(), by=platform_admin
        )
    services.remove_tier(tag, by=platform_admin)
    assert not CountyTier.objects.filter(pk=tag.pk).exists()


def test_results_from_sample_values_are_marked(index_system):
    services.import_values(sheet(small_rows(index_system), 2024), origin=ValueOrigin.SAMPLE)
    services.compute_year(2024)
    assert set(IndexResult.objects.filter(year=2024).values_list("is_sample", flat=True)) == {True}


def test_the_sweeper_recomputes_years_whose_task_was_lost(index_system):
    services.import_values(sheet(small_rows(index_system), 2024))  # on_commit task never ran in this test
    assert services.years_to_recompute() == [2024]
    assert tasks.sweep_index() == [2024]  # enqueues; without a broker the task runs in-process
    assert computed(2024)["晋江市"] == (Decimal("90.00"), 1)
    assert services.years_to_recompute() == []
