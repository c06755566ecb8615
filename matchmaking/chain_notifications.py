"""Telling the next party about a county key chain's declaration step (chains sends `chain_event_logged`).

    declared, submitted  → the county's prefecture city (待审核)
    reviewed             → the bodies that confirm chains (省工信厅) (待认定)
    returned, confirmed, revoked, adjusted → the chain's county

Rows are in-app notifications (kind `chain`, pointing at the chain) and are e-mailed like every other.
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from chains.choices import ChainEventKind
from chains.models import ChainEvent
from chains.signals import chain_event_logged
from core import dispatch
from matchmaking.choices import NotificationKind
from matchmaking.models import Notification
from matchmaking.notifications import _users


def _recipients(event: ChainEvent):
    chain = event.chain
    if event.kind in (ChainEventKind.DECLARED, ChainEventKind.SUBMITTED):
        return _users().filter(
            organization__kind=OrgKind.CITY, organization__prefecture_id=chain.county.prefecture_id
        )
    if event.kind == ChainEventKind.REVIEWED:
        return _users().filter(
            organization__kind=OrgKind.BODY, organization__provincial_body__confirms_chains=True
        )
    if event.kind in (
        ChainEventKind.RETURNED,
        ChainEventKind.CONFIRMED,
        ChainEventKind.REVOKED,
        ChainEventKind.ADJUSTED,
    ):
        return _users().filter(organization__kind=OrgKind.COUNTY, organization__county_id=chain.county_id)
    return _users().none()


TITLES = {
    ChainEventKind.DECLARED: _("重点产业链申报待审核"),
    ChainEventKind.SUBMITTED: _("重点产业链重新申报待审核"),
    ChainEventKind.REVIEWED: _("重点产业链市审核通过，待认定"),
    ChainEventKind.RETURNED: _("重点产业链申报被退回修改"),
    ChainEventKind.CONFIRMED: _("重点产业链已认定"),
    ChainEventKind.REVOKED: _("重点产业链已撤销"),
    ChainEventKind.ADJUSTED: _("重点产业链申报内容已被省级调整"),
}


@receiver(chain_event_logged, dispatch_uid="matchmaking.chain_notifications")
def notify_chain_event(sender, event_id: int, **kwargs) -> int:
    """Write the notifications of one history step (after its commit) and e-mail them; return how many."""
    event = ChainEvent.objects.select_related("chain__county__prefecture").filter(pk=event_id).first()
    if event is None or event.kind not in TITLES:
        return 0
    title = f"{TITLES[event.kind]}：{event.chain.name}"
    body = event.note
    rows = [
        Notification(
            recipient=user, kind=NotificationKind.CHAIN, chain=event.chain, title=title[:200], body=body
        )
        for user in _recipients(event).exclude(pk=event.actor_id or 0)
    ]
    if not rows:
        return 0
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows)
        ids = [n.pk for n in created if n.pk is not None] or list(
            Notification.objects.filter(chain=event.chain, kind=NotificationKind.CHAIN)
            .order_by("-pk")
            .values_list("pk", flat=True)[: len(rows)]
        )
        dispatch.enqueue_batch_on_commit("matchmaking.tasks.orders.send_notification_emails", ids)
    return len(rows)
