"""Forms of collaboratives run from RRP (decision 0059). Field names match ``collaborative_services``'
arguments (ids where the service takes an object: the view looks them up), so a ValidationError from a
service lands on the field it names. What is missing or out of order is for the service to say."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.improvement.project_forms import ChangeIdeaForm, DriverDiagramForm
from rrp.organisations.models import CollaborativeKind

NOT_FOR_PATIENTS = "Read by every member ward's provider: do not write patients' names or NHS numbers here"


def _date(label: str, *, required: bool = False, hint: str = "For example, 2027-04-01") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=hint,
        error_messages={"invalid": f"Enter {label.lower()} as a real date, for example 2027-04-01"},
    )


class CollaborativeForm(ValidatedForm):
    """Start a collaborative."""

    planned_dates = frozenset({"starts_on", "ends_on"})

    name = forms.CharField(label="Name", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Kind of collaborative",
        required=False,
        choices=CollaborativeKind.choices,
        widget=forms.RadioSelect,
    )
    region = forms.ChoiceField(label="Region (for a regional collaborative)", required=False)
    aim = forms.CharField(
        label="The collaborative's aim in words (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example: 25% fewer restrictive interventions in member wards by March 2028. "
        "Measured aims are set on the collaborative's page once it exists.",
    )
    starts_on = _date("Start date")
    ends_on = _date("End date (optional)")

    def __init__(self, *args: object, regions: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "None (a national cohort)"), *regions]


class CollaborativeEditForm(ValidatedForm):
    """Change a collaborative's name, aim in words and dates, saying why (kept in the audit log)."""

    planned_dates = frozenset({"starts_on", "ends_on"})

    name = forms.CharField(label="Name", required=False, max_length=200)
    aim = forms.CharField(
        label="The collaborative's aim in words (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    starts_on = _date("Start date")
    ends_on = _date("End date (optional)")
    reason = forms.CharField(
        label="Why are you changing it?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit log with your name and the time. " + NOT_FOR_PATIENTS,
    )


class InviteForm(ValidatedForm):
    """Invite a ward: the provider answers."""

    planned_dates = frozenset({"proposed_joining_on"})

    ward = forms.ChoiceField(label="Ward", required=False, help_text="Listed by provider")
    proposed_joining_on = _date("Date the ward would join", hint="Its provider can change it when accepting")
    message = forms.CharField(
        label="Message to the provider (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NOT_FOR_PATIENTS,
    )

    def __init__(self, *args: object, wards: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = [("", "Select a ward"), *wards]


class AnswerForm(ValidatedForm):
    """The provider's answer to an invitation."""

    planned_dates = frozenset({"joined_on"})

    accept = forms.ChoiceField(
        label="Does the ward join?",
        required=False,
        choices=[("yes", "Yes: the ward joins"), ("no", "No: decline the invitation")],
        widget=forms.RadioSelect,
    )
    joined_on = _date("Date the ward joins", hint="Needed when the ward joins. For example, 2027-04-01")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=NOT_FOR_PATIENTS,
    )


class LeaveForm(ValidatedForm):
    left_on = _date("Date the ward left")


class PackageAddForm(ValidatedForm):
    change_idea = forms.ChoiceField(label="Change idea", required=False)
    note = forms.CharField(
        label="Why the collaborative recommends it (optional)",
        required=False,
        max_length=300,
        help_text=NOT_FOR_PATIENTS,
    )

    def __init__(self, *args: object, ideas: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_idea"].choices = [("", "Select a change idea"), *ideas]


class TemplateDiagramForm(DriverDiagramForm):
    """The template driver diagram, written as a project's is."""


class LearningNoteForm(ValidatedForm):
    held_on = _date("Date of the learning set", hint="For example, 2026-11-18")
    label = forms.CharField(
        label="Label on the charts",
        required=False,
        max_length=60,
        help_text="Short, for example: Learning set 3",
    )
    notes = forms.CharField(
        label="What was shared and learned",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Stories, what worked, what did not. " + NOT_FOR_PATIENTS,
    )


class CollaborativeIdeaForm(ChangeIdeaForm):
    """A change idea of the collaborative's own; a change is saved as its next version, with what
    changed and the version it started from (decision 0018)."""

    note = forms.CharField(
        label="What changed in this version (optional)",
        required=False,
        max_length=300,
        help_text="For example: added the source, or reworded after learning set 3",
    )
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class IdeaWithdrawForm(ValidatedForm):
    reason = forms.CharField(
        label="Why is it being withdrawn?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="It stays in the package's history and on the cycles that tested it. " + NOT_FOR_PATIENTS,
    )
