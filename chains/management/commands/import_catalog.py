"""Import a CSV/XLSX sheet of county chains or a catalog model; any bad row rejects the whole file."""

from django.core.management.base import BaseCommand, CommandError

from chains.resources import IMPORT_KINDS
from chains.services import SpreadsheetError, import_catalog_file


class Command(BaseCommand):
    """`python manage.py import_catalog KIND FILE [--dry-run]`."""

    help = "从 CSV 或 XLSX 导入县域重点产业链或资源库数据。任一行有误则整个文件不导入，并列出行号与原因。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(IMPORT_KINDS), help="导入类型")
        parser.add_argument(
            "file", help="CSV 或 XLSX 文件路径（首行为表头，列名同 chains/data/ 下的同名 CSV）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")

    def handle(self, *args, kind, file, dry_run, **options):
        try:
            outcome = import_catalog_file(kind, file, dry_run=dry_run)
        except (SpreadsheetError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        label = IMPORT_KINDS[kind].label
        if not outcome.ok:
            for problem in outcome.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{label}：{len(outcome.problems)} 处错误，文件未导入（共 {outcome.total} 行）。"
            )
        verb = "检查通过（未写入）" if dry_run else "已导入"
        self.stdout.write(
            self.style.SUCCESS(
                f"{label}{verb}：共 {outcome.total} 行，新增 {outcome.new}，更新 {outcome.updated}，"
                f"未变 {outcome.unchanged}。"
            )
        )
