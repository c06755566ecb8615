"""Demo personas shared by `seed_demo` and the tests: one user per role, fixed usernames."""

from collections.abc import Callable

from accounts.choices import MemberRole, OrgKind
from accounts.models import Organization, User

ADMIN = ("admin", "平台管理员（超级用户）")


def ensure_personas(password_factory: Callable[[], str]) -> list[tuple[str, str, str]]:
    """Create the missing personas; return (username, label, password) for each one created."""
    created = []
    platform, _ = Organization.objects.get_or_create(
        name="四链对接平台管理方", defaults={"kind": OrgKind.PLATFORM}
    )
    username, label = ADMIN
    if not User.objects.filter(username=username).exists():
        secret = password_factory()
        User.objects.create_superuser(
            username=username,
            email="admin@example.com",
            password=secret,
            organization=platform,
            role=MemberRole.MANAGER,
            last_name="平台",
            first_name="管理员",
        )
        created.append((username, label, secret))
    return created
