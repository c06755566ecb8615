"""Choice lists for organizations and their members."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    """The five kinds of organization users act for."""

    COUNTY = "county", _("县（市、区）政府")
    CITY = "city", _("设区市")
    BODY = "body", _("省级部门")
    PROVIDER = "provider", _("资源方")
    PLATFORM = "platform", _("平台管理方")


class ProviderKind(models.TextChoices):
    """What catalog entry a resource provider stands for."""

    INSTITUTION = "institution", _("科研机构")
    BANK = "bank", _("银行/金融机构")
    FUND = "fund", _("基金")
    TALENT = "talent", _("人才资源组织方")
    ENTERPRISE = "enterprise", _("企业")


class MemberRole(models.TextChoices):
    """A user's role inside their organization."""

    MEMBER = "member", _("成员")
    MANAGER = "manager", _("管理员")


class ApprovalState(models.TextChoices):
    """Where an applicant's account stands."""

    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
