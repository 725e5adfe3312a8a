"""The monthly bed days form."""

from __future__ import annotations

import datetime as dt

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.organisations.services import parse_month


class MonthlyBedDaysForm(ValidatedForm):
    month = forms.CharField(
        label="Month",
        help_text="As YYYY-MM, for example 2025-04",
        max_length=7,
        error_messages={"required": "Enter the month"},
    )
    bed_days = forms.IntegerField(
        label="Occupied bed days",
        min_value=0,
        help_text="Patients on the ward at midnight, added up over every night of the month",
        error_messages={
            "required": "Enter the occupied bed days",
            "invalid": "Enter a whole number of bed days",
        },
    )

    def clean_month(self) -> dt.date:
        try:
            return parse_month(self.cleaned_data["month"])
        except ValueError as error:
            raise forms.ValidationError("Enter the month as YYYY-MM, for example 2025-04") from error
