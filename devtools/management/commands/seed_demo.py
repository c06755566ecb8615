"""Create the demo personas (one user per role) and print their logins once; re-running changes nothing."""

import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from devtools.personas import ensure_personas


class Command(BaseCommand):
    """`python manage.py seed_demo`: passwords from DEMO_PASSWORD, else generated and printed once."""

    help = "创建演示账号（每个角色一个），密码取自 DEMO_PASSWORD 环境变量，否则随机生成并只打印一次。"

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or None
        with transaction.atomic():
            created = ensure_personas(password_factory=(lambda: password) if password else _generate)
        if not created:
            self.stdout.write("演示账号已存在，未做改动。")
            return
        self.stdout.write(self.style.SUCCESS("已创建演示账号（请妥善保存，密码不会再次显示）："))
        for username, label, secret in created:
            self.stdout.write(f"  {username:<18} {label:<24} 密码：{secret}")


def _generate() -> str:
    return secrets.token_urlsafe(12)
