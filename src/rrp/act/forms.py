"""Forms for the Act's duties; field names are the services' error keys."""

from __future__ import annotations

from typing import Any

from django import forms

from rrp.act.models import (
    Avoidable,
    Delegation,
    FamilyInvolvement,
    InvestigationVersion,
    LearningResponse,
    PolicyVersion,
    ProneReview,
    ProneReviewer,
    ResponsiblePersonAppointment,
    TrainingCourse,
    TrainingTopic,
)
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
        required=False,
        help_text="The web address where the policy is published, starting https://. Or upload it below",
        error_messages={
            "invalid": "Enter a web address, for example https://www.example.nhs.uk/policies/use-of-force",
        },
    )
    document = forms.FileField(
        label="Upload the policy (PDF)",
        required=False,
        help_text="A PDF of at most 10 MB, shown only to people signed in to RRP who see this provider",
        error_messages={"invalid": "Choose a PDF file to upload", "empty": "The file chosen is empty"},
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


class InvestigationForm(ValidatedForm):
    """The investigation as it stands; actions are rows ``actions-N-*`` (the ones recorded and two blank)."""

    rules_model = InvestigationVersion
    planned_dates = frozenset({"due_on"})

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lead_name = forms.CharField(
        label="Who leads the investigation",
        max_length=200,
        error_messages={"required": "Enter who leads the investigation"},
    )
    lead_job_title = forms.CharField(
        label="Their job title", max_length=200, error_messages={"required": "Enter the lead's job title"}
    )
    learning_response = forms.ChoiceField(
        label="Learning response",
        choices=LearningResponse.choices,
        widget=forms.RadioSelect,
        help_text="As in NHS England's Patient Safety Incident Response Framework (PSIRF)",
        error_messages={"required": "Choose the learning response"},
    )
    family_involvement = forms.ChoiceField(
        label="Family and carers",
        choices=FamilyInvolvement.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how the family or carers are involved"},
    )
    family_notes = forms.CharField(
        label="About the family's involvement (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    inquest_reference = forms.CharField(
        label="Coroner's inquest reference (optional)", max_length=100, required=False
    )
    lfpse_reference = forms.CharField(
        label="National patient safety incident reference (optional)",
        max_length=100,
        required=False,
        help_text="The Learn from Patient Safety Events (LFPSE) reference",
    )
    other_references = forms.CharField(
        label="Other external references (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example the police, the Health and Safety Executive, HSSIB, safeguarding",
    )
    findings = forms.CharField(
        label="Findings",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Needed before closing",
    )
    due_on = _date("Target date for closing", message="Enter the target date for closing")

    def __init__(self, *args: Any, actions: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action_rows = actions + 2
        for n in range(self.action_rows):
            self.fields[f"actions-{n}-action"] = forms.CharField(label=f"Action {n + 1}", required=False)
            self.fields[f"actions-{n}-owner"] = forms.CharField(
                label=f"Action {n + 1}: owner", max_length=200, required=False
            )
            self.fields[f"actions-{n}-due_on"] = _date(f"Action {n + 1}: due", required=False)
            self.fields[f"actions-{n}-done"] = forms.BooleanField(
                label=f"Action {n + 1} is done", required=False
            )
        # The closure comes last on the page.
        self.fields["closed_on"] = _date("Date closed (only when closing)", required=False)
        self.fields["signed_off_by"] = forms.CharField(
            label="Closure signed off by (only when closing)",
            max_length=200,
            required=False,
            help_text="Name and job title",
        )

    def service_values(self) -> dict[str, Any]:
        """The cleaned fields as ``investigation_record`` takes them, the action rows as a list."""
        data = dict(self.cleaned_data)
        actions = []
        for n in range(self.action_rows):
            actions.append(
                {key: data.pop(f"actions-{n}-{key}", None) for key in ("action", "owner", "due_on", "done")}
            )
        data["actions"] = actions
        for key in ("action", "owner"):
            for a in actions:
                a[key] = a[key] or ""
        return data


class ProneReviewerForm(ValidatedForm):
    rules_model = ProneReviewer

    reviewer_name = forms.CharField(
        label="Reviewer", max_length=200, error_messages={"required": "Enter the reviewer's name"}
    )
    reviewer_job_title = forms.CharField(
        label="Their job title", max_length=200, error_messages={"required": "Enter the reviewer's job title"}
    )


class ProneReviewForm(ValidatedForm):
    rules_model = ProneReview

    why_prone = forms.CharField(
        label="Why was the patient restrained in the prone position?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the patient was restrained in the prone position"},
    )
    minutes_prone = forms.IntegerField(
        label="How long were they prone, in minutes?",
        min_value=0,
        max_value=1440,
        error_messages={
            "required": "Enter how long the patient was prone, in minutes",
            "invalid": "Enter how long the patient was prone as a whole number of minutes",
        },
    )
    avoidable = forms.ChoiceField(
        label="Could it have been avoided?",
        choices=Avoidable.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it could have been avoided"},
    )
    avoidable_text = forms.CharField(
        label="How, or what is unclear",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed unless the answer is no",
    )
    learning = forms.CharField(
        label="What is the learning?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the learning"},
    )


class CourseForm(ValidatedForm):
    rules_model = TrainingCourse
    planned_dates = frozenset({"certificate_expires_on"})

    code = forms.CharField(
        label="Code in the learning management system",
        max_length=40,
        help_text="As the LMS export writes it, for example RRN-PMVA",
        error_messages={"required": "Enter the course's code in the learning management system"},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the course's title"}
    )
    topics = forms.MultipleChoiceField(
        label="Training topics of section 5(2) it covers",
        choices=TrainingTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the Act's training topics the course covers"},
    )
    standard = forms.CharField(
        label="Certified standard (optional)",
        max_length=200,
        required=False,
        help_text="For example, RRN Training Standards",
    )
    certificate_number = forms.CharField(label="Certificate number (optional)", max_length=60, required=False)
    certificate_expires_on = _date("Certificate expires (optional)", required=False)
    refresher_months = forms.IntegerField(
        label="Refresher due after, in months",
        min_value=1,
        max_value=120,
        error_messages={
            "required": "Enter how many months until a refresher is due (1 or more)",
            "invalid": "Enter the months as a whole number, for example 12",
            "min_value": "Enter how many months until a refresher is due (1 or more)",
        },
    )
    required = forms.BooleanField(
        label="Required: staff must hold it in date to count as trained", required=False
    )
