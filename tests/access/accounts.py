"""Access to the accounts pages, plus a few explicit Django admin checks."""

from tests.access import Access, logged_in, only, public, rule


def _member(personas, **extra):
    from tests.accounts.helpers import make_member

    return make_member(personas["county_jinjiang"].organization, "jj_matrix", **extra)


def _jinjiang_member(personas):
    return {"pk": _member(personas).pk}


def _deactivated_member(personas):
    return {"pk": _member(personas, active=False).pk}


def _applicant(personas):
    from accounts.choices import ApprovalState
    from accounts.models import User

    member = _member(personas, active=False)
    User.objects.filter(pk=member.pk).update(approval_state=ApprovalState.PENDING)
    return {"pk": member.pk}


def _reset_token(personas):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.models import User

    user = User.objects.get(username="firm_demo")
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def _invitation_token(personas):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.services import invite_member

    manager = personas["county_jinjiang"]
    user = invite_member(
        manager.organization, by=manager, username="jj_invited", email="jj_invited@example.com"
    )
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


STAFF_ONLY = rule(302, admin=200)  # Django admin sends everyone else to its login page

ACCESS = {
    "accounts:login": Access(logged_in(302, anonymous=200)),  # logged-in users are sent on
    # The code step: nobody here has a password-accepted login pending or a device → back to login / home.
    "accounts:login_verify": Access(public(302)),
    "accounts:two_factor": Access(logged_in()),
    "accounts:logout": Access(public(302), method="post"),
    "accounts:signup": Access(logged_in(302, anonymous=200)),
    "accounts:signup_done": Access(public()),
    "accounts:profile": Access(logged_in()),
    "accounts:password_change": Access(logged_in()),
    "accounts:password_change_done": Access(logged_in()),
    "accounts:password_reset": Access(public()),
    "accounts:password_reset_done": Access(public()),
    "accounts:password_reset_confirm": Access(public(302), kwargs=_reset_token),  # → the set-password form
    "accounts:password_reset_complete": Access(public()),
    "accounts:invite_accept": Access(public(302), kwargs=_invitation_token),
    "accounts:organization": Access(logged_in()),
    "accounts:member_invite": Access(logged_in()),  # every persona manages its organization
    "accounts:member_detail": Access(only("county_jinjiang", "admin"), kwargs=_jinjiang_member),
    "accounts:member_deactivate": Access(
        only("county_jinjiang", "admin", ok=302), kwargs=_jinjiang_member, method="post"
    ),
    "accounts:member_reactivate": Access(
        only("county_jinjiang", "admin", ok=302), kwargs=_deactivated_member, method="post"
    ),
    "accounts:approvals": Access(only("admin")),
    "accounts:applicant": Access(only("admin"), kwargs=_applicant),
    # Explicit Django admin checks (the rest of the admin namespace is not walked).
    "admin:index": Access(STAFF_ONLY),
    "admin:accounts_user_changelist": Access(STAFF_ONLY),
    "admin:accounts_loginevent_changelist": Access(STAFF_ONLY),
    "admin:accounts_accountevent_changelist": Access(STAFF_ONLY),
}
