"""The input rules every way in shares (model fields, services, web forms, API serializers): one-line texts
without control characters, mainland phone numbers, amounts within the platform's limit, desired dates within
a sensible window. Messages are Chinese (translated like every UI string)."""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Amounts: above 0 and at most 1,000 亿元 (1e11 元 = 10,000,000 万元). Sums over any number of such rows stay
# far below 2^63, and the largest a client may send fits every database's 64-bit integer.
MAX_AMOUNT_YUAN = 10**11
# Desired completion dates: after today and at most five years ahead.
MAX_YEARS_AHEAD = 5

MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
LANDLINE = re.compile(r"^(?:\+?86)?(?:\(0\d{2,3}\)|0\d{2,3})-?[2-9]\d{6,7}(?:-\d{1,6})?$")
SERVICE_LINE = re.compile(r"^[48]00-?\d{3}-?\d{4}$")


def control_characters(value: str) -> list[str]:
    """The control characters (Unicode category Cc: CR, LF, NUL, TAB, ...) in `value`, as U+XXXX names."""
    return sorted({f"U+{ord(ch):04X}" for ch in value if unicodedata.category(ch) == "Cc"})


def validate_one_line(value) -> None:
    """A title, name or other one-line text: no line breaks or other control characters."""
    if isinstance(value, str) and control_characters(value):
        raise ValidationError(_("不能包含换行符或其他控制字符。"), code="control_characters")


def normalize_phone(value: str) -> str:
    """The number without spaces and with ASCII hyphens (what the patterns read)."""
    return re.sub(r"\s+", "", value or "").replace("－", "-").replace("—", "-")


def validate_phone(value) -> None:
    """A mainland mobile (11 digits, 13–19…) or landline (area code 0xx/0xxx, 7–8 digits, optional
    extension) or a 400/800 service number; spaces and hyphens between the parts are allowed."""
    if not value:
        return
    number = normalize_phone(str(value))
    if not (MOBILE.match(number) or LANDLINE.match(number) or SERVICE_LINE.match(number)):
        raise ValidationError(
            _("请输入中国大陆手机号或固定电话，例如 13800000000 或 0591-87654321。"), code="invalid_phone"
        )


AMOUNT_TOO_LARGE = format_lazy(
    _("金额不能超过 {max} 万元（1000 亿元）。"), max=f"{MAX_AMOUNT_YUAN // 10_000:,}"
)


def validate_amount_limit(value) -> None:
    """An amount in 元 of at most 1,000 亿元 (the message says it in 万元)."""
    if value is not None and value > MAX_AMOUNT_YUAN:
        raise ValidationError(AMOUNT_TOO_LARGE, code="amount_too_large")


def validate_amount_yuan(value) -> None:
    """An amount in 元 above 0 and at most 1,000 亿元."""
    if value is not None and value <= 0:
        raise ValidationError(_("金额须大于 0。"), code="amount_not_positive")
    validate_amount_limit(value)


def validate_due_date(value: date | None, today: date | None = None) -> None:
    """A desired completion date after today and at most five years ahead."""
    if value is None:
        return
    today = today or timezone.localdate()
    if value <= today:
        raise ValidationError(_("期望完成日期须晚于今天。"), code="due_date_past")
    try:
        limit = today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)
    if value > limit:
        raise ValidationError(
            _("期望完成日期不能晚于 %(limit)s（%(years)s 年内）。")
            % {"limit": limit.isoformat(), "years": MAX_YEARS_AHEAD},
            code="due_date_far",
        )
