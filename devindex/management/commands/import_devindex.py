"""Import a CSV/XLSX sheet of yearly indicator values; any bad row rejects the whole file."""

from django.core.management.base import BaseCommand, CommandError

from chains.services import SpreadsheetError, read_dataset
from devindex import services


class Command(BaseCommand):
    """`python manage.py import_devindex FILE [--dry-run]`."""

    help = (
        "从 CSV 或 XLSX 导入县域年度指标值（每行一个县域和年度，列为 县域、年度 和各指标，列名为指标代码或指标名称，"
        "可带单位如“规上工业营业收入（亿元）”；空格表示未填报）。任一行有误则整个文件不导入，并列出行号与原因。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 XLSX 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")

    def handle(self, *args, file, dry_run, **options):
        try:
            outcome = services.import_values(read_dataset(file), dry_run=dry_run)
        except (SpreadsheetError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if not outcome.ok:
            for problem in outcome.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(outcome.problems)} 处错误，文件未导入（共 {outcome.total} 行）。")
        verb = "检查通过（未写入）" if dry_run else "已导入"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}：共 {outcome.total} 行，新增 {outcome.new}，更新 {outcome.updated}，未变 {outcome.unchanged}；"
                f"年度 {', '.join(map(str, outcome.years)) or '—'}。"
            )
        )
