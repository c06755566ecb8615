"""Issue 12 part 3: one bad e-mail never drops the others. A title with CR/LF (stored before validation) made
Django refuse the message with BadHeaderError and the whole batch stopped; now header values are sanitized,
each message is sent on its own, and a failing one is skipped or retried alone."""

import smtplib

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matchmaking.choices import NotificationKind
from matchmaking.models import Notification, NotificationPreference
from matchmaking.tasks import orders as tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(personas):
    users = [personas[name] for name in ("county_jinjiang", "county_luoyuan", "body_kjt")]
    for user in users:
        user.email = user.email or f"{user.username}@example.com"
        user.save(update_fields=["email"])
    titles = ["第一条：正常标题", "恶意\r\nBcc: victim@example.com\r\n标题", "第三条：正常标题"]
    return [
        Notification.objects.create(recipient=user, kind=NotificationKind.SUBMITTED, title=title, body="正文")
        for user, title in zip(users, titles, strict=True)
    ]


def test_a_title_with_line_breaks_is_sent_on_one_line_and_the_batch_goes_on(batch):
    mail.outbox = []
    sent = tasks.send_notification_emails([n.pk for n in batch])
    assert sent == 3 and len(mail.outbox) == 3
    subjects = [m.subject for m in mail.outbox]
    assert any("恶意 Bcc: victim@example.com 标题" in s for s in subjects)
    assert all("\r" not in s and "\n" not in s for s in subjects)
    assert all(m.bcc == [] for m in mail.outbox)
    assert not Notification.objects.filter(pk__in=[n.pk for n in batch], emailed_at__isnull=True).exists()


def test_one_failing_message_does_not_stop_the_others(batch, monkeypatch):
    real = tasks.send_mail

    def flaky(**kwargs):
        if kwargs["recipient_list"] == [batch[0].recipient.email]:
            raise smtplib.SMTPRecipientsRefused({kwargs["recipient_list"][0]: (550, b"no")})
        if kwargs["recipient_list"] == [batch[1].recipient.email]:
            raise ValueError("cannot build this message")
        return real(**kwargs)

    monkeypatch.setattr(tasks, "send_mail", flaky)
    mail.outbox = []
    assert tasks.send_notification_emails([n.pk for n in batch]) == 1
    assert [m.to for m in mail.outbox] == [[batch[2].recipient.email]]
    # The server error left its notification unmailed (retried later); the others are marked.
    unmailed = set(Notification.objects.filter(emailed_at__isnull=True).values_list("pk", flat=True))
    assert batch[0].pk in unmailed and batch[2].pk not in unmailed


def test_header_text():
    assert tasks.header_text("a\r\nb\x00c\td") == "a b c d"


def test_preferences_are_read_once_per_batch_and_created_for_users_without_them(batch, personas):
    first, second, third = (n.recipient for n in batch)
    NotificationPreference.objects.create(user=second, email_enabled=False)
    NotificationPreference.objects.create(user=third, daily_digest=True)
    again = Notification.objects.create(
        recipient=first, kind=NotificationKind.SUBMITTED, title="又一条", body=""
    )
    ids = [n.pk for n in batch] + [again.pk]
    mail.outbox = []
    with CaptureQueriesContext(connection) as ctx:
        assert tasks.send_notification_emails(ids) == 2
    assert sorted(m.subject for m in mail.outbox) == [
        "[四链对接平台] 又一条",
        "[四链对接平台] 第一条：正常标题",
    ]
    assert all(m.to == [first.email] for m in mail.outbox)
    assert NotificationPreference.objects.filter(user=first, email_enabled=True, daily_digest=False).exists()
    preference_reads = [
        q for q in ctx.captured_queries if "notificationpreference" in q["sql"] and "SELECT" in q["sql"]
    ]
    assert len(preference_reads) == 2  # the batch's, then the get_or_create of the one user without a row
    unmailed = set(
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).values_list("pk", flat=True)
    )
    assert unmailed == {batch[1].pk, batch[2].pk}  # e-mail off, digest: left for the digest or never mailed
    mail.outbox = []
    assert tasks.send_notification_emails(ids) == 0 and mail.outbox == []  # run again: nothing twice
