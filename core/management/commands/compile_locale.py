"""Compile every .po catalog of the project (locale/ and each app's own locale/) into .mo files without GNU gettext."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def locale_dirs() -> list[Path]:
    """The project's LOCALE_PATHS and the `locale/` folder of each installed app of the project itself (a top-level
    package beside manage.py; never third-party apps in the virtual environment)."""
    base = Path(settings.BASE_DIR).resolve()
    dirs = [Path(d) for d in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        folder = Path(config.path).resolve() / "locale"
        if folder.is_dir() and folder.parent.parent == base:
            dirs.append(folder)
    return dirs


def catalogs() -> list[Path]:
    """Every .po file the project ships, in a stable order."""
    return sorted(po for d in locale_dirs() for po in Path(d).glob("*/LC_MESSAGES/*.po"))


class Command(BaseCommand):
    """`python manage.py compile_locale`: run by the setup so translations never need compiling by hand."""

    help = "编译翻译文件（.po → .mo）"

    def handle(self, *args, **options):
        count = 0
        for po_path in catalogs():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name)
            with po_path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"已编译 {count} 个翻译文件。"))
