"""The only functions that change accounts: applications, approval, invitations, deactivation, API tokens and
two-factor sign-in.

Each validates, writes an append-only AccountEvent in the same transaction, and sends its e-mail after commit.
Invitations: a manager invites by e-mail; the invitee is created inactive with an unusable password and state
"invited", and activates the account by setting a password through a single-use, time-limited token link
(Django's password-reset token generator). The manager vouches for the member, so no platform approval follows.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from accounts import two_factor
from accounts.choices import AccountAction, ApprovalState, MemberRole, OrgKind
from accounts.models import AccountEvent, Organization, User
from accounts.scoping import Scope
from accounts.tasks import send_account_email


class AccountError(ValidationError):
    """A state change that is not allowed (wrong state, or outside the actor's scope)."""


def _event(action, *, target, actor=None, organization=None, reason="", base_url=""):
    organization = organization if organization is not None else target.organization
    event = AccountEvent.objects.create(
        action=action,
        actor=actor,
        target=target,
        target_username=target.username,
        organization=organization,
        organization_name=organization.name if organization else "",
        reason=reason,
    )
    # Robust: if the broker is unreachable the account change stands and the failure is logged.
    transaction.on_commit(lambda: send_account_email.delay(event.pk, base_url), robust=True)
    return event


def _require_admin(by):
    if not Scope.for_user(by).is_admin:
        raise AccountError(_("只有平台管理员可以审核注册申请。"), code="not_admin")


@transaction.atomic
def register_applicant(user: User, organization: Organization, *, financial_products=(), base_url="") -> User:
    """Save a sign-up application: the user stays inactive and pending until a platform administrator decides."""
    if organization.kind == OrgKind.PLATFORM:
        raise AccountError(_("不能申请加入平台管理方。"), code="platform")
    if organization.pk is None:
        organization.is_active = False
        organization.full_clean()
        organization.save()
        if financial_products:
            organization.financial_products.set(financial_products)
        user.role = MemberRole.MANAGER
    else:
        if not organization.is_active:
            raise AccountError(_("该组织尚未启用，不能申请加入。"), code="inactive_org")
        user.role = MemberRole.MEMBER
    user.organization = organization
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.approval_state = ApprovalState.PENDING
    user.save()
    _event(AccountAction.APPLIED, target=user, actor=user, base_url=base_url)
    return user


@transaction.atomic
def approve_applicant(user: User, *, by: User, base_url="") -> User:
    """Approve a pending application: activate the account and the new organization it asked for — or, when
    another application for the same county, body or entry was approved first, make it a member of that one.
    Other pending applications for the same entry stay pending until decided one by one."""
    _require_admin(by)
    user = User.objects.select_for_update(of=("self",)).select_related("organization").get(pk=user.pk)
    if user.approval_state != ApprovalState.PENDING:
        raise AccountError(_("该申请已处理，不能重复审核。"), code="not_pending")
    org = user.organization
    dropped = None
    if org is not None and not org.is_active:
        existing = org.same_entry().filter(is_active=True).first()
        if existing is not None:
            # Another application for the same entry was approved first: this applicant joins that
            # organization as a member (its manager decides about them from then on).
            user.organization = existing
            user.role = MemberRole.MEMBER
            if not org.members.exclude(pk=user.pk).exists():
                dropped = org
        else:
            if Organization.objects.filter(is_active=True, name=org.name).exists():
                raise AccountError(
                    _("组织名称“%(name)s”已被其他组织使用，不能启用。") % {"name": org.name},
                    code="name_taken",
                )
            org.is_active = True
            org.save(update_fields=["is_active"])
    user.is_active = True
    user.approval_state = ApprovalState.APPROVED
    user.save(update_fields=["is_active", "approval_state", "organization", "role"])
    if dropped is not None:
        dropped.delete()
    _event(AccountAction.APPROVED, target=user, actor=by, base_url=base_url)
    return user


@transaction.atomic
def reject_applicant(user: User, *, by: User, reason: str, base_url="") -> User:
    """Reject a pending application with a recorded reason; a new organization it asked for is dropped."""
    _require_admin(by)
    reason = (reason or "").strip()
    if not reason:
        raise AccountError(_("请填写不通过的原因。"), code="reason_required")
    user = User.objects.select_for_update(of=("self",)).select_related("organization").get(pk=user.pk)
    if user.approval_state != ApprovalState.PENDING:
        raise AccountError(_("该申请已处理，不能重复审核。"), code="not_pending")
    org = user.organization
    user.is_active = False
    user.approval_state = ApprovalState.REJECTED
    _event(AccountAction.REJECTED, target=user, actor=by, organization=org, reason=reason, base_url=base_url)
    if org is not None and not org.is_active and not org.members.exclude(pk=user.pk).exists():
        # The organization existed only for this application; its name is kept on the events.
        user.organization = None
        user.save(update_fields=["is_active", "approval_state", "organization"])
        org.delete()
    else:
        user.save(update_fields=["is_active", "approval_state"])
    return user


def _require_manager_of(organization: Organization, by: User):
    if not Organization.objects.editable_by(by).filter(pk=organization.pk).exists():
        raise AccountError(_("只有本组织的管理员可以管理成员。"), code="not_manager")


@transaction.atomic
def invite_member(
    organization: Organization,
    *,
    by: User,
    username: str,
    email: str,
    last_name: str = "",
    first_name: str = "",
    phone: str = "",
    base_url="",
) -> User:
    """Invite a member into the manager's organization: an inactive account activated via an e-mailed link."""
    _require_manager_of(organization, by)
    if not organization.is_active:
        raise AccountError(_("该组织尚未启用。"), code="inactive_org")
    user = User(
        username=username,
        email=email,
        last_name=last_name,
        first_name=first_name,
        phone=phone,
        organization=organization,
        role=MemberRole.MEMBER,
        is_active=False,
        approval_state=ApprovalState.INVITED,
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    _event(AccountAction.INVITED, target=user, actor=by, base_url=base_url)
    return user


@transaction.atomic
def accept_invitation(user: User, *, password: str) -> User:
    """Activate an invited account with the password the invitee chose."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.approval_state != ApprovalState.INVITED:
        raise AccountError(_("该邀请已失效。"), code="not_invited")
    user.set_password(password)
    user.is_active = True
    user.approval_state = ApprovalState.APPROVED
    user.save(update_fields=["password", "is_active", "approval_state"])
    _event(AccountAction.INVITATION_ACCEPTED, target=user, actor=user)
    return user


def _require_editable(member: User, by: User):
    if not User.objects.editable_by(by).filter(pk=member.pk).exists():
        raise AccountError(_("您不能管理该用户。"), code="not_editable")


@transaction.atomic
def deactivate_member(member: User, *, by: User, base_url="") -> User:
    """Deactivate a member of the actor's organization (managers) or any account but one's own (admins)."""
    _require_editable(member, by)
    if member.pk == by.pk:
        raise AccountError(_("不能停用自己的账号。"), code="self")
    member = User.objects.select_for_update().get(pk=member.pk)
    if not member.is_active and member.approval_state != ApprovalState.INVITED:
        raise AccountError(_("该成员已停用。"), code="already_inactive")
    member.is_active = False
    update = ["is_active"]
    if member.approval_state == ApprovalState.INVITED:
        # A withdrawn invitation: the link stops working.
        member.approval_state = ApprovalState.APPROVED
        member.set_unusable_password()
        update += ["approval_state", "password"]
    member.save(update_fields=update)
    _event(AccountAction.DEACTIVATED, target=member, actor=by, base_url=base_url)
    return member


@transaction.atomic
def reactivate_member(member: User, *, by: User) -> User:
    """Re-enable a member that was deactivated (not a pending or rejected applicant)."""
    _require_editable(member, by)
    member = User.objects.select_for_update().get(pk=member.pk)
    if member.is_active or member.approval_state != ApprovalState.APPROVED:
        raise AccountError(_("只能恢复已停用的成员。"), code="not_deactivated")
    if not member.has_usable_password():
        raise AccountError(_("该成员尚未设置密码，请重新邀请。"), code="no_password")
    member.is_active = True
    member.save(update_fields=["is_active"])
    _event(AccountAction.REACTIVATED, target=member, actor=by)
    return member


def record_password_change(user: User, *, by_reset: bool = False) -> AccountEvent:
    """Log that a user changed (or reset by e-mail) their password."""
    action = AccountAction.PASSWORD_RESET if by_reset else AccountAction.PASSWORD_CHANGED
    return _event(action, target=user, actor=user)


# --- API tokens ------------------------------------------------------------------------------------


def issue_api_token(user: User):
    """A new API token for the user, expiring after API_TOKEN_TTL_HOURS: (AuthToken, the token string).

    The user's expired tokens are dropped, and the oldest beyond API_TOKENS_PER_USER are revoked. Tokens are
    also revoked by a password change or reset and by deactivation (`User.save`).
    """
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    keep = max(settings.API_TOKENS_PER_USER - 1, 0)
    surplus = list(
        AuthToken.objects.filter(user=user).order_by("-created").values_list("digest", flat=True)[keep:]
    )
    if surplus:
        AuthToken.objects.filter(digest__in=surplus).delete()
    return AuthToken.objects.create(user=user)


def revoke_api_tokens(user: User, *, token=None) -> int:
    """Revoke one token of the user (logout), or all of them (logout everywhere); the number revoked."""
    tokens = AuthToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(digest=token.digest)
    return tokens.delete()[0]


# --- Two-factor sign-in ----------------------------------------------------------------------------


def start_two_factor(user: User) -> TOTPDevice:
    """Begin enrolment: a new, unconfirmed authenticator device (replacing an earlier unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("备用验证码"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(two_factor.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_two_factor(user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Finish enrolment with a code from the app: two-factor sign-in is on; returns the device and fresh backup codes."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        )
        if device is None:
            raise AccountError(_("请先点击“启用两步验证”生成二维码。"), code="not_started")
        # A failed check is counted on the device (slowing guessing down), so it must commit: no raise in here.
        verified = device.verify_token(two_factor.normalize_code(code))
        if verified:
            TOTPDevice.objects.filter(user=user, confirmed=True).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_backup_codes(user)
            _event(AccountAction.TWO_FACTOR_ENABLED, target=user, actor=user)
    if not verified:
        raise AccountError(
            _("验证码不正确，请确认手机时间准确后输入验证器中当前的 6 位数字。"), code="invalid_code"
        )
    user._has_two_factor = True
    return device, codes


def _require_code(user: User, code: str):
    device = two_factor.verify_code(user, code)
    if device is None:
        raise AccountError(_("验证码不正确或已使用。"), code="invalid_code")
    return device


def disable_two_factor(user: User, code: str) -> None:
    """Turn two-factor sign-in off (a current code or a backup code is required); refused where it is required."""
    if two_factor.two_factor_required(user):
        raise AccountError(_("您的账号必须使用两步验证，不能停用。"), code="required")
    _require_code(user, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _event(AccountAction.TWO_FACTOR_DISABLED, target=user, actor=user)
    user._has_two_factor = False


def renew_backup_codes(user: User, code: str) -> list[str]:
    """Replace the backup codes (a current code is required); the old ones stop working."""
    if not two_factor.has_two_factor(user):
        raise AccountError(_("请先启用两步验证。"), code="not_enabled")
    _require_code(user, code)
    with transaction.atomic():
        codes = _new_backup_codes(user)
        _event(AccountAction.BACKUP_CODES_RENEWED, target=user, actor=user)
    return codes
