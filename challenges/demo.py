"""Demo personas of 揭榜挂帅: review experts (one from an institution that may also bid, so conflicts of
interest show) and an institution bidder of the same university. Used by `seed_demo_challenges` and the tests."""

from collections.abc import Callable

from accounts.choices import MemberRole, OrgKind, ProviderKind
from accounts.models import Organization, User
from chains.models import Institution

# username → (label, organization name, institution name, last name, first name, role)
EXPERTS = {
    "expert_lin": ("评审专家（福州大学教授）", "福州大学", "福州大学", "林", "教授", MemberRole.MEMBER),
    "expert_wu": ("评审专家（厦门大学教授）", "厦门大学", "厦门大学", "吴", "教授", MemberRole.MEMBER),
    "inst_fzu": ("福州大学科研院对接人", "福州大学", "福州大学", "郑", "研", MemberRole.MANAGER),
}


def ensure_challenge_personas(password_factory: Callable[[], str]) -> list[tuple[str, str, str]]:
    """Create the missing experts and bidders (reference data and personas must exist); return those created."""
    created = []
    for username, (label, org_name, inst_name, last, first, role) in EXPERTS.items():
        institution = Institution.objects.get(name=inst_name)
        org, _new = Organization.objects.get_or_create(
            name=org_name,
            is_active=True,
            defaults={
                "kind": OrgKind.PROVIDER,
                "provider_kind": ProviderKind.INSTITUTION,
                "institution": institution,
            },
        )
        if User.objects.filter(username=username).exists():
            continue
        secret = password_factory()
        user = User(
            username=username,
            email=f"{username}@example.com",
            organization=org,
            role=role,
            last_name=last,
            first_name=first,
        )
        user.set_password(secret)
        user.save()
        created.append((username, label, secret))
    return created
