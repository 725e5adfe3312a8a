"""The audit log search form."""

from __future__ import annotations

from typing import Any

from django import forms

from rrp.core.models import AuditAction
from rrp.core.validation.forms import ValidatedForm
from rrp.web.audit_lines import record_type_choices


class AuditSearchForm(ValidatedForm):
    """Filters for the audit log. ``patients_allowed``: the reader may see patients in the log
    (``AUDIT_PATIENTS_VIEW``), so the form offers the search by NHS number or name; without it the field is
    not there at all, and a ``patient`` in the query string is not read."""

    planned_dates = frozenset({"since", "until"})

    username = forms.CharField(label="Username", required=False, max_length=150)
    action = forms.ChoiceField(
        label="What was done", required=False, choices=[("", "Anything"), *AuditAction.choices]
    )
    record_type = forms.ChoiceField(label="Kind of record", required=False, choices=record_type_choices)
    patient = forms.CharField(
        label="Patient's NHS number or name",
        required=False,
        max_length=100,
        help_text="For example, 943 476 5919 or Jane Smith",
    )
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.TextInput,
        help_text="For example, 2026-04-01",
        error_messages={"invalid": "Enter the start date as year-month-day, for example 2026-04-01"},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.TextInput,
        help_text="For example, 2026-04-30",
        error_messages={"invalid": "Enter the end date as year-month-day, for example 2026-04-30"},
    )

    def __init__(self, *args: Any, patients_allowed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not patients_allowed:
            del self.fields["patient"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data
