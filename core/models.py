"""What every app shares: the base model of reference rows and the audit log of staff changes."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import AuditAction, Source


class SourcedModel(models.Model):
    """Common fields of reference rows: provenance and modification time."""

    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices, default=Source.GENERAL)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_sample(self) -> bool:
        """True for illustrative rows that users must see marked as 示例."""
        return self.source == Source.SAMPLE


class AuditEntry(models.Model):
    """One change made by staff (admin or import) to the catalog, organizations or accounts: who, what, before/after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人名称"), max_length=150, blank=True)
    channel = models.CharField(_("途径"), max_length=32, help_text=_("管理后台、表格导入或命令行"))
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("对象类型"))
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    changes = models.JSONField(_("变更内容"), default=dict, help_text=_("字段 → [修改前, 修改后]"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        # The table keeps the name it had when the audit log lived in the chains app (no data moved).
        db_table = "chains_auditentry"
        verbose_name = _("操作审计")
        verbose_name_plural = _("操作审计")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.actor_name} {self.get_action_display()} {self.object_repr}"


class IdempotencyRecord(models.Model):
    """One API POST made with an `Idempotency-Key` header: the first answer, replayed for the same key and
    body by the same user until it expires (see core.idempotency)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求指纹"), max_length=64, help_text=_("方法、路径和请求体的 SHA-256"))
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=500)
    status_code = models.PositiveSmallIntegerField(
        _("响应状态"), null=True, blank=True, help_text=_("空：处理中")
    )
    content_type = models.CharField(_("响应类型"), max_length=100, blank=True)
    location = models.CharField(_("Location 头"), max_length=500, blank=True)
    body = models.TextField(_("响应内容"), blank=True)
    created_at = models.DateTimeField(_("首次请求时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_one_per_user_key")]

    def __str__(self):
        return f"{self.user_id} {self.key}"


class FormSubmission(models.Model):
    """A one-time token of a web form, consumed by its first successful POST (in the same transaction as the
    change it made): a second POST of the same form (Back, double click) shows the first result instead."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    token = models.CharField(_("表单令牌"), max_length=64, unique=True)
    result_url = models.CharField(_("结果页"), max_length=500)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("表单提交")
        verbose_name_plural = _("表单提交")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.token}"
