"""`make run`'s development server: Django's runserver that prints the demo logins as its last lines."""

import os

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from devtools.personas import login_table, persona_password_matches


class Command(RunserverCommand):
    """runserver, then one table: the demo accounts, their shared password and the addresses to open."""

    help = "开发服务器（同 runserver），启动后打印演示账号、共用密码和访问地址。"

    def on_bind(self, server_port):
        """Django's start-up lines, then the table (printed again after each automatic reload)."""
        os.environ.setdefault("DJANGO_RUNSERVER_HIDE_WARNING", "true")  # `make run` is development only
        super().on_bind(server_port)
        host = "127.0.0.1" if self.addr in ("0", "0.0.0.0") else self.addr  # noqa: S104 - a URL to print
        if self._raw_ipv6:
            host = f"[{host}]"
        password = os.environ.get("DEMO_PASSWORD") or None
        matches = persona_password_matches(password) if password else None
        self.stdout.write(
            login_table(password, site_url=f"{self.protocol}://{host}:{server_port}", password_ok=matches)
        )
