"""Helpers shared by the accounts tests."""

from accounts.choices import ApprovalState, MemberRole
from accounts.models import User

PASSWORD = "Demo-Password-2026!"


def make_member(org, username, *, active=True, role=MemberRole.MEMBER, **extra) -> User:
    """A member of `org` with the demo password."""
    user = User(
        username=username,
        email=f"{username}@example.com",
        organization=org,
        role=role,
        is_active=active,
        approval_state=ApprovalState.APPROVED,
        last_name="测",
        first_name=username[-2:],
        phone="13900000000",
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def post_login(client, username, password=PASSWORD, url="/accounts/login/"):
    """Submit the real login form."""
    return client.post(url, {"username": username, "password": password})
