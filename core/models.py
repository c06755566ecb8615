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
