"""统一社会信用代码 (GB 32100-2015): valid codes pass, a wrong check digit, length or character is refused
with a message that says what is wrong."""

import pytest
from django.core.exceptions import ValidationError

from chains.uscc import is_valid_uscc, normalize_uscc, validate_uscc

VALID = [
    "91350582MA2Y00010W",
    "91350200MA3A000208",
    "91350100MA8T00030C",
    "91350181MA31X0040Q",
    "91350500MA2XN00500",
    "91110000600037341L",  # a published licence (check digit L)
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    validate_uscc(code)
    assert is_valid_uscc(code)


def test_blanks_hyphens_and_lower_case_are_normalised():
    assert normalize_uscc(" 91350582-ma2y0001 0w ") == "91350582MA2Y00010W"
    assert is_valid_uscc("91350582ma2y00010w")


@pytest.mark.parametrize(
    ("code", "error_code", "words"),
    [
        ("91350582MA2Y00010X", "uscc_checksum", "第 18 位应为 W"),  # wrong check digit
        ("91350200MA3A000209", "uscc_checksum", "第 18 位应为 8"),
        ("91350582MA2Y0001", "uscc_length", "18 位"),  # too short
        ("91350582MA2Y00010W1", "uscc_length", "18 位"),  # too long
        ("91350582MA2Y0O010W", "uscc_format", "无效字符"),  # the letter O is not in the alphabet
        ("9135058IMA2Y00010W", "uscc_format", "无效字符"),
        ("", "uscc_length", "18 位"),
    ],
)
def test_invalid_codes_are_refused_with_a_clear_message(code, error_code, words):
    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(code)
    assert excinfo.value.code == error_code
    assert words in excinfo.value.messages[0]
    assert not is_valid_uscc(code)


@pytest.mark.django_db
def test_a_firm_with_a_bad_code_is_not_saved():
    from chains.models import Enterprise

    firm = Enterprise.objects.order_by("pk").first()
    firm.uscc = "91350582MA2Y00010X"
    with pytest.raises(ValidationError) as excinfo:
        firm.full_clean()
    assert "uscc" in excinfo.value.message_dict
