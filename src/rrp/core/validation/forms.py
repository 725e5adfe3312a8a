"""The page adapter: ``ValidatedForm``, the base of every RRP form, checks each field by its rule.

Text is one line (or free text in a ``Textarea``) of at most the field's length, with no control
characters; whole numbers are written with the digits 0-9 and lie in range (64 bits unless the form or
model says less); dates are dates of events (1900 to tomorrow) unless the form names them in
``planned_dates``. A form that sets ``rules_model`` gets, for each field named like one of that model's
fields, the model's own rule (its ``max_length``, its integer range). tests/unit/core/test_validation_forms.py
fails when a form in rrp is not a ValidatedForm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models

from rrp.core.validation.declared import Rule, rules_of
from rrp.core.validation.rules import (
    EVENT_DATE,
    FREE_TEXT_MAX_LENGTH,
    ID_MAX,
    PLANNED_DATE,
    DateRule,
    FieldProblem,
    IntegerRule,
    TextRule,
    parse_whole_number,
)

_COVERED_BY_TEXT_RULE = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)
WHOLE_NUMBER_64 = IntegerRule(-ID_MAX - 1, ID_MAX, "whole number")


def django_validator(rule: Rule) -> Callable[[Any], None]:
    """The rule as a Django validator (raises ValidationError with the rule's message)."""

    def validate(value: Any) -> None:
        if value in (None, ""):
            return
        try:
            rule.check(value)
        except FieldProblem as problem:
            raise ValidationError(str(problem), code="rule") from None

    validate.rule = rule  # type: ignore[attr-defined]
    return validate


def _strict_integers(field: forms.IntegerField) -> None:
    """Read typed whole numbers with the digits 0-9 only (Django's IntegerField would take ``1_0`` and
    Arabic-Indic digits, as Python's int does)."""
    parse = field.to_python

    def to_python(value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            try:
                parse_whole_number(value)
            except FieldProblem:
                raise ValidationError(field.error_messages["invalid"], code="invalid") from None
        return parse(value)

    field.to_python = to_python  # type: ignore[method-assign]


def _bounded_choices(field: forms.ModelChoiceField) -> None:
    """A posted id larger than any id is an invalid choice, not a database overflow."""
    parse = field.to_python

    def to_python(value: Any) -> Any:
        text = value.strip() if isinstance(value, str) else ""
        if len(text) > 18 and text.isascii() and text.isdigit() and int(text) > ID_MAX:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")
        return parse(value)

    field.to_python = to_python  # type: ignore[method-assign]


def rule_for_form_field(
    name: str, field: forms.Field, *, model_rules: dict[str, Rule], planned: frozenset[str]
) -> Rule | None:
    """The rule a form field is checked by: its model field's, else the one for its kind."""
    declared = model_rules.get(name)
    if isinstance(field, forms.DateField | forms.DateTimeField):
        if isinstance(declared, DateRule):
            return declared
        return PLANNED_DATE if name in planned else EVENT_DATE
    if isinstance(field, forms.CharField):
        if isinstance(declared, TextRule):
            return declared
        multiline = isinstance(field.widget, forms.Textarea)
        return TextRule(field.max_length or FREE_TEXT_MAX_LENGTH, multiline=multiline)
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.FloatField | forms.DecimalField):
        return declared if isinstance(declared, IntegerRule) else WHOLE_NUMBER_64
    return None


def apply_rules(
    form: forms.BaseForm, *, model: type[models.Model] | None = None, planned: frozenset[str] = frozenset()
) -> None:
    """Add each field's rule to its validators (the form's own copy of its fields)."""
    model_rules = rules_of(model) if model is not None else {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            _bounded_choices(field)
            continue
        rule = rule_for_form_field(name, field, model_rules=model_rules, planned=planned)
        if rule is None:
            continue
        if isinstance(rule, IntegerRule):
            _strict_integers(field)  # type: ignore[arg-type]
        if isinstance(rule, TextRule):  # the rule says the same in RRP's words: one message, not two
            field.validators = [v for v in field.validators if not isinstance(v, _COVERED_BY_TEXT_RULE)]
        field.validators.append(django_validator(rule))


class ValidatedForm(forms.Form):
    """The base of every RRP form: each field checked by the rule of its kind (see the module)."""

    #: The model whose fields' rules apply to form fields of the same names.
    rules_model: ClassVar[type[models.Model] | None] = None
    #: Date fields that may be in the future (up to 2099), not dates of events.
    planned_dates: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_rules(self, model=self.rules_model, planned=frozenset(self.planned_dates))
