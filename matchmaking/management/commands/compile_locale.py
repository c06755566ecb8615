"""Compile locale/*/LC_MESSAGES/*.po into .mo files without needing GNU gettext on the machine."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """`python manage.py compile_locale`: run by the setup so translations never need compiling by hand."""

    help = "编译翻译文件（.po → .mo）"

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as handle:
                    catalog = read_po(handle, locale=po_path.parent.parent.name)
                with po_path.with_suffix(".mo").open("wb") as handle:
                    write_mo(handle, catalog, use_fuzzy=False)
                count += 1
        self.stdout.write(self.style.SUCCESS(f"已编译 {count} 个翻译文件。"))
