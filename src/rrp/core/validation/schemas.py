"""The API adapter: pydantic types for django-ninja schemas, carrying the same rules as the pages.

``declared_types(Model).field`` is the type of that model field for a request schema (text with its
length and no control characters, an id, a date or time of an event); ``Id``, ``EventDateTime`` and
``IsoDate`` are the common ones. Each rule's message becomes pydantic's message, so the API's 422
problem+json names the field with the same words as the page. The OpenAPI document shows each limit
(``maxLength``, a ``pattern`` refusing control characters, ``minimum``/``maximum``) so a client or a
schema fuzzer knows them.

Dates and times are read from ISO 8601 text only: pydantic would read ``0`` or ``1700000000`` as a Unix
time (``occurred_to=0`` became 1 January 1970).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Annotated, Any

from django.db import models
from pydantic import AfterValidator, BeforeValidator, Field

from rrp.core.validation.declared import Rule, rules_of
from rrp.core.validation.rules import (
    EARLIEST_DATE,
    EVENT_DATE,
    ID_MAX,
    PLANNED_DATE,
    DateRule,
    DecimalRule,
    FieldProblem,
    IntegerRule,
    TextRule,
)

# For the OpenAPI document only (the rule's own check gives the message): no control characters.
ONE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
MULTILINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


class RuleError(ValueError):
    """A rule's message for pydantic: rrp.api.problems reports it without pydantic's "Value error, "."""


def _checked(rule: Any) -> AfterValidator:
    def check(value: Any) -> Any:
        try:
            return rule.check(value)
        except FieldProblem as problem:
            raise RuleError(str(problem)) from None

    return AfterValidator(check)


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise RuleError("Enter a date and time as ISO 8601 text, e.g. 2026-03-14T09:30")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise RuleError("Enter a date and time as ISO 8601 text, e.g. 2026-03-14T09:30") from None


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise RuleError("Enter a date as YYYY-MM-DD, e.g. 2026-03-14")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RuleError("Enter a real date as YYYY-MM-DD, e.g. 2026-03-14") from None


def text_type(rule: TextRule) -> Any:
    pattern = MULTILINE_PATTERN if rule.multiline else ONE_LINE_PATTERN
    return Annotated[
        str, Field(json_schema_extra={"maxLength": rule.max_length, "pattern": pattern}), _checked(rule)
    ]


def integer_type(rule: IntegerRule) -> Any:
    return Annotated[int, Field(ge=rule.minimum, le=rule.maximum)]


def datetime_type(rule: DateRule) -> Any:
    return Annotated[
        dt.datetime,
        BeforeValidator(_iso_datetime),
        Field(json_schema_extra={"format": "date-time"}),
        _checked(rule),
    ]


def date_type(rule: DateRule) -> Any:
    return Annotated[dt.date, BeforeValidator(_iso_date), _checked(rule)]


Id = integer_type(IntegerRule(1, ID_MAX, "record number"))
EventDateTime = datetime_type(EVENT_DATE)
EventDate = date_type(EVENT_DATE)
PlannedDate = date_type(PLANNED_DATE)
#: A date in a query (a filter): ISO text, from 1900 to 2099.
IsoDate = date_type(DateRule(planned=True))


def type_for_rule(rule: Rule, field: models.Field) -> Any:
    if isinstance(rule, TextRule):
        return text_type(rule)
    if isinstance(rule, IntegerRule):
        return integer_type(rule)
    if isinstance(rule, DecimalRule):
        return Annotated[float, _checked(rule)]
    if isinstance(field, models.DateTimeField):
        return datetime_type(rule)
    return date_type(rule)


def declared_types(model: type[models.Model]) -> SimpleNamespace:
    """A namespace with, for each field of ``model`` that has a rule, the pydantic type that carries it
    (``declared_types(IncidentVersion).place_on_ward``)."""
    fields = {f.name: f for f in model._meta.concrete_fields} | {
        f.attname: f for f in model._meta.concrete_fields
    }
    return SimpleNamespace(
        **{name: type_for_rule(rule, fields[name]) for name, rule in rules_of(model).items()}
    )


__all__ = ["EARLIEST_DATE", "EventDate", "EventDateTime", "Id", "IsoDate", "PlannedDate", "declared_types"]
