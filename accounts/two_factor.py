"""Two-factor sign-in (django-otp): who has it, who must have it, and checking a code.

A user has two-factor sign-in when they own a confirmed TOTP device (an authenticator app); single-use backup
codes (a static device) come with it. With REQUIRE_2FA=1, administrators (superusers, staff, the platform)
and provincial-body users must have it. State changes (enrol, confirm, disable, new backup codes) are the
services in `accounts.services`.
"""

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.scoping import Scope

BACKUP_CODE_COUNT = 10
TOTP_CODE = re.compile(r"^\d{6}$")


def has_two_factor(user) -> bool:
    """The user signs in with a second factor (owns a confirmed authenticator device)."""
    if user is None or not getattr(user, "pk", None):
        return False
    cached = getattr(user, "_has_two_factor", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        user._has_two_factor = cached
    return cached


def two_factor_required(user) -> bool:
    """REQUIRE_2FA is on and the user is an administrator or acts for a provincial body."""
    if not settings.REQUIRE_2FA or user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    scope = Scope.for_user(user)
    return scope.is_admin or scope.is_body


def is_verified(user) -> bool:
    """The session's user passed the second factor at login (django-otp's OTPMiddleware sets otp_device)."""
    return getattr(user, "otp_device", None) is not None


def second_factor_satisfied(user) -> bool:
    """A logged-in user has passed the second factor, or needs none."""
    if is_verified(user):
        return True
    return not (two_factor_required(user) or has_two_factor(user))


def normalize_code(code: str) -> str:
    """Codes as typed: spaces and dashes dropped, lower case (backup codes are lower-case base32)."""
    return re.sub(r"[\s-]", "", code or "").lower()


def verify_code(user, code: str):
    """The device that accepts `code` (a 6-digit authenticator code, or an unused backup code), else None.

    Each failure counts against the device (django-otp slows further attempts down); a backup code is used up.
    """
    code = normalize_code(code)
    if not code or user is None:
        return None
    model = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user_id=user.pk, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def secret_text(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four (for typing into an app that cannot scan)."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(text: str) -> str:
    """An inline SVG QR code of `text`, drawn on the server (no external service sees the secret)."""
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    return re.sub(r'width="[^"]*" height="[^"]*"', 'width="200" height="200" role="img"', svg, count=1)


def backup_codes_left(user) -> int:
    """Unused backup codes of the user."""
    return StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count()
