"""Demo data of the development index: sample values (示例) for all 83 counties in 2024 and 2025, computed
results, demo 试点县, and a 2026 report of 晋江市 waiting for 泉州市's review. Idempotent."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from chains.models import County
from devindex import services
from devindex.choices import Tier, TierSource, ValueOrigin
from devindex.models import CountyTier, Indicator, IndicatorReport
from devindex.reference import load_reference
from devtools import devindex_demo as demo

REVIEW_YEAR = 2026


class Command(BaseCommand):
    """`python manage.py seed_demo_devindex` (after load_reference_data and seed_demo)."""

    help = "生成发展指数演示数据（全部 83 个县域的示例指标值，标注“示例”），并计算指数。可重复运行。"

    def handle(self, *args, **options):
        load_reference()
        codes = list(Indicator.objects.values_list("code", flat=True))
        for year in demo.DEMO_YEARS:
            outcome = services.import_values(demo.dataset(year, codes), origin=ValueOrigin.SAMPLE)
            if not outcome.ok:
                raise RuntimeError("; ".join(map(str, outcome.problems)))
            done = services.compute_year(year)
            self.stdout.write(
                f"{year} 年示例数据：新增 {outcome.new}，更新 {outcome.updated}，未变 {outcome.unchanged}；"
                f"{done.counties_ranked} 个县域参与排名。"
            )
        self._pilots()
        self._review_example(codes)

    def _pilots(self):
        year = max(demo.DEMO_YEARS)
        if CountyTier.objects.filter(year=year, tier=Tier.PILOT).exists():
            return
        tagged = set(CountyTier.objects.filter(year=year).values_list("county_id", flat=True))
        for county in demo.pilot_counties(tagged):
            services.set_tier(county, year, Tier.PILOT, by=None, note="示例", source=TierSource.SAMPLE)
        self.stdout.write("示例试点县：10 个。")

    @transaction.atomic
    def _review_example(self, codes):
        """晋江市 fills in 2026 and submits it: 泉州市's coordinator has a report to review."""
        user = User.objects.filter(username="county_jinjiang").first()
        county = County.objects.get(name="晋江市")
        if user is None or IndicatorReport.objects.filter(county=county, year=REVIEW_YEAR).exists():
            return
        values = demo.values_for(county, REVIEW_YEAR, codes)
        report = services.save_values(county, REVIEW_YEAR, values, by=user)
        report.origin = ValueOrigin.SAMPLE
        report.save(update_fields=["origin"])
        services.submit_report(report, by=user)
        self.stdout.write(f"晋江市 {REVIEW_YEAR} 年示例填报已提交，等待泉州市审核。")
