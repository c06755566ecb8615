"""Choice lists every app shares: where a row comes from, what a staff member did to a record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a reference row comes from; `sample` rows are illustrative and shown as 示例."""

    WHITEPAPER = "whitepaper", _("白皮书")
    GENERAL = "general", _("公开资料")
    DECLARATION = "declaration", _("县域申报")
    SAMPLE = "sample", _("示例")


class AuditAction(models.TextChoices):
    """What a staff member did to a record."""

    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
