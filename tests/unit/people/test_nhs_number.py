"""NHS number vectors: the modulus 11 check (through the nhs-number library) and the 999 test range."""

from __future__ import annotations

import pytest

from rrp.people.validation import InvalidNhsNumber, validate_icd10, validate_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "943 476 5919", "943-476-5919"])
def test_nhs_number_valid_vectors_accepted(number):
    assert validate_nhs_number(number, demo_mode=False) == number.replace(" ", "").replace("-", "")


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("9434765918", "last digit does not match"),  # check digit wrong
        ("1234567890", "last digit does not match"),  # remainder 10: never valid
        ("123456789", "must be 10 digits"),
        ("94347659190", "must be 10 digits"),
        ("94347A5919", "must be 10 digits"),
        ("", "must be 10 digits"),
    ],
)
def test_nhs_number_invalid_vectors_rejected_with_reason(number, reason):
    with pytest.raises(InvalidNhsNumber, match=reason):
        validate_nhs_number(number, demo_mode=False)


def test_nhs_number_test_range_only_in_demo_mode():
    number = "9990000018"  # valid check digit, in the never-issued 999 range
    with pytest.raises(InvalidNhsNumber, match="testing only"):
        validate_nhs_number(number, demo_mode=False)
    assert validate_nhs_number(number, demo_mode=True) == number


def test_nhs_number_test_range_follows_demo_setting(settings):
    settings.DEMO_MODE = True
    assert validate_nhs_number("9990000018") == "9990000018"
    settings.DEMO_MODE = False
    with pytest.raises(InvalidNhsNumber):
        validate_nhs_number("9990000018")


@pytest.mark.parametrize(
    ("given", "expected"), [("f20.0", "F20.0"), ("F200", "F20.0"), ("F84", "F84"), ("", "")]
)
def test_icd10_codes_normalised(given, expected):
    assert validate_icd10(given) == expected


@pytest.mark.parametrize("bad", ["20.0", "FF20", "F2", "F20.000"])
def test_icd10_bad_codes_rejected(bad):
    with pytest.raises(ValueError, match="ICD-10"):
        validate_icd10(bad)
