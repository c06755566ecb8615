"""Issue 12 part 3: one bad e-mail never drops the others. A title with CR/LF (stored before validation) made
Django refuse the message with BadHeaderError and the whole batch stopped; now header values are sanitized,
each message is sent on its own, and a failing one is skipped or retried alone."""

import smtplib

import pytest
from django.core import mail

from matchmaking.choices import NotificationKind
from matchmaking.models import Notification
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
