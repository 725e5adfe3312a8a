"""The audit log search form."""

from __future__ import annotations

from django import forms

from rrp.core.models import AuditAction
from rrp.core.validation.forms import ValidatedForm


class AuditSearchForm(ValidatedForm):
    planned_dates = frozenset({"since", "until"})

    username = forms.CharField(label="Username", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    record_type = forms.CharField(
        label="Record type", required=False, max_length=60, help_text="For example people.Patient"
    )
    patient_id = forms.IntegerField(label="Patient record number", required=False, min_value=1)
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

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data
