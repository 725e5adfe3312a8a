"""Checking NHS numbers and ICD-10 codes."""

from __future__ import annotations

import re

import nhs_number
from django.conf import settings

TEST_RANGE_PREFIX = "999"  # 999 000 0000 - 999 999 9999: never issued, for test and demo patients only


class InvalidNhsNumber(ValueError):
    pass


def normalise_nhs_number(value: str) -> str:
    """Strip spaces and dashes (people type 943 476 5919 or 943-476-5919)."""
    return re.sub(r"[\s-]", "", value or "")


def validate_nhs_number(value: str, *, demo_mode: bool | None = None) -> str:
    """Return the 10-digit NHS number, or raise InvalidNhsNumber saying what is wrong.

    The modulus 11 check is the `nhs-number` library's. Numbers in the 999 test range are accepted
    only in demo mode.
    """
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", number):
        raise InvalidNhsNumber("An NHS number must be 10 digits")
    if not nhs_number.is_valid(number):
        raise InvalidNhsNumber(
            "This is not a valid NHS number: check the digits (the last digit does not match)"
        )
    demo = settings.DEMO_MODE if demo_mode is None else demo_mode
    if number.startswith(TEST_RANGE_PREFIX) and not demo:
        raise InvalidNhsNumber("NHS numbers starting 999 are for testing only and cannot be used here")
    return number


ICD10_PATTERN = re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$")


def validate_icd10(value: str) -> str:
    """Return an ICD-10 code in canonical form (e.g. F20.0), or raise ValueError."""
    code = (value or "").strip().upper()
    if code and len(code) == 4 and "." not in code:
        code = f"{code[:3]}.{code[3:]}"
    if code and not ICD10_PATTERN.match(code):
        raise ValueError("Enter an ICD-10 code such as F20.0")
    return code


# Ten digits written together or as 3-3-4 with spaces or dashes, not part of a longer run of digits.
_NHS_NUMBER_IN_TEXT = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")


def nhs_numbers_in(text: str) -> list[str]:
    """The NHS numbers written in free text, each as 10 digits, in order and once each: ten digits that
    pass the modulus 11 check (the `nhs-number` library's), so most other ten-digit numbers are left alone.
    For free text read outside the ward, where an NHS number must not be written."""
    found: list[str] = []
    for match in _NHS_NUMBER_IN_TEXT.finditer(text or ""):
        number = "".join(match.groups())
        if nhs_number.is_valid(number) and number not in found:
            found.append(number)
    return found


def nhs_number_display(number: str) -> str:
    """An NHS number as people write it: 943 476 5919."""
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def without_nhs_numbers(text: str, replacement: str = "[NHS number removed]") -> str:
    """The text with each NHS number that ``nhs_numbers_in`` finds replaced: the redaction proposed."""

    def replace(match: re.Match[str]) -> str:
        return replacement if nhs_number.is_valid("".join(match.groups())) else match.group(0)

    return _NHS_NUMBER_IN_TEXT.sub(replace, text or "")
