"""Every RRP form is a ValidatedForm, so every field of every page gets its rule (issue 12)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

import rrp
from rrp.core.validation.forms import ValidatedForm


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_form_in_rrp_is_a_validated_form():
    for module in pkgutil.walk_packages(rrp.__path__, "rrp."):
        if module.name.endswith(("forms", "views")) or ".views." in module.name:
            importlib.import_module(module.name)
    from rrp.segregation.forms import review_rules_form_class

    review_rules_form_class({"minutes": "Minutes"})
    ours = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("rrp.")}
    assert len(ours) > 20
    assert {c.__qualname__ for c in ours if not issubclass(c, ValidatedForm)} == set()


class _Numbers(ValidatedForm):
    count = forms.IntegerField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)
    day = forms.DateField(required=False)


@pytest.mark.parametrize("text", ["1_0", "١٠", str(2**64)])
def test_a_form_whole_number_is_ascii_digits_in_64_bits(text):
    form = _Numbers({"count": text})
    assert not form.is_valid()
    assert "count" in form.errors


def test_a_form_free_text_keeps_new_lines_and_refuses_control_characters():
    assert _Numbers({"note": "one\r\ntwo"}).is_valid()
    form = _Numbers({"note": "one\x1btwo"})
    assert not form.is_valid() and "U+001B" in form.errors["note"][0]


def test_a_form_date_is_a_date_of_an_event():
    form = _Numbers({"day": "2099-01-01"})
    assert not form.is_valid() and "in the future" in form.errors["day"][0]


def test_one_message_for_a_field_too_long():
    class Short(ValidatedForm):
        name = forms.CharField(max_length=5)

    form = Short({"name": "x" * 6})
    assert form.errors["name"] == ["Enter 5 characters or fewer (this has 6)"]
