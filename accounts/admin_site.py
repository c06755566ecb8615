"""Django's admin behind the site's own login, so the admin too asks for the second factor.

The admin has no login form of its own: /admin/login/ sends to /accounts/login/ (lockout, throttle and the
two-factor step included) and back. A staff user who has two-factor sign-in (or must have it) gets into the
admin only with a session that passed the second factor, like django-otp's OTPAdminSite.
"""

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import PermissionDenied
from django.urls import reverse


class TwoFactorAdminSite(AdminSite):
    """The admin site: staff permission plus a passed second factor where the user has or needs one."""

    def has_permission(self, request):
        # Not at import: this module is loaded with INSTALLED_APPS, before the models two_factor reads.
        from accounts.two_factor import second_factor_satisfied

        return super().has_permission(request) and second_factor_satisfied(request.user)

    def login(self, request, extra_context=None):
        """Log in through the site's login page (or its code step), then come back to the admin."""
        from django.contrib.auth.views import redirect_to_login  # not at import: listed in INSTALLED_APPS

        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("accounts:login"))
        if user.is_active and user.is_staff:
            return redirect_to_login(next_url, reverse("accounts:login_verify"))
        raise PermissionDenied


class TwoFactorAdminConfig(AdminConfig):
    """Django's admin app, with TwoFactorAdminSite as the default site."""

    default_site = "accounts.admin_site.TwoFactorAdminSite"
