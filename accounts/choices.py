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
    INVITED = "invited", _("已邀请，待设置密码")


class AccountAction(models.TextChoices):
    """What happened to an account (the append-only account event log)."""

    APPLIED = "applied", _("提交注册申请")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("审核未通过")
    INVITED = "invited", _("邀请成员")
    INVITATION_ACCEPTED = "invitation_accepted", _("接受邀请并设置密码")
    DEACTIVATED = "deactivated", _("停用成员")
    REACTIVATED = "reactivated", _("恢复成员")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    PASSWORD_RESET = "password_reset", _("通过邮件重置密码")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("启用两步验证")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("停用两步验证")
    BACKUP_CODES_RENEWED = "backup_codes_renewed", _("重新生成备用验证码")


class LoginEventKind(models.TextChoices):
    """Kinds of login event recorded for every attempt."""

    LOGIN = "login", _("登录成功")
    FAILED = "failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("账号锁定")
    OTP_FAILED = "otp_failed", _("两步验证码错误")
    LOGOUT = "logout", _("退出登录")
