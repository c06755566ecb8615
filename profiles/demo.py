"""Demo data of 资料维护: one pending revision of the demo university's profile for an administrator to moderate."""

from accounts.models import User
from profiles import entries, services
from profiles.models import ProfileRevision

DEMO_EDITOR = "inst_dhu"
DEMO_ADDITION = "功能纤维与智能可穿戴"
DEMO_NOTE = "（示例）补充学校新设的功能纤维与智能可穿戴方向"


def ensure_demo_revision() -> ProfileRevision | None:
    """The demo institution proposes a new field (once; nothing if its persona or entry is missing)."""
    user = User.objects.select_related("organization").filter(username=DEMO_EDITOR).first()
    if user is None or user.organization is None:
        return None
    existing = ProfileRevision.objects.filter(organization=user.organization).first()
    if existing is not None:
        return existing
    found = [e for e in entries.entries_of(user.organization) if e.resource_type == "institution"]
    if not found:
        return None
    entry = found[0]
    fields = entry.obj.fields or ""
    new_fields = f"{fields}；{DEMO_ADDITION}" if fields else DEMO_ADDITION
    return services.submit_revision(by=user, entry=entry, data={"fields": new_fields}, note=DEMO_NOTE)
