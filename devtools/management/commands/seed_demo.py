"""Create the demo personas (one user per role, one shared password) and print their logins as one table."""

import os
import secrets

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from devtools.personas import ensure_personas, login_table, persona_password_matches, reset_persona_passwords


class Command(BaseCommand):
    """`python manage.py seed_demo [--reset-passwords]`: the shared password comes from DEMO_PASSWORD."""

    help = (
        "创建演示账号（每个角色一个，全部使用同一个密码）：密码取自 DEMO_PASSWORD 环境变量（make run 生成并保存在"
        " .env.local），未设置时随机生成并只打印一次。--reset-passwords 把已有演示账号的密码改为该密码。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="把已有演示账号的密码全部改为 DEMO_PASSWORD（未设置时随机生成一个并打印）",
        )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or None
        generated = password is None
        if generated:
            password = "Demo-" + secrets.token_urlsafe(9)
        with transaction.atomic():
            created = ensure_personas(password_factory=lambda: password)
            if apps.is_installed(
                "profiles"
            ):  # 资料维护: one pending revision for an administrator to moderate
                from profiles.demo import ensure_demo_revision

                ensure_demo_revision()
            reset = reset_persona_passwords(password) if options["reset_passwords"] else []
        quiet = options["verbosity"] == 0
        if created:
            self.stdout.write(self.style.SUCCESS(f"已创建 {len(created)} 个演示账号。"))
        if reset:
            self.stdout.write(self.style.SUCCESS(f"已把 {len(reset)} 个演示账号的密码改为共用演示密码。"))
        if not created and not reset:
            self.stdout.write("演示账号已存在，未做改动。")
            if generated:
                self.stdout.write(
                    "未设置 DEMO_PASSWORD，密码不再显示；设置它后运行 seed_demo --reset-passwords 可重设。"
                )
                return
        if quiet and not generated:
            return  # `make run`: the development server prints the table as its last lines
        matches = True if reset else persona_password_matches(password)
        shown = password if (created or reset or not generated) else None
        self.stdout.write(login_table(shown, site_url=settings.SITE_URL, password_ok=matches))
        if generated and (created or reset):
            self.stdout.write(
                self.style.WARNING("这个密码是随机生成的，不会再次显示；设置 DEMO_PASSWORD 可固定它。")
            )
