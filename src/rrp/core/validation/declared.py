"""The rules of a model's fields, read off the model's own declarations.

A ``CharField(max_length=200)`` gets ``TextRule(200)`` (one line), a ``TextField`` free text
(``FREE_TEXT_MAX_LENGTH``, tabs and new lines allowed), an integer field its database range (a positive
one from 0), a foreign key or id 1 to 2^63 - 1, a ``DecimalField`` its digits, a date or time the range of
a date of an event (1900 to tomorrow). A model lists dates that may lie in the future (an aim's target)
in ``PLANNED_DATES``; nothing else needs saying, so a new app's models get their rules by being declared.

``check_values`` is what a service calls before it writes (so a page, the API and any other caller meet
the same rules), adding each problem to the ``{field: [messages]}`` it raises as ValidationError.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from rrp.core.validation.rules import (
    EVENT_DATE,
    FREE_TEXT_MAX_LENGTH,
    ID_MAX,
    ID_RULE,
    PLANNED_DATE,
    DateRule,
    DecimalRule,
    FieldProblem,
    IntegerRule,
    TextRule,
)

Rule = TextRule | IntegerRule | DateRule | DecimalRule


def rule_for_field(field: models.Field, *, planned: bool = False) -> Rule | None:
    """The rule for one model field, or None for a field no person types (JSON, booleans, files)."""
    if isinstance(field, (models.ForeignKey, models.AutoField, models.BigAutoField)):
        return ID_RULE
    if isinstance(field, models.TextField):
        return TextRule(FREE_TEXT_MAX_LENGTH, multiline=True)
    if isinstance(field, models.CharField):  # also EmailField, SlugField, ...
        return TextRule(field.max_length or FREE_TEXT_MAX_LENGTH)
    if isinstance(field, models.BooleanField):
        return None
    if isinstance(field, models.IntegerField):
        low, high = BaseDatabaseOperations.integer_field_ranges.get(
            field.get_internal_type(), (-ID_MAX - 1, ID_MAX)
        )
        return IntegerRule(low, high, "whole number")
    if isinstance(field, models.DecimalField):
        return DecimalRule(field.max_digits, field.decimal_places)
    if isinstance(field, (models.DateField, models.DateTimeField)):  # DateTimeField is a DateField
        return PLANNED_DATE if planned else EVENT_DATE
    return None


@cache
def rules_of(model: type[models.Model]) -> dict[str, Rule]:
    """Every field's rule by field name (a foreign key also under its ``_id`` name)."""
    planned = set(getattr(model, "PLANNED_DATES", ()))
    rules: dict[str, Rule] = {}
    for field in model._meta.concrete_fields:
        rule = rule_for_field(field, planned=field.name in planned)
        if rule is not None:
            rules[field.name] = rule
            if field.attname != field.name:
                rules[field.attname] = rule
    return rules


def rule_of(model: type[models.Model], name: str) -> Rule:
    """The rule of one field; KeyError names the model and field if it has none."""
    try:
        return rules_of(model)[name]
    except KeyError:
        raise KeyError(f"{model._meta.label}.{name} has no validation rule") from None


def check_values(
    model: type[models.Model],
    values: Mapping[str, Any],
    errors: dict[str, list[str]],
    *,
    prefix: str = "",
    names: Mapping[str, str] | None = None,
) -> None:
    """Check each value against its field's rule (None and unknown names are skipped) and add a message
    under ``prefix + name`` (or ``names[name]``, the name the caller's form or payload gives it) for each
    problem."""
    rules = rules_of(model)
    for name, value in values.items():
        rule = rules.get(name)
        if rule is None or value is None or (value == "" and isinstance(rule, TextRule)):
            continue
        try:
            rule.check(value)
        except FieldProblem as problem:
            key = names.get(name, prefix + name) if names else prefix + name
            errors.setdefault(key, []).append(str(problem))
