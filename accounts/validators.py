"""Field validators for accounts."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def validate_mainland_mobile(value: str) -> None:
    """A mainland China mobile number: 11 digits starting with 13–19."""
    if value and not MAINLAND_MOBILE.match(value):
        raise ValidationError(_("请输入 11 位中国大陆手机号，例如 13800000000。"), code="invalid_phone")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length check, with the Chinese message Django's own catalog lacks."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}
