"""工作台: what waits for the signed-in user, by role — the page each persona lands on after login.

Each section is a title, a count, up to five linked rows and a link to the full list, all read through the
same scoping (`visible_to`) as the lists. Other domains add their own sections (meetings today, reviews and
declarations due) by appending a function to `SECTIONS`: `section(user, scope) -> Section | None`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scoping import Scope
from matchmaking.choices import OrderState
from matchmaking.models import Invitation, Notification, Order, Proposal
from matchmaking.unread import unread_count

ROWS = 5


@dataclass
class Section:
    """One block of the workbench."""

    title: str
    count: int
    rows: list[tuple[str, str]] = field(default_factory=list)  # (text, url)
    more_url: str = ""
    empty: str = ""
    urgent: bool = False


def _orders(qs, title, more_url, empty, urgent=False) -> Section:
    count = qs.count()
    rows = [(o.title, o.get_absolute_url()) for o in qs.order_by("-updated_at", "-pk")[:ROWS]]
    return Section(title, count, rows, more_url, empty, urgent and count > 0)


def county_sections(user, scope) -> list[Section]:
    """A county: responses to decide, orders returned for changes, drafts."""
    if not scope.is_county:
        return []
    mine = Order.objects.visible_to(user)
    pending = (
        Proposal.objects.filter(order__in=mine, state="pending").select_related("order", "provider_org")
    ).order_by("-created_at")
    return [
        Section(
            _("待处理的响应"),
            pending.count(),
            [
                (f"{r.provider_org.name} → {r.order.title}", r.order.get_absolute_url())
                for r in pending[:ROWS]
            ],
            reverse("orders:county") + "?state=docking",
            _("没有待处理的响应。"),
            urgent=pending.exists(),
        ),
        _orders(
            mine.filter(state=OrderState.RETURNED),
            _("退回修改的需求"),
            reverse("orders:county") + "?state=returned",
            _("没有退回修改的需求。"),
            urgent=True,
        ),
        _orders(
            mine.filter(state=OrderState.DRAFT),
            _("草稿"),
            reverse("orders:county") + "?state=draft",
            _("没有草稿。"),
        ),
    ]


def body_sections(user, scope) -> list[Section]:
    """A provincial body: orders to claim, and the orders it took that are under way."""
    if not scope.is_body:
        return []
    visible = Order.objects.visible_to(user)
    return [
        _orders(
            visible.filter(state=OrderState.PUBLISHED, claimed_by_body__isnull=True),
            _("待接单的需求"),
            reverse("orders:queue"),
            _("没有待接单的需求。"),
            urgent=True,
        ),
        _orders(
            visible.filter(
                claimed_by_body_id=scope.body_id, state__in=[OrderState.CLAIMED, OrderState.DOCKING]
            ),
            _("本部门承办中的需求"),
            reverse("orders:taken"),
            _("没有承办中的需求。"),
        ),
    ]


def city_sections(user, scope) -> list[Section]:
    """A prefecture city: its counties' orders still unclaimed after their deadline."""
    if not scope.is_city:
        return []
    late = Order.objects.visible_to(user).filter(state=OrderState.PUBLISHED, claim_due_at__lt=timezone.now())
    return [
        _orders(late, _("接单超时、需要协调的需求"), reverse("orders:city"), _("没有接单超时的需求。"), True)
    ]


def provider_sections(user, scope) -> list[Section]:
    """A provider: invitations to answer, and its responses still waiting for the county."""
    if not scope.is_provider:
        return []
    answered = Proposal.objects.filter(provider_org_id=scope.org_id).values("order_id")
    invited = (
        Invitation.objects.filter(provider_org_id=scope.org_id, order__state=OrderState.PUBLISHED)
        .exclude(order_id__in=answered)
        .select_related("order")
        .order_by("-created_at")
    )
    waiting = (
        Proposal.objects.filter(provider_org_id=scope.org_id, state="pending")
        .select_related("order")
        .order_by("-created_at")
    )
    return [
        Section(
            _("邀请您响应的需求"),
            invited.count(),
            [(i.order.title, i.order.get_absolute_url()) for i in invited[:ROWS]],
            reverse("orders:matched"),
            _("没有待响应的邀请。"),
            urgent=invited.exists(),
        ),
        Section(
            _("等待县域处理的响应"),
            waiting.count(),
            [(r.order.title, r.order.get_absolute_url()) for r in waiting[:ROWS]],
            reverse("orders:responses"),
            _("没有等待处理的响应。"),
        ),
    ]


def admin_sections(user, scope) -> list[Section]:
    """Administrators: orders to moderate and account applications to decide."""
    if not scope.is_admin:
        return []

    applicants = User.objects.visible_to(user).applicants().order_by("date_joined")
    return [
        _orders(
            Order.objects.filter(state=OrderState.SUBMITTED),
            _("待审核的需求"),
            reverse("orders:moderation"),
            _("没有待审核的需求。"),
            urgent=True,
        ),
        Section(
            _("待审核的账号申请"),
            applicants.count(),
            [(f"{u.display_name}（{u.username}）", reverse("accounts:approvals")) for u in applicants[:ROWS]],
            reverse("accounts:approvals"),
            _("没有待审核的账号申请。"),
            urgent=applicants.exists(),
        ),
    ]


def messages_section(user, scope) -> list[Section]:
    """Everyone: unread messages."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at", "-pk")
    count = unread_count(user)  # cached: with none unread, no query at all
    return [
        Section(
            _("未读消息"),
            count,
            [(n.display_title, reverse("orders:inbox")) for n in unread[:ROWS]] if count else [],
            reverse("orders:inbox"),
            _("没有未读消息。"),
        )
    ]


SECTIONS: list[Callable] = [
    admin_sections,
    county_sections,
    body_sections,
    city_sections,
    provider_sections,
    messages_section,
]


def sections_for(user) -> list[Section]:
    """The user's workbench, most pressing first (sections with something waiting before empty ones)."""
    scope = Scope.for_user(user)
    found = [section for build in SECTIONS for section in build(user, scope)]
    return sorted(found, key=lambda s: (not s.urgent, s.count == 0))


__all__ = ["SECTIONS", "Section", "sections_for"]
