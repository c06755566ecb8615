"""Record every login, failed login, lockout and logout as a LoginEvent; outdate the cached organisations and users."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from accounts import orgcache, usercache
from accounts.choices import LoginEventKind
from accounts.models import LoginEvent, Organization, User
from accounts.throttling import client_ip
from chains.models import County, ProvincialBody


def _client(request) -> dict:
    if request is None:
        return {}
    meta = getattr(request, "META", {})
    ip = getattr(request, "axes_ip_address", None) or (client_ip(request) if meta else "") or None
    return {
        "ip_address": ip,
        "user_agent": (meta.get("HTTP_USER_AGENT") or "")[:255],
        "path": (getattr(request, "path", "") or "")[:255],
    }


def record_login_event(kind: str, *, request=None, username: str = "", user=None):
    """Write one LoginEvent (append-only)."""
    if user is None and username:
        user = User.objects.filter(username=username).first()
    return LoginEvent.objects.create(
        kind=kind, username=(username or (user.username if user else ""))[:150], user=user, **_client(request)
    )


@receiver(user_logged_in, dispatch_uid="accounts_login_event")
def on_logged_in(sender, request, user, **kwargs):
    """A successful login."""
    record_login_event(LoginEventKind.LOGIN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts_login_failed_event")
def on_login_failed(sender, credentials, request=None, **kwargs):
    """A failed login (wrong password, inactive account, or an attempt while locked out)."""
    record_login_event(
        LoginEventKind.FAILED, request=request, username=str(credentials.get("username") or "")
    )


@receiver(user_locked_out, dispatch_uid="accounts_lockout_event")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """Axes locked the account after repeated failures."""
    record_login_event(LoginEventKind.LOCKED_OUT, request=request, username=str(username or ""))


@receiver(user_logged_out, dispatch_uid="accounts_logout_event")
def on_logged_out(sender, request, user, **kwargs):
    """A logout."""
    if user is not None:
        record_login_event(LoginEventKind.LOGOUT, request=request, user=user)


# What a cached organisation carries (accounts.orgcache): the organisation, its county and provincial body.
for _model in (Organization, County, ProvincialBody):
    post_save.connect(orgcache.bump, sender=_model, dispatch_uid=f"orgcache_save_{_model.__name__}")
    post_delete.connect(orgcache.bump, sender=_model, dispatch_uid=f"orgcache_delete_{_model.__name__}")
post_migrate.connect(orgcache.bump, dispatch_uid="orgcache_migrate")

# The session's user (accounts.usercache): a save or deletion drops the entry, a migration every entry.
post_save.connect(usercache.forget_user, sender=User, dispatch_uid="usercache_save")
post_delete.connect(usercache.forget_user, sender=User, dispatch_uid="usercache_delete")
post_migrate.connect(usercache.forget_all, dispatch_uid="usercache_migrate")
