"""Who is told what, e-mail preferences and digests, subscriptions, service-level reminders, expiry, uploads."""

import datetime
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from matchmaking import services, sla
from matchmaking.choices import EventKind, NotificationKind, OrderKind, OrderState
from matchmaking.models import Notification, NotificationPreference, Order, Subscription
from matchmaking.tasks.orders import check_service_levels, expire_orders, send_daily_digests
from matchmaking.uploads import UploadRejected, check_upload

pytestmark = pytest.mark.django_db


def told(user, kind):
    """Whether the user has an in-app notification of this kind."""
    return Notification.objects.filter(recipient=user, kind=kind).exists()


def test_each_step_tells_the_right_people(
    make_order, drive, county_jinjiang, city_quanzhou, body_kjt, body_jrb, inst_dhu, platform_admin
):
    """submitted → admins; published → county; routed → bodies; claimed → county + city; response → county +
    taking body; accepted → provider; resolved → all parties."""
    order = drive(make_order(), OrderState.SUBMITTED)
    assert told(platform_admin, NotificationKind.SUBMITTED)
    assert not told(county_jinjiang, NotificationKind.SUBMITTED)
    order = drive(order, OrderState.PUBLISHED)
    assert told(county_jinjiang, NotificationKind.PUBLISHED)
    assert told(body_kjt, NotificationKind.ROUTED)
    assert not told(body_jrb, NotificationKind.ROUTED)
    order = drive(order, OrderState.CLAIMED)
    assert told(county_jinjiang, NotificationKind.CLAIMED) and told(city_quanzhou, NotificationKind.CLAIMED)
    order = drive(order, OrderState.DOCKING)
    assert told(county_jinjiang, NotificationKind.RESPONDED) and told(body_kjt, NotificationKind.RESPONDED)
    assert told(inst_dhu, NotificationKind.ACCEPTED)
    drive(order, OrderState.RESOLVED)
    for user in (county_jinjiang, city_quanzhou, inst_dhu):
        assert told(user, NotificationKind.RESOLVED)
    assert not told(body_kjt, NotificationKind.RESOLVED)  # the actor is not told of its own action


def test_returned_and_declined_reach_county_and_provider(
    make_order, drive, county_jinjiang, platform_admin, firm_demo
):
    """退回 reaches the county with its reason; a decline reaches the provider with category and note."""
    order = drive(make_order(), OrderState.SUBMITTED)
    services.return_order(order, by=platform_admin, reason="请补充企业名单")
    note = Notification.objects.get(recipient=county_jinjiang, kind=NotificationKind.RETURNED)
    assert "请补充企业名单" in note.body
    services.submit_order(order, by=county_jinjiang)
    order = drive(order, OrderState.CLAIMED)
    response = services.respond(order, by=firm_demo, proposal="我司可提供功能性面料中试产线。")
    services.decline_proposal(response, by=county_jinjiang, reason_category="terms", note="报价过高")
    note = Notification.objects.get(recipient=firm_demo, kind=NotificationKind.DECLINED)
    assert "条件不符" in note.body and "报价过高" in note.body


@pytest.mark.parametrize("end", ["resolve", "close", "withdraw"])
def test_the_end_of_an_order_reaches_responders_without_government_text(
    end, make_order, drive, county_jinjiang, city_quanzhou, body_kjt, inst_dhu, bank_cib, firm_demo,
    django_capture_on_commit_callbacks, mailoutbox,
):  # fmt: skip
    """Resolved, closed or withdrawn: every party is told, but a provider's message and e-mail carry the
    body's summary only when its own response was accepted, and never a close or withdrawal reason."""
    secret = "合作金额 800 万元，联系人王总 13912345678"
    order = drive(make_order(), OrderState.PUBLISHED if end == "withdraw" else OrderState.CLAIMED)
    responses = {
        p: services.respond(order, by=p, proposal="我单位可组建团队联合攻关。") for p in (bank_cib, firm_demo)
    }
    if end != "withdraw":
        services.decline_proposal(responses[bank_cib], by=county_jinjiang, reason_category="terms")
        order = drive(order, OrderState.DOCKING)  # inst_dhu responds and is accepted
    with django_capture_on_commit_callbacks(execute=True):
        if end == "resolve":
            services.resolve_order(
                order, by=body_kjt, outcome_type="agreement", summary=secret, partner="东华大学"
            )
        elif end == "close":
            services.close_order(order, by=body_kjt, reason=secret)
        else:
            services.withdraw_order(order, by=county_jinjiang, reason=secret)

    def received(user):
        rows = Notification.objects.filter(recipient=user, kind__in=["resolved", "closed", "withdrawn"])
        mails = [f"{m.subject}{m.body}" for m in mailoutbox if user.email in m.to]
        assert rows.exists() and mails, user
        return "".join(n.body for n in rows) + "".join(mails)

    for provider in (bank_cib, firm_demo):
        assert secret not in received(provider)
    assert secret in received(city_quanzhou)
    if end == "resolve":
        assert secret in received(inst_dhu)  # its own accepted response: it may read the outcome
    elif end == "close":
        assert secret not in received(inst_dhu)


def test_email_after_commit_respects_preferences(
    make_order, county_jinjiang, platform_admin, django_capture_on_commit_callbacks, mailoutbox
):
    """E-mail goes out after commit; a user who switched e-mail off gets only the in-app message."""
    order = make_order()
    NotificationPreference.objects.create(user=platform_admin, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_order(order, by=county_jinjiang)
    assert told(platform_admin, NotificationKind.SUBMITTED)
    assert not any(platform_admin.email in m.to for m in mailoutbox)
    NotificationPreference.objects.filter(user=platform_admin).update(email_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_order(order, by=platform_admin)
    mail = next(m for m in mailoutbox if county_jinjiang.email in m.to and order.title in m.subject)
    assert f"http://127.0.0.1:8000/orders/{order.pk}/" in mail.body  # absolute link from SITE_URL
    assert Notification.objects.get(recipient=county_jinjiang, kind="published").emailed_at is not None


def test_daily_digest_collects_instead_of_single_mails(
    make_order, drive, county_jinjiang, django_capture_on_commit_callbacks, mailoutbox
):
    """Digest users get one mail a day listing what they were not yet mailed; running twice sends nothing new."""
    NotificationPreference.objects.create(user=county_jinjiang, daily_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        drive(make_order(), OrderState.CLAIMED)
    assert not any(county_jinjiang.email in m.to for m in mailoutbox)
    assert send_daily_digests.apply().get() >= 1
    digest = [m for m in mailoutbox if county_jinjiang.email in m.to]
    assert len(digest) == 1 and "每日汇总" in digest[0].subject and "已被接单" in digest[0].body
    send_daily_digests.apply()
    assert len([m for m in mailoutbox if county_jinjiang.email in m.to]) == 1


def test_subscriptions_notify_fitting_new_orders(make_order, drive, bank_cib, inst_dhu, reference):
    """A provider following capital needs in 泉州 hears of a new capital order from 晋江, not of innovation ones."""
    quanzhou = reference.Prefecture.objects.get(name="泉州市")
    sub = Subscription.objects.create(user=bank_cib, kinds=["capital"])
    sub.prefectures.add(quanzhou)
    other = Subscription.objects.create(user=inst_dhu, kinds=["talent"])
    assert other.pk
    from matchmaking.tasks.orders import notify_order_subscribers

    capital = drive(make_order(kind=OrderKind.CAPITAL), OrderState.PUBLISHED)
    innovation = drive(make_order(), OrderState.PUBLISHED)
    assert notify_order_subscribers.apply(args=[capital.pk]).get() == 1
    assert notify_order_subscribers.apply(args=[innovation.pk]).get() == 0
    assert notify_order_subscribers.apply(args=[capital.pk]).get() == 0  # idempotent
    assert told(bank_cib, NotificationKind.SUBSCRIPTION) and not told(inst_dhu, NotificationKind.SUBSCRIPTION)


def test_restricted_orders_do_not_reach_uninvited_subscribers(make_order, drive, bank_cib):
    """Subscriptions never leak a restricted order to a provider that may not see it."""
    Subscription.objects.create(user=bank_cib, kinds=["capital"])
    order = drive(make_order(kind=OrderKind.CAPITAL, visibility="restricted"), OrderState.PUBLISHED)
    from matchmaking.notifications import notify_subscribers

    assert notify_subscribers(order) == 0


def test_working_days_skip_weekends():
    """Friday + 3 working days = Wednesday, same local time; Saturday + 1 = Monday."""
    tz = ZoneInfo("Asia/Shanghai")
    friday = datetime.datetime(2026, 3, 6, 10, 0, tzinfo=tz)
    assert sla.add_working_days(friday, 3).date() == datetime.date(2026, 3, 11)
    saturday = datetime.datetime(2026, 3, 7, 9, 0, tzinfo=tz)
    assert sla.add_working_days(saturday, 1).date() == datetime.date(2026, 3, 9)


def test_unclaimed_orders_are_reminded_and_escalated_once(make_order, drive, body_kjt, platform_admin):
    """After N working days unclaimed: reminder to routed bodies, escalation to admins, once."""
    order = drive(make_order(), OrderState.PUBLISHED)
    assert services.remind_unclaimed_orders(now=timezone.now() + datetime.timedelta(days=1)) == 0
    later = timezone.now() + datetime.timedelta(days=8)
    assert services.remind_unclaimed_orders(now=later) == 1
    assert services.remind_unclaimed_orders(now=later) == 0
    assert told(body_kjt, NotificationKind.REMINDER)
    assert told(platform_admin, NotificationKind.ESCALATED)
    assert order.events.filter(kind=EventKind.ESCALATED).count() == 1
    clock = sla.clock(Order.objects.get(pk=order.pk), now=later)
    assert clock.overdue


def test_stalled_claimed_orders_are_reminded(make_order, drive, body_kjt, platform_admin):
    """A claimed order with no progress for M days reminds the taking body; new progress re-arms it."""
    order = drive(make_order(), OrderState.CLAIMED)
    later = timezone.now() + datetime.timedelta(days=15)
    assert services.remind_stalled_orders(now=later) == 1
    assert services.remind_stalled_orders(now=later) == 0
    assert told(body_kjt, NotificationKind.REMINDER)
    result = check_service_levels.apply().get()
    assert result == {"claim": 0, "progress": 0}
    services.log_event(
        order, EventKind.INVITED, body_kjt, note="新的进展", at=later + datetime.timedelta(minutes=1)
    )
    order.refresh_from_db()
    assert services.remind_stalled_orders(now=later + datetime.timedelta(days=15)) == 1


def test_expiry_after_the_desired_date(make_order, drive, county_jinjiang):
    """Published orders past their date expire; claimed ones do not."""
    past = timezone.localdate() - datetime.timedelta(days=1)
    published = drive(make_order(), OrderState.PUBLISHED)
    claimed = drive(make_order(), OrderState.CLAIMED)
    Order.objects.filter(pk__in=[published.pk, claimed.pk]).update(due_date=past)
    assert expire_orders.apply().get() == 1
    assert Order.objects.get(pk=published.pk).state == OrderState.EXPIRED
    assert Order.objects.get(pk=claimed.pk).state == OrderState.CLAIMED


def _docx_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("方案.pdf", b"%PDF-1.7\n...", True),
        ("图.png", b"\x89PNG\r\n\x1a\n0000", True),
        ("照片.jpg", b"\xff\xd8\xff\xe0JFIF", True),
        ("合同.docx", None, True),
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", True),
        ("木马.pdf", b"MZ\x90\x00 not a pdf", False),
        ("脚本.html", b"<script>alert(1)</script>", False),
        ("伪装.docx", b"PK\x03\x04 broken zip", False),
        ("伪装.xlsx", None, False),  # a Word package named .xlsx
        ("空.pdf", b"", False),
    ],
)
def test_uploads_are_checked_by_content_and_extension(name, content, ok):
    """Type by magic bytes and extension (and the OOXML part for Office files)."""
    upload = SimpleUploadedFile(name, content if content is not None else _docx_bytes())
    if ok:
        assert check_upload(upload)
    else:
        with pytest.raises(UploadRejected):
            check_upload(upload)


def test_upload_size_limit(settings):
    """Files over UPLOAD_MAX_BYTES are refused."""
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadRejected, match="大小上限"):
        check_upload(SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 20))


def test_attachment_stored_under_generated_name(make_order, county_jinjiang, settings, tmp_path):
    """The stored name is a UUID, not the uploader's file name."""
    settings.MEDIA_ROOT = tmp_path
    order = make_order()
    (attachment,) = services.add_attachments(
        order, by=county_jinjiang, files=[SimpleUploadedFile("../../etc/passwd.pdf", b"%PDF-1.4 x")]
    )
    assert attachment.file.name == f"private/orders/{attachment.pk}.pdf"
    assert attachment.original_name.endswith("passwd.pdf")
    assert order.events.filter(kind=EventKind.ATTACHED).exists()
