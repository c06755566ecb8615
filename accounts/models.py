"""Who acts: users, the organizations they act for, and their roles."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import ApprovalState, MemberRole, OrgKind, ProviderKind


class Organization(models.Model):
    """An organization users act for: a county, a prefecture city, a provincial body, a provider or the platform."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    county = models.ForeignKey(
        "chains.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("县域"),
    )
    prefecture = models.ForeignKey(
        "chains.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("设区市"),
    )
    provincial_body = models.ForeignKey(
        "chains.ProvincialBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("省级部门"),
    )
    provider_kind = models.CharField(_("资源方类型"), max_length=16, choices=ProviderKind.choices, blank=True)
    institution = models.ForeignKey(
        "chains.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("科研机构"),
    )
    fund = models.ForeignKey(
        "chains.Fund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("基金"),
    )
    talent_resource = models.ForeignKey(
        "chains.TalentResource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("人才资源"),
    )
    enterprise = models.ForeignKey(
        "chains.Enterprise",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("企业"),
    )
    financial_products = models.ManyToManyField(
        "chains.FinancialProduct", blank=True, related_name="organizations", verbose_name=_("提供的金融产品")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person acting for one organization, as a member or its manager."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所属组织"),
    )
    role = models.CharField(
        _("组织内角色"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    approval_state = models.CharField(
        _("审核状态"), max_length=16, choices=ApprovalState.choices, default=ApprovalState.APPROVED
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return f"{full}（{self.username}）" if full else self.username
