"""Forms for the Act's duties; field names are the services' error keys."""

from __future__ import annotations

from django import forms

from rrp.act.models import Delegation, PolicyVersion, ResponsiblePersonAppointment
from rrp.core.validation.forms import ValidatedForm


def _date(label: str, *, required: bool = True, message: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2026-03-14",
        error_messages={
            "required": message or f"Enter {label.lower()}",
            "invalid": f"Enter {label.lower()} as a real date, for example 2026-03-14",
        },
    )


class AppointmentForm(ValidatedForm):
    rules_model = ResponsiblePersonAppointment
    planned_dates = frozenset({"appointed_on"})

    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the responsible person's name"}
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=200,
        error_messages={"required": "Enter the responsible person's job title"},
    )
    appointed_on = _date(
        "Date the appointment takes effect", message="Enter the date the appointment took effect"
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, the board meeting that made the appointment",
    )


class DelegationForm(ValidatedForm):
    rules_model = Delegation
    planned_dates = frozenset({"starts_on", "ends_on"})

    delegate_name = forms.CharField(
        label="Delegated to",
        max_length=200,
        error_messages={"required": "Enter who the functions are delegated to"},
    )
    delegate_job_title = forms.CharField(
        label="Their job title", max_length=200, error_messages={"required": "Enter their job title"}
    )
    functions = forms.CharField(
        label="Functions delegated",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say which functions are delegated"},
    )
    starts_on = _date("Start date", message="Enter the date the delegation starts")
    ends_on = _date("End date (optional)", required=False)


class PolicyVersionForm(ValidatedForm):
    rules_model = PolicyVersion
    planned_dates = frozenset({"review_due_on"})

    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the policy's title"}
    )
    version_label = forms.CharField(
        label="Version", max_length=20, error_messages={"required": "Enter the version, for example 3.1"}
    )
    document_url = forms.URLField(
        label="Published document",
        max_length=500,
        help_text="The web address where the policy is published, starting https://",
        error_messages={
            "required": "Enter the address where the policy is published",
            "invalid": "Enter a web address, for example https://www.example.nhs.uk/policies/use-of-force",
        },
    )
    approved_on = _date("Date approved", message="Enter the date the policy was approved")
    review_due_on = _date("Next review due", message="Enter the date the next review is due")
    consulted = forms.CharField(
        label="Who was consulted",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Groups and people, for example the patients' council, carers' forum, staff side",
        error_messages={"required": "Say who was consulted on this version"},
    )
    patients_consulted = forms.BooleanField(label="Patients were consulted", required=False)
    carers_consulted = forms.BooleanField(label="Carers or families were consulted", required=False)
