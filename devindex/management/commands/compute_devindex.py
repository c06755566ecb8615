"""Compute (or recompute) the index of one or every year now, in this process."""

from django.core.management.base import BaseCommand

from devindex import services


class Command(BaseCommand):
    """`python manage.py compute_devindex [--year 2025] [--force]`."""

    help = "按当前计算方法计算发展指数（默认所有有数据的年度；输入未变时不改动，--force 强制重算）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="年度（可多次指定）")
        parser.add_argument("--force", action="store_true", help="输入未变也重新计算")

    def handle(self, *args, year, force, **options):
        for each in year or services.years_with_data():
            done = services.compute_year(each, force=force)
            if done is None:
                self.stdout.write("尚无计算方法：请先运行 load_devindex_reference。")
                return
            self.stdout.write(
                f"{each} 年：{done.counties_ranked} 个县域参与排名，{done.counties_unranked} 个未参与（方法第 {done.method_version.number} 版）。"
            )
