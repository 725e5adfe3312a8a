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
