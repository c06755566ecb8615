"""Platform wording in notifications, e-mails and the timeline is rendered in each reader's language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from matchmaking import services
from matchmaking.models import Notification, NotificationPreference, OrderEvent

pytestmark = pytest.mark.django_db


def test_notification_titles_and_timeline_notes_follow_the_reader(
    client, make_order, county_jinjiang, platform_admin, body_kjt
):
    order = make_order()
    services.submit_order(order, by=county_jinjiang)
    services.approve_order(order, by=platform_admin)
    services.claim_order(order, by=body_kjt)
    note = Notification.objects.filter(recipient=platform_admin, order=order, kind="submitted").get()
    claimed = OrderEvent.objects.get(order=order, kind="claimed")
    with translation.override("en"):
        assert note.display_title == f"New order awaiting review: {order.title}"
        assert claimed.display_note == f"Handler: {body_kjt}"
    with translation.override("zh-hans"):
        assert note.display_title == f"新需求待审核：{order.title}"
        assert claimed.display_note == f"承办人：{body_kjt}"
    assert note.title == f"新需求待审核：{order.title}"  # stored Chinese copy for search

    client.force_login(county_jinjiang, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert f"Handler: {body_kjt}" in page
    assert "Engagement started" not in page  # not there yet; the label exists for the docking event
    inbox = client.get(reverse("orders:inbox")).content.decode()
    assert f"Your order has been approved and published: {order.title}" in inbox
    api = client.get("/api/v1/notifications/").json()
    assert all("：" not in item["title"] for item in api["results"])


def test_decline_e_mail_in_the_providers_language(make_order, drive, county_jinjiang, bank_cib, mailoutbox):
    from matchmaking.choices import OrderKind

    NotificationPreference.objects.update_or_create(user=bank_cib, defaults={"language": "en"})
    order = drive(make_order(kind=OrderKind.CAPITAL), "claimed")
    response = services.respond(order, by=bank_cib, proposal="可提供知识产权质押贷款。")
    mailoutbox.clear()
    services.decline_proposal(response, by=county_jinjiang, reason_category="terms", note="利率偏高")
    from django.core import mail

    from matchmaking.tasks.orders import send_notification_emails

    ids = list(Notification.objects.filter(recipient=bank_cib, kind="declined").values_list("pk", flat=True))
    send_notification_emails(ids)
    (message,) = [m for m in mail.outbox if bank_cib.email in m.to]
    assert (
        message.subject == f"[Four-Chain Matchmaking Platform] Your response was not adopted: {order.title}"
    )
    assert message.body.startswith(
        "Conditions not met: 利率偏高"
    )  # the reason category translated, the note not
    assert "利率偏高" in message.body  # the county's own words stay as written
    assert "：" not in message.subject
    stored = Notification.objects.get(pk=ids[0])
    with translation.override("zh-hans"):
        assert stored.display_body.endswith("：利率偏高")
