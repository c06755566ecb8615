"""Service levels: working-day arithmetic and each order's clock (claim deadline, progress deadline).

Working days are Monday to Friday in the site's time zone; no public-holiday calendar is applied.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matchmaking.choices import OrderState


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days (Mon–Fri) after `start`, at the same local time."""
    current = timezone.localtime(start)
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            counted += 1
    return current


def claim_deadline_after(published_at: datetime) -> datetime:
    """The claim deadline of an order published at `published_at`: N working days later (N from settings)."""
    return add_working_days(published_at, settings.CLAIM_SLA_WORKING_DAYS)


def claim_deadline(order) -> datetime | None:
    """When a published order should have been claimed by: the deadline fixed at its publication."""
    if order.published_at is None:
        return None
    return order.claim_due_at or claim_deadline_after(order.published_at)


def progress_deadline(order) -> datetime | None:
    """When a claimed order without progress gets a reminder (M days after its last progress)."""
    last = order.last_progress_at or order.claimed_at
    if last is None:
        return None
    return last + timedelta(days=settings.PROGRESS_SLA_DAYS)


@dataclass(frozen=True)
class Clock:
    """What the order page shows about its service level."""

    label: str
    deadline: datetime
    overdue: bool

    @property
    def css(self) -> str:
        """Bootstrap colour of the clock."""
        return "danger" if self.overdue else "success"


def clock(order, now: datetime | None = None) -> Clock | None:
    """The running service-level clock of an order, or None when no clock runs in its state."""
    now = now or timezone.now()
    if order.state == OrderState.PUBLISHED:
        deadline = claim_deadline(order)
        label = _("接单时限（%(n)s 个工作日）") % {"n": settings.CLAIM_SLA_WORKING_DAYS}
    elif order.state in (OrderState.CLAIMED, OrderState.DOCKING):
        deadline = progress_deadline(order)
        label = _("进展时限（%(n)s 天无进展即提醒）") % {"n": settings.PROGRESS_SLA_DAYS}
    else:
        return None
    if deadline is None:
        return None
    return Clock(label=str(label), deadline=deadline, overdue=deadline < now)
