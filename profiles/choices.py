"""Choices of the profiles app: revision states and what happened to a revision."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RevisionState(models.TextChoices):
    """Where a proposed change of a catalog entry stands."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已生效")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤回")


class RevisionAction(models.TextChoices):
    """What happened to a revision (its append-only event rows)."""

    SUBMIT = "submit", _("提交")
    APPROVE = "approve", _("批准")
    REJECT = "reject", _("驳回")
    WITHDRAW = "withdraw", _("撤回")
