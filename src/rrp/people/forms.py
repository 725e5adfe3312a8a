"""Forms for a patient's support plan. Field names match the service's arguments, so a ValidationError
from ``services.support_plan_record`` lands on the field it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from rrp.core.validation.forms import ValidatedForm
from rrp.people.codes import RightsFormat, RightsOccasion, RightsOutcome, RightsRecipient, VoiceAnswer
from rrp.people.models import SUPPORT_PLAN_FIELDS, RightsInformation, SupportPlanVersion

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(name: str, rows: int = 3) -> forms.CharField:
    field = SupportPlanVersion._meta.get_field(name)
    return forms.CharField(
        label=str(field.verbose_name),
        help_text=field.help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class SupportPlanForm(ValidatedForm):
    """A new version of the plan, shown filled with the current one so a review changes only what changed."""

    rules_model = SupportPlanVersion
    planned_dates = frozenset({"review_due"})

    what_matters = _text("what_matters")
    triggers = _text("triggers")
    early_signs = _text("early_signs")
    primary_strategies = _text("primary_strategies", 4)
    secondary_strategies = _text("secondary_strategies", 4)
    tertiary_strategies = _text("tertiary_strategies", 4)
    safety_plan = _text("safety_plan")
    views_on_restraint = _text("views_on_restraint")
    views_on_seclusion = _text("views_on_seclusion")
    views_on_rapid_tranquillisation = _text("views_on_rapid_tranquillisation")
    who_to_tell = forms.CharField(
        label="Who to tell after force is used",
        help_text="The people the patient wants told, and how (Use of Force Act s6(5)(p))",
        required=False,
        max_length=300,
    )
    made_with_patient = forms.TypedChoiceField(
        label="Was this version written with the patient?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    review_due = forms.DateField(
        label="Review by",
        help_text="The date the team will next review the plan with the patient, for example 2027-03-14",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the review date as a real date, for example 2027-03-14"},
    )
    change_reason = forms.CharField(
        label="Why is the plan being changed or reviewed?",
        help_text="For example: reviewed with the patient after a debrief",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @staticmethod
    def initial_from(plan: SupportPlanVersion | None) -> dict[str, Any]:
        if plan is None:
            return {}
        initial = plan.content()
        made = initial.get("made_with_patient")
        initial["made_with_patient"] = None if made is None else ("yes" if made else "no")
        return initial

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        content = {name: data.get(name) for name in SUPPORT_PLAN_FIELDS}
        for name, value in content.items():
            if isinstance(value, str):
                content[name] = value.strip()
        return content


class RightsInformationForm(ValidatedForm):
    """That information about the use of force was given (s4), to whom, how, or why not."""

    rules_model = RightsInformation

    occasion = forms.ChoiceField(
        label="When was this?", choices=RightsOccasion.choices, required=False, widget=forms.RadioSelect
    )
    recipient = forms.ChoiceField(
        label="Who was given the information?",
        choices=RightsRecipient.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    chosen_person = forms.CharField(
        label="The person the patient chose",
        required=False,
        max_length=200,
        help_text="Name and relationship, for example: Jo Smith, sister",
    )
    outcome = forms.ChoiceField(
        label="Was it given?", choices=RightsOutcome.choices, required=False, widget=forms.RadioSelect
    )
    format = forms.ChoiceField(
        label="How was it given?",
        choices=[("", "Select a format"), *RightsFormat.choices],
        required=False,
    )
    reason = forms.CharField(
        label="If refused or not possible, why?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Say when it will be offered again",
    )
    given_date = forms.DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as a real date, for example 2026-03-14"},
    )
    given_time = forms.TimeField(label="Time", required=False, widget=forms.TimeInput(format="%H:%M"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("given_date") and not data.get("given_time") and not self.errors.get("given_time"):
            self.add_error("given_time", "Enter the time too")
        return data

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        date, time = data.get("given_date"), data.get("given_time")
        given_at = (
            timezone.make_aware(dt.datetime.combine(date, time.replace(second=0, microsecond=0)))
            if date and time
            else None
        )
        return {
            "occasion": data.get("occasion") or "",
            "recipient": data.get("recipient") or "",
            "chosen_person": data.get("chosen_person") or "",
            "outcome": data.get("outcome") or "",
            "format": data.get("format") or "",
            "reason": data.get("reason") or "",
            "given_at": given_at,
        }


class VoiceCheckForm(ValidatedForm):
    """The weekly check on the tablet: two questions and a comment, nothing that names the patient."""

    felt_safe = forms.ChoiceField(
        label="During the last week on the ward, did you feel safe?",
        choices=VoiceAnswer.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    respected = forms.ChoiceField(
        label="During the last week, did you feel you were treated with respect and dignity by staff?",
        choices=VoiceAnswer.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Is there anything you want to tell the ward team? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Please do not write your name or anyone else's. The ward team reads this.",
    )
    with_support = forms.BooleanField(label="A member of staff helped me fill this in", required=False)

    EASY_READ_LABELS = {
        "felt_safe": "Did you feel safe on the ward this week?",
        "respected": "Did staff treat you kindly and with respect this week?",
        "comment": "Do you want to tell us anything? (you do not have to)",
    }
    EASY_READ_CHOICES = [("always", "Yes, all the time"), ("sometimes", "Some of the time"), ("no", "No")]

    def easy_read(self) -> VoiceCheckForm:
        """The same questions in easy read words (short sentences, everyday words)."""
        for name, label in self.EASY_READ_LABELS.items():
            self.fields[name].label = label
        for name in ("felt_safe", "respected"):
            self.fields[name].choices = self.EASY_READ_CHOICES
        self.fields["comment"].help_text = "Do not write anyone's name. The staff on your ward will read it."
        return self


class PatientMergeForm(ValidatedForm):
    """Merge this record into another of the same provider: which one, and why."""

    surviving = forms.CharField(
        label="Local identifier of the record to keep",
        help_text="The provider's own identifier of the patient's other record, which this one is merged into.",
        max_length=30,
        required=False,
    )
    reason = forms.CharField(
        label="Why are these the same person?",
        help_text="For example: the patient administration system merged them, or the NHS number matches.",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("surviving") or "").strip():
            self.add_error("surviving", "Enter the local identifier of the record to keep")
        if not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why these two records are the same person")
        return data
