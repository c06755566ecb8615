"""Load the index's reference data: indicator system, first method version, published 2025 results, tiers."""

from django.core.management.base import BaseCommand

from devindex.reference import load_reference


class Command(BaseCommand):
    """`python manage.py load_devindex_reference` (idempotent; run after load_reference_data)."""

    help = "加载发展指数参考数据：指标体系、初始计算方法（等权）、白皮书公布的 2025 年结果和县域层级。可重复运行。"

    def handle(self, *args, **options):
        report = load_reference()
        self.stdout.write(
            self.style.SUCCESS(
                f"发展指数参考数据：指标变动 {report.indicators}，"
                f"{'新建初始方法版本，' if report.method_created else ''}"
                f"公布结果变动 {report.published}，层级变动 {report.tiers}。"
            )
        )
