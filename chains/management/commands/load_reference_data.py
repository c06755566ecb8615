"""Load (or refresh) the reference data shipped in chains/data/: regions, chain types, chains, catalog."""

from pathlib import Path

from django.core.management.base import BaseCommand

from chains.loaders import DATA_DIR, load_reference_data


class Command(BaseCommand):
    """`python manage.py load_reference_data [--data-dir DIR]`: idempotent; prints counts per model."""

    help = "加载随项目发布的参考数据（设区市、县域、产业链类型与环节、县域重点产业链、资源库）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", type=Path, default=DATA_DIR, help="CSV/JSON 所在目录（默认随项目发布的数据）"
        )

    def handle(self, *args, data_dir: Path, **options):
        report = load_reference_data(data_dir)
        names = sorted(set(report.created) | set(report.updated) | set(report.unchanged))
        for name in names:
            self.stdout.write(
                f"{name:<20} 新增 {report.created.get(name, 0):>4}  更新 {report.updated.get(name, 0):>4}  "
                f"未变 {report.unchanged.get(name, 0):>4}"
            )
        self.stdout.write(self.style.SUCCESS(f"参考数据已加载：{report.changed} 行有变化。"))
