"""Who acts: users, the organizations they act for, and their roles."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import orgcache, usercache
from accounts.choices import AccountAction, ApprovalState, LoginEventKind, MemberRole, OrgKind, ProviderKind
from accounts.scoping import Scope, ScopedQuerySet
from accounts.validators import validate_mainland_mobile
from core.validators import validate_one_line

# Which catalog or region link each kind of organization (and provider kind) must carry.
KIND_LINK = {OrgKind.COUNTY: "county", OrgKind.CITY: "prefecture", OrgKind.BODY: "provincial_body"}
PROVIDER_LINK = {
    ProviderKind.INSTITUTION: "institution",
    ProviderKind.FUND: "fund",
    ProviderKind.TALENT: "talent_resource",
    ProviderKind.ENTERPRISE: "enterprise",
}
LINK_FIELDS = (
    "county",
    "prefecture",
    "provincial_body",
    "institution",
    "fund",
    "talent_resource",
    "enterprise",
)


class OrganizationQuerySet(ScopedQuerySet):
    """Organizations: everyone sees their own; a city also sees its counties' governments (read-only)."""

    def visibility_q(self, scope: Scope) -> Q:
        """Own organization; for a city coordinator also the county governments of its prefecture."""
        q = Q(pk=scope.org_id)
        if scope.is_city:
            q |= Q(kind=OrgKind.COUNTY, county__prefecture_id=scope.prefecture_id)
        return q

    def editability_q(self, scope: Scope) -> Q:
        """Only the organization's own managers change it."""
        return Q(pk=scope.org_id) if scope.is_manager else Q(pk__in=[])

    def update(self, **kwargs):
        """Update the rows and invalidate the cached organisations (accounts.orgcache), as a save would."""
        count = super().update(**kwargs)
        orgcache.bump()
        return count


class Organization(models.Model):
    """An organization users act for: a county, a prefecture city, a provincial body, a provider or the platform."""

    name = models.CharField(_("名称"), max_length=100, validators=[validate_one_line])
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

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        constraints = [
            # Names are unique among organizations in use; organizations that only exist for pending
            # applications may share one (several applicants may apply for the same county or body).
            models.UniqueConstraint(
                fields=["name"], condition=Q(is_active=True), name="accounts_organization_active_name_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def same_entry(self):
        """Other organizations standing for the same county, city, body or catalog entry (banks: the same
        bank's products); several applicants may have asked for one while none is approved yet."""
        others = Organization.objects.exclude(pk=self.pk)
        link = self.required_link()
        if link:
            return others.filter(kind=self.kind, **{f"{link}_id": getattr(self, f"{link}_id")})
        if self.provider_kind == ProviderKind.BANK and self.pk:
            providers = self.financial_products.values_list("provider", flat=True)
            return others.filter(
                provider_kind=ProviderKind.BANK, financial_products__provider__in=providers
            ).distinct()
        return others.none()

    def required_link(self) -> str:
        """Name of the field tying this organization to its region or catalog entry ('' if none)."""
        if self.kind == OrgKind.PROVIDER:
            return PROVIDER_LINK.get(self.provider_kind, "")
        return KIND_LINK.get(self.kind, "")

    @property
    def stands_for(self):
        """The region, provincial body or catalog entry this organization stands for (None if none)."""
        link = self.required_link()
        return getattr(self, link) if link else None

    def clean(self):
        """Each kind carries exactly the link it needs: county → 县域, city → 设区市, body → 省级部门 …"""
        errors = {}
        if self.kind == OrgKind.PROVIDER and not self.provider_kind:
            errors["provider_kind"] = _("资源方必须选择资源方类型。")
        if self.kind != OrgKind.PROVIDER and self.provider_kind:
            errors["provider_kind"] = _("只有资源方才有资源方类型。")
        link = self.required_link()
        if link and not getattr(self, f"{link}_id"):
            errors[link] = _("请选择该组织对应的条目。")
        for name in LINK_FIELDS:
            if name != link and getattr(self, f"{name}_id"):
                errors[name] = _("该类型的组织不应关联此项。")
        if errors:
            raise ValidationError(errors)


class UserQuerySet(ScopedQuerySet):
    """Users: members of an organization see each other; its managers change everyone but themselves."""

    def update(self, **kwargs):
        """Update the rows and drop every cached session user (accounts.usercache), as a save would."""
        count = super().update(**kwargs)
        usercache.forget_all()
        return count

    def bulk_update(self, objs, fields, **kwargs):
        """Update the rows and drop every cached session user (accounts.usercache), as a save would."""
        count = super().bulk_update(objs, fields, **kwargs)
        usercache.forget_all()
        return count

    def visibility_q(self, scope: Scope) -> Q:
        """Members of the user's own organization."""
        return Q(organization_id=scope.org_id)

    def editability_q(self, scope: Scope) -> Q:
        """A manager changes the other members of their own organization."""
        if not scope.is_manager:
            return Q(pk__in=[])
        return Q(organization_id=scope.org_id) & ~Q(pk=scope.user_id)

    def applicants(self):
        """Sign-up applications waiting for a platform administrator."""
        return self.filter(approval_state=ApprovalState.PENDING)


class UserManager(AuthUserManager.from_queryset(UserQuerySet)):
    """Django's user manager with the scoped queryset."""

    use_in_migrations = True

    def get(self, *args, **kwargs):
        """Get one user; the session's user (ModelBackend.get_user) through the cache (accounts.usercache)."""
        if not args and kwargs.keys() == {"pk"} and usercache.loading():
            return usercache.users.get_or_load(kwargs["pk"], lambda: super(UserManager, self).get(**kwargs))
        return super().get(*args, **kwargs)


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
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_mainland_mobile])
    approval_state = models.CharField(
        _("审核状态"), max_length=16, choices=ApprovalState.choices, default=ApprovalState.APPROVED
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def save(self, *args, **kwargs):
        """Save; a new password or an inactive account revokes every API token of the user (by any path:
        pages, services, Django admin, `changepassword`). Hash upgrades at login are not password changes."""
        revoke = self.pk is not None and (self._password is not None or not self.is_active)
        super().save(*args, **kwargs)
        if revoke:
            from knox.models import AuthToken

            AuthToken.objects.filter(user_id=self.pk).delete()

    def __str__(self):
        full = self.display_name
        return f"{full}（{self.username}）" if full != self.username else self.username

    @property
    def display_name(self) -> str:
        """Chinese order: family name then given name; the username when both are empty."""
        return f"{self.last_name}{self.first_name}".strip() or self.username

    @property
    def is_manager(self) -> bool:
        """Manages the members of their organization."""
        return self.role == MemberRole.MANAGER

    @property
    def scope(self) -> Scope:
        """Who the user acts for (read by apps below accounts, such as chains, without importing it)."""
        return Scope.for_user(self)

    @property
    def is_platform_admin(self) -> bool:
        """A platform administrator (sees everything, approves applicants)."""
        return Scope.for_user(self).is_admin


class AccountEvent(models.Model):
    """One thing that happened to an account (append-only): application, approval, invitation, deactivation …"""

    action = models.CharField(_("事件"), max_length=24, choices=AccountAction.choices)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    target = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_events",
        verbose_name=_("对象用户"),
    )
    target_username = models.CharField(_("对象用户名"), max_length=150)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_events",
        verbose_name=_("组织"),
    )
    organization_name = models.CharField(_("组织名称"), max_length=100, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("账号事件")
        verbose_name_plural = _("账号事件")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()}：{self.target_username}"

    def save(self, *args, **kwargs):
        """Events are written once and never changed."""
        if self.pk is not None:
            raise ValueError("AccountEvent is append-only.")
        super().save(*args, **kwargs)


class LoginEvent(models.Model):
    """One login, failed login, lockout or logout, with where it came from (append-only)."""

    kind = models.CharField(_("类型"), max_length=16, choices=LoginEventKind.choices, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_events",
        verbose_name=_("用户"),
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=255, blank=True)
    path = models.CharField(_("登录入口"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.username}"

    def save(self, *args, **kwargs):
        """Login records are written once and never changed."""
        if self.pk is not None:
            raise ValueError("LoginEvent is append-only.")
        super().save(*args, **kwargs)


class SharedCacheEntry(models.Model):
    """A row of the database cache shared by every web process (throttle counters when Redis is not configured).

    Written and read by Django's DatabaseCache through the "shared" cache alias, never through this model; the
    model exists so that `migrate` creates the table (no separate `createcachetable` step).
    """

    cache_key = models.CharField(_("键"), max_length=255, primary_key=True)
    value = models.TextField(_("值"))
    expires = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        db_table = "accounts_shared_cache"
        verbose_name = _("共享缓存条目")
        verbose_name_plural = _("共享缓存条目")

    def __str__(self):
        return self.cache_key
