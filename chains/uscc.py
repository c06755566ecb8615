"""统一社会信用代码 (GB 32100-2015): normalising and validating with python-stdnum's `cn.uscc` check.

The 18th character is a check digit over the first 17 (weights 3^i mod 31, alphabet without I, O, S, V, Z);
python-stdnum implements it (and the length and alphabet rules), this module only turns its exceptions into
messages people can act on.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc


def normalize_uscc(value: str) -> str:
    """Upper case without blanks or hyphens (what people paste from licences)."""
    return stdnum_uscc.compact(str(value or "")).upper()


def validate_uscc(value: str) -> None:
    """Raise a ValidationError with a clear Chinese message unless `value` is a valid 统一社会信用代码."""
    code = normalize_uscc(value)
    try:
        stdnum_uscc.validate(code)
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(
            _("统一社会信用代码应为 18 位（当前 %(n)d 位）：%(code)s"),
            code="uscc_length",
            params={"n": len(code), "code": code},
        ) from exc
    except stdnum_errors.InvalidChecksum as exc:
        expected = stdnum_uscc.calc_check_digit(code[:17])
        raise ValidationError(
            _(
                "统一社会信用代码校验位不正确：%(code)s（按 GB 32100-2015，第 18 位应为 %(digit)s），请核对营业执照。"
            ),
            code="uscc_checksum",
            params={"code": code, "digit": expected},
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _(
                "统一社会信用代码含无效字符：%(code)s（前 8 位为数字，其余为数字或除 I、O、S、V、Z 外的大写字母）"
            ),
            code="uscc_format",
            params={"code": code},
        ) from exc


def is_valid_uscc(value: str) -> bool:
    """Whether `value` is a valid 统一社会信用代码."""
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True
