"""Celery tasks of the order workflow: notification e-mails, digests, subscriptions, service-level checks.

Tasks take ids, are idempotent and retry with backoff; the business rules live in `matchmaking.services`
and `matchmaking.notifications`; they enqueue these tasks by name (`core.dispatch`) and never import them.
"""

import logging
import smtplib
import unicodedata

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import compiledsql
from matchmaking import notifications, services, tally
from matchmaking.choices import NotificationKind, OrderState
from matchmaking.models import Notification, NotificationPreference, Order

MAIL_ERRORS = (smtplib.SMTPException, OSError)
logger = logging.getLogger(__name__)


def _preference(user):
    pref, _created = NotificationPreference.objects.get_or_create(user=user)
    return pref


def _preferences(users) -> dict:
    """Each user's preferences by user id, in one query; created (defaults) for those who have none yet."""
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    for user in users:
        if user.pk not in prefs:
            prefs[user.pk] = _preference(user)
    return prefs


def _unmailed(ids):
    """The notifications with these ids not yet e-mailed, with their recipients."""
    return Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).select_related("recipient")


def _site_line(notification) -> str:
    if notification.order_id:
        link = settings.SITE_URL + reverse("orders:detail", args=[notification.order_id])
        return _("请登录四链对接平台查看：%(link)s") % {"link": link}
    if notification.chain_id:
        link = settings.SITE_URL + reverse("chains:chain", args=[notification.chain_id])
        return _("请登录四链对接平台查看：%(link)s") % {"link": link}
    return _("请登录四链对接平台查看：%(link)s") % {"link": settings.SITE_URL + "/"}


def header_text(value: str) -> str:
    """A value safe for a mail header: line breaks and other control characters become single spaces (a CR or
    LF in a header makes Django refuse the message with BadHeaderError)."""
    return " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(value)).split())


@shared_task(bind=True, max_retries=5)
def send_notification_emails(self, notification_ids: list[int]) -> int:
    """E-mail each notification not yet mailed whose recipient wants immediate e-mail, one message at a time:
    a message that fails never stops the others. A mail server error leaves that notification unmailed and
    retries only those later (with backoff); a message that cannot be built is logged and skipped."""
    sent = 0
    retry = []
    # compiled once per connection and number of ids (a worker keeps its connection, see CELERY_DB_REUSE_MAX)
    pending = compiledsql.fetch("notification-emails", _unmailed, tuple(notification_ids))
    prefs = _preferences(list({n.recipient_id: n.recipient for n in pending}.values()))
    for notification in pending:
        user = notification.recipient
        pref = prefs[user.pk]
        if not user.email or not pref.email_enabled or pref.daily_digest:
            continue
        try:
            with transaction.atomic(), translation.override(pref.language or settings.LANGUAGE_CODE):
                claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
                    emailed_at=timezone.now()
                )
                if not claimed:
                    continue
                send_mail(
                    subject=header_text(
                        _("[四链对接平台] %(title)s") % {"title": notification.display_title}
                    ),
                    message=f"{notification.display_body}\n\n{_site_line(notification)}".strip(),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[user.email],
                )
        except MAIL_ERRORS:
            logger.warning("notification e-mail %s failed; retried later", notification.pk, exc_info=True)
            retry.append(notification.pk)
            continue
        except Exception:
            logger.exception("notification e-mail %s could not be sent; skipped", notification.pk)
            continue
        sent += 1
    if retry:
        if self.request.called_directly or self.request.retries >= self.max_retries:
            logger.error("notification e-mails %s not sent after retries", retry)
        else:
            raise self.retry(args=(retry,), countdown=60 * 2**self.request.retries)
    return sent


@shared_task(bind=True, autoretry_for=MAIL_ERRORS, retry_backoff=True, max_retries=5)
def send_daily_digests(self) -> int:
    """One e-mail per digest subscriber listing the notifications not yet mailed; return how many mails."""
    mails = 0
    prefs = NotificationPreference.objects.filter(
        daily_digest=True, email_enabled=True, user__is_active=True
    ).select_related("user")
    for pref in prefs:
        user = pref.user
        if not user.email:
            continue
        with transaction.atomic(), translation.override(pref.language or settings.LANGUAGE_CODE):
            pending = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, emailed_at__isnull=True)
                .order_by("created_at")
            )
            if not pending:
                continue
            lines = [f"· {n.created_at:%m-%d %H:%M} {header_text(n.display_title)}" for n in pending]
            send_mail(
                subject=header_text(_("[四链对接平台] 每日汇总：%(n)s 条新消息") % {"n": len(pending)}),
                message="\n".join(lines),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )
            now = timezone.now()
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
            NotificationPreference.objects.filter(pk=pref.pk).update(last_digest_at=now)
        mails += 1
    return mails


def _order_with_county_and_chain(order_id: int):
    """The order (a queryset of at most one) with its county and chain."""
    return Order.objects.select_related("county", "chain").filter(pk=order_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_order_subscribers(self, order_id: int) -> int:
    """Tell subscribers about a newly published order (once: skipped if they were already told)."""
    rows = compiledsql.fetch("order-subscribers.order", _order_with_county_and_chain, order_id)
    order = rows[0] if rows else None
    if order is None or order.state != OrderState.PUBLISHED:
        return 0
    if Notification.objects.filter(order=order, kind=NotificationKind.SUBSCRIPTION).exists():
        return 0
    with transaction.atomic():
        return notifications.notify_subscribers(order)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def check_service_levels(self) -> dict:
    """Remind bodies of unclaimed and stalled orders and escalate them to administrators (hourly)."""
    return {"claim": services.remind_unclaimed_orders(), "progress": services.remind_stalled_orders()}


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def expire_orders(self) -> int:
    """Expire submitted and published orders whose desired date has passed (daily)."""
    return services.expire_due_orders()


__all__ = [
    "check_service_levels",
    "expire_orders",
    "notify_order_subscribers",
    "send_daily_digests",
    "send_notification_emails",
]


@shared_task
def check_order_tally(rebuild: bool = False) -> int:
    """Compare the dashboards' summary table with a plain count (`matchmaking.tally.drift`), log the cells
    that drifted and, with `rebuild`, recount the whole table; return the number of drifted cells."""
    drifted = tally.drift()
    for key, stored, counted in drifted[:20]:
        logger.error("order tally drift %s: stored %s, counted %s", key, stored, counted)
    if drifted and rebuild:
        tally.rebuild()
    return len(drifted)
