"""`python manage.py tally_orders`: check the dashboards' summary table against a fresh count, or rebuild it.

python manage.py tally_orders            # list the cells that drifted (exit status 1 when any)
python manage.py tally_orders --rebuild  # recount every cell from the orders (after bulk writes)
"""

from django.core.management.base import BaseCommand, CommandError

from matchmaking import tally


class Command(BaseCommand):
    """Compare the summary table (`OrderTally`) with a plain count of the orders, or rebuild it."""

    help = "核对看板汇总表与需求的直接计数（列出不一致的单元），或用 --rebuild 从需求重新计算整张表。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="从需求重新计算整张汇总表")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            cells = tally.rebuild()
            self.stdout.write(self.style.SUCCESS(f"已重建看板汇总表：{cells} 个单元"))
            return
        drifted = tally.drift()
        for key, stored, counted in drifted[:20]:
            self.stdout.write(f"{key}: 汇总表 {stored} ≠ 直接计数 {counted}")
        if drifted:
            raise CommandError(
                f"看板汇总表有 {len(drifted)} 个单元与直接计数不一致：请运行 tally_orders --rebuild。"
            )
        self.stdout.write(self.style.SUCCESS("看板汇总表与直接计数一致。"))
