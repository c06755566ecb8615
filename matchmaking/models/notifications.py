"""Notifications, e-mail preferences and subscriptions to new orders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from matchmaking import unread
from matchmaking.choices import (
    NotificationKind,
    OrderKind,
)
from matchmaking.models.orders import Order, choice_label
from matchmaking.texts import render


class NotificationQuerySet(models.QuerySet):
    """Notifications; the bulk writes that send no signal drop the recipients' cached unread counts."""

    def bulk_create(self, objs, *args, **kwargs):
        """Create the rows and forget their recipients' unread counts."""
        objs = list(objs)
        created = super().bulk_create(objs, *args, **kwargs)
        unread.invalidate(obj.recipient_id for obj in objs)
        return created

    def update(self, **kwargs):
        """Update the rows; a change of `read_at` or of the recipient forgets the recipients' unread counts."""
        if not unread.enabled() or not {"read_at", "recipient", "recipient_id"} & kwargs.keys():
            return super().update(**kwargs)
        recipients = set(self.order_by().values_list("recipient_id", flat=True).distinct())
        count = super().update(**kwargs)
        unread.invalidate(
            recipients | {kwargs.get("recipient_id"), getattr(kwargs.get("recipient"), "pk", None)}
        )
        return count


class Notification(models.Model):
    """站内消息: one thing a user is told about an order; e-mailed unless they opted out or chose a digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("收件人"),
    )
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    order = models.ForeignKey(
        Order,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("需求"),
    )
    chain = models.ForeignKey(
        "chains.CountyChain",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("县域重点产业链"),
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The same as codes with parameters, rendered in the reader's language (matchmaking.texts); title and body
    # keep the Chinese text for search and for rows written before.
    title_message = models.JSONField(_("标题（多语言）"), default=dict, blank=True)
    body_message = models.JSONField(_("内容（多语言）"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    def get_kind_display(self) -> str:
        return choice_label(NotificationKind, self.kind)

    @property
    def display_title(self) -> str:
        """The title in the active language (the stored text for rows written before codes)."""
        return render(self.title_message, self.title)

    @property
    def display_body(self) -> str:
        """The body in the active language: platform wording translated, people's notes as written."""
        return render(self.body_message, self.body)


def _forget_unread(sender, instance, **kwargs):
    """A notification saved or deleted: its recipient's unread count is recounted on the next read."""
    unread.invalidate([instance.recipient_id])


post_save.connect(_forget_unread, sender=Notification, dispatch_uid="unread_notification_save")
post_delete.connect(_forget_unread, sender=Notification, dispatch_uid="unread_notification_delete")


class NotificationPreference(models.Model):
    """A user's e-mail choices: e-mail on/off and a daily digest instead of one mail per notification."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    email_enabled = models.BooleanField(_("接收邮件通知"), default=True)
    daily_digest = models.BooleanField(_("每日汇总一封邮件"), default=False)
    language = models.CharField(
        _("邮件语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    last_digest_at = models.DateTimeField(_("上次汇总时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)


class Subscription(models.Model):
    """关注: a provider or body user follows kinds, chain types and prefectures (empty = any)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="order_subscription",
        verbose_name=_("用户"),
    )
    kinds = models.JSONField(_("需求类型"), default=list, blank=True)
    chain_types = models.ManyToManyField("chains.ChainType", blank=True, verbose_name=_("产业链类型"))
    prefectures = models.ManyToManyField("chains.Prefecture", blank=True, verbose_name=_("设区市"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("需求关注")
        verbose_name_plural = _("需求关注")

    def __str__(self):
        return str(self.user)

    def clean(self):
        """Only order kinds may be followed."""
        unknown = set(self.kinds or []) - set(OrderKind.values)
        if unknown:
            raise ValidationError({"kinds": _("未知的需求类型：%(v)s") % {"v": "、".join(sorted(unknown))}})

    def fits(self, order: Order, chain_type_ids: set[int], prefecture_ids: set[int]) -> bool:
        """Whether an order fits: every non-empty dimension must contain the order's value."""
        if not (self.kinds or chain_type_ids or prefecture_ids):
            return False
        if self.kinds and order.kind not in self.kinds:
            return False
        if chain_type_ids and order.chain.chain_type_id not in chain_type_ids:
            return False
        return not (prefecture_ids and order.county.prefecture_id not in prefecture_ids)
