"""Celery tasks of accounts: the e-mails that follow account events."""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.choices import AccountAction, ApprovalState, OrgKind
from accounts.models import AccountEvent, User


def _admin_emails() -> list[str]:
    admins = User.objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(is_staff=True, organization__kind=OrgKind.PLATFORM)
    )
    return sorted({email for email in admins.values_list("email", flat=True) if email})


def _message(event, base_url: str) -> tuple[str, str, list[str]] | None:
    """Subject, body and recipients for an event, or None when nobody is to be told."""
    user = event.target
    if user is None:
        return None
    name = user.display_name
    org = event.organization_name
    if event.action == AccountAction.APPLIED:
        link = base_url + reverse("accounts:approvals")
        return (
            _("新的注册申请待审核：%(name)s") % {"name": name},
            _("%(name)s（%(username)s）申请加入「%(org)s」，请审核：%(link)s")
            % {"name": name, "username": user.username, "org": org, "link": link},
            _admin_emails(),
        )
    if not user.email:
        return None
    if event.action == AccountAction.APPROVED and user.is_active:
        link = base_url + reverse("accounts:login")
        return (
            _("您的四链对接平台账号已审核通过"),
            _("%(name)s，您好：\n\n您以「%(org)s」名义提交的注册申请已审核通过，现在可以登录：%(link)s")
            % {"name": name, "org": org, "link": link},
            [user.email],
        )
    if event.action == AccountAction.REJECTED:
        return (
            _("您的四链对接平台注册申请未通过"),
            _("%(name)s，您好：\n\n您以「%(org)s」名义提交的注册申请未通过审核。\n原因：%(reason)s")
            % {"name": name, "org": org, "reason": event.reason},
            [user.email],
        )
    if event.action == AccountAction.INVITED and user.approval_state == ApprovalState.INVITED:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url + reverse("accounts:invite_accept", kwargs={"uidb64": uid, "token": token})
        inviter = event.actor.display_name if event.actor else ""
        return (
            _("邀请您加入「%(org)s」· 四链对接平台") % {"org": org},
            _(
                "%(name)s，您好：\n\n%(inviter)s 邀请您以「%(org)s」成员身份使用四链对接平台。"
                "\n用户名：%(username)s\n请在 %(days)s 天内打开以下链接设置密码并启用账号：\n%(link)s"
            )
            % {
                "name": name,
                "inviter": inviter,
                "org": org,
                "username": user.username,
                "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
                "link": link,
            },
            [user.email],
        )
    if event.action == AccountAction.DEACTIVATED:
        return (
            _("您的四链对接平台账号已停用"),
            _("%(name)s，您好：\n\n您在「%(org)s」的账号已由组织管理员停用。如有疑问请联系本组织管理员。")
            % {"name": name, "org": org},
            [user.email],
        )
    if event.action in (AccountAction.TWO_FACTOR_ENABLED, AccountAction.TWO_FACTOR_DISABLED):
        # A security notice: someone who took over the session cannot switch this off unnoticed.
        return (
            _("四链对接平台：您的账号已%(what)s") % {"what": event.get_action_display()},
            _(
                "%(name)s，您好：\n\n您的账号（%(username)s）刚刚%(what)s。"
                "\n如果这不是您本人的操作，请立即修改密码并联系平台管理员。"
            )
            % {"name": name, "username": user.username, "what": event.get_action_display()},
            [user.email],
        )
    return None


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, retry_kwargs={"max_retries": 5})
def send_account_email(event_id: int, base_url: str = "") -> bool:
    """E-mail whoever an account event concerns; the message follows the account's current state."""
    event = AccountEvent.objects.select_related("target", "actor").filter(pk=event_id).first()
    if event is None:
        return False
    with override(settings.LANGUAGE_CODE):
        message = _message(event, base_url.rstrip("/"))
    if not message or not message[2]:
        return False
    subject, body, recipients = message
    send_mail(subject, body, None, recipients)
    return True


@shared_task
def purge_expired_api_tokens() -> int:
    """Delete API tokens past their expiry (a token is refused once expired; this only tidies the table)."""
    from django.utils import timezone
    from knox.models import AuthToken

    return AuthToken.objects.filter(expiry__lt=timezone.now()).delete()[0]
