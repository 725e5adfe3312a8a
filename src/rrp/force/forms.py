"""Forms for recording and reviewing uses of force, rendered as NHS.UK components without JavaScript.

The record form is several small Django forms on one page: the incident's own fields, one form per
intervention row, one per member of staff on the ward roster and one per person typed by name. Rows
are added with a plain submit button, so nothing needs a script. These forms only parse and check
what was typed; the rules (codes, scope, order of times, completeness) are the services'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from rrp.core.validation.forms import ValidatedForm
from rrp.force.closure import ReviewAnswers
from rrp.force.codes import (
    EPISODE_TYPES,
    CqcTaskStatus,
    DeEscalation,
    IncidentStatus,
    InterventionReason,
    InterventionType,
    NonStaffPersonType,
    StaffPart,
    VoidKind,
)
from rrp.force.models import (
    ConsciousnessLevel,
    Hydration,
    IncidentClosure,
    IncidentVersion,
    IncidentVoid,
    StaffInvolvement,
)
from rrp.force.services import InterventionInput, StaffInput
from rrp.people.models import StaffMember

YES_NO = [("yes", "Yes"), ("no", "No")]
# Injections are a moment: their end, when not typed, is the time given.
INJECTIONS = frozenset({InterventionType.RAPID_TRANQUILLISATION, InterventionType.INJECTION_NON_RT})


def yes_no(label: str, hint: str = "") -> forms.TypedChoiceField:
    """A Yes/No question whose unanswered state stays None ("not answered yet" in the record)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def yes_no_initial(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


def time_field(label: str) -> forms.TimeField:
    # No hint: browsers show their own time picker (12- or 24-hour by the device's settings).
    return forms.TimeField(label=label, required=False, widget=forms.TimeInput(format="%H:%M"))


def combine(date: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    """A date and a time typed on the ward, as an aware datetime in the service's time zone (to the minute)."""
    if date is None or time is None:
        return None
    return timezone.make_aware(dt.datetime.combine(date, time.replace(second=0, microsecond=0)))


def split(value: dt.datetime | None) -> tuple[str, str]:
    """An aware datetime as the (date, time) strings the date and time inputs show."""
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def now_defaults() -> tuple[str, str]:
    """Today and the current time, the defaults for a new intervention's start."""
    return split(timezone.now())


class InterventionRowForm(ValidatedForm):
    """One type of force: MHSDS type, start and end (date and time), and whether it is in the care plan."""

    type_code = forms.ChoiceField(
        label="Type of force",
        required=False,
        choices=[("", "Choose a type"), *InterventionType.choices],
    )
    start_date = date_field("Start date")
    start_time = time_field("Start time")
    end_date = date_field("End date")
    end_time = time_field("End time")
    in_care_plan = yes_no("Is this type of force part of the patient's care plan?")

    def is_blank(self) -> bool:
        """A row with no type and no end time is an unused row (its start defaults are ignored)."""
        data = self.cleaned_data
        return not data.get("type_code") and data.get("end_time") is None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("type_code"):
            self.add_error("type_code", "Choose the type of force used")
        if data.get("start_date") is None and "start_date" not in self.errors:
            self.add_error("start_date", "Enter the date this intervention started")
        if data.get("start_time") is None and "start_time" not in self.errors:
            self.add_error("start_time", "Enter the time this intervention started, for example 14:05")
        return data

    def to_input(self) -> InterventionInput:
        """The row for the services. An end date left blank is the start date (entry after the event:
        never today by default); an injection with no end time ends when it was given."""
        data = self.cleaned_data
        end_date = data.get("end_date") or data.get("start_date")
        started = combine(data.get("start_date"), data.get("start_time"))
        ended = combine(end_date, data.get("end_time"))
        if ended is None and data.get("end_time") is None and data["type_code"] in INJECTIONS:
            ended = started
        return InterventionInput(
            type_code=data["type_code"],
            started_at=started,
            ended_at=ended,
            in_care_plan=data.get("in_care_plan"),
        )


class TaskInterventionRowForm(InterventionRowForm):
    """A row of force on the task list: seclusion and segregation are not offered (they are episodes),
    except on a row that already records one (a draft made before), so it can still be saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.initial.get("type_code") or ""
        if current not in EPISODE_TYPES:
            self.fields["type_code"].choices = [
                choice for choice in self.fields["type_code"].choices if choice[0] not in EPISODE_TYPES
            ]


class RosterStaffForm(ValidatedForm):
    """A member of staff on the ward roster: ticked if they used force, with the part they took."""

    involved = forms.BooleanField(required=False)
    part = forms.ChoiceField(required=False, choices=[("", "Choose their part"), *StaffPart.choices])

    def __init__(self, *args: Any, member: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["involved"].label = f"{member.name}, {member.job_title}"
        self.fields["part"].label = f"Part {member.name} took"

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("involved")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("involved") and not data.get("part"):
            self.add_error("part", f"Choose the part {self.member.name} took")
        elif data.get("part") and not data.get("involved"):
            self.add_error(
                "involved", f"You chose a part for {self.member.name}: tick them too, or clear the part"
            )
        return data

    def to_input(self) -> StaffInput:
        return StaffInput(part=self.cleaned_data["part"], staff_member=self.member)


class OtherStaffForm(ValidatedForm):
    """A member of staff who used force but is not on the ward roster (bank, agency, another ward)."""

    rules_model = StaffInvolvement

    name = forms.CharField(label="Name", required=False, max_length=200)
    job_title = forms.CharField(label="Job title", required=False, max_length=120)
    part = forms.ChoiceField(
        label="Their part", required=False, choices=[("", "Choose their part"), *StaffPart.choices]
    )

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("name") or "").strip() and not data.get("part") and not data.get("job_title")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.is_blank():
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", "Enter the name of this member of staff")
        if not (data.get("job_title") or "").strip():
            self.add_error("job_title", "Enter their job title")
        if not data.get("part"):
            self.add_error("part", "Choose the part they took")
        return data

    def to_input(self) -> StaffInput:
        data = self.cleaned_data
        return StaffInput(part=data["part"], name=data["name"], job_title=data["job_title"])


class IncidentDetailsForm(ValidatedForm):
    """Everything about the incident that is not a repeated row, in the order a nurse tells it."""

    rules_model = IncidentVersion

    place_on_ward = forms.CharField(
        label="Where on the ward did it happen?",
        required=False,
        max_length=200,
        help_text="For example, lounge",
    )
    reason_code = forms.ChoiceField(
        label="Main reason force was used",
        required=False,
        choices=[("", "Choose a reason"), *InterventionReason.choices],
    )
    reason_text = forms.CharField(
        label="What led to force being used?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if the reason is 'Other' or 'Not known'",
    )
    how_force_used = forms.CharField(
        label="How was force used?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    deescalation = forms.MultipleChoiceField(
        label="What was tried to avoid using force?",
        required=False,
        choices=DeEscalation.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that were tried",
    )
    deescalation_text = forms.CharField(
        label="Anything else tried to avoid force", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    patient_died = yes_no("Did the patient die?")
    patient_serious_injury = yes_no("Was the patient seriously injured?")
    injury_patient = yes_no("Was the patient injured?")
    injury_staff = yes_no("Was any member of staff injured?")
    injury_others = yes_no("Was anyone else injured?")
    abuse_alleged = forms.BooleanField(label="An allegation of abuse was made", required=False)
    non_staff_involved = yes_no(
        "Was anyone not on the unit's staff involved?", "For example police or security"
    )
    non_staff_types = forms.MultipleChoiceField(
        label="Who was involved who is not on the unit's staff?",
        required=False,
        choices=NonStaffPersonType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    non_staff_reason = forms.CharField(
        label="Why were they involved?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    police_requested_date = date_field("Date police were asked to help")
    police_requested_time = time_field("Time police were asked to help")
    police_arrived_date = date_field("Date police arrived")
    police_arrived_time = time_field("Time police arrived")
    police_used_force = yes_no("Did the police use force?")
    care_plan_notification_sent = yes_no(
        "Has the care-plan notification been sent?",
        "Telling the patient's nominated person, as the care plan says",
    )
    care_plan_notified_to = forms.CharField(label="Sent to", required=False, max_length=200)
    care_plan_notified_date = date_field("Date sent")
    care_plan_notified_time = time_field("Time sent")
    debrief_patient_offered = yes_no("Was the patient offered a debrief?")
    debrief_patient_held = yes_no("Was a debrief held with the patient?")
    debrief_patient_not_held_reason = forms.CharField(
        label="If not, why not?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    debrief_staff_held = yes_no("Was a debrief held with staff?")
    debrief_carers_held = yes_no("Was a debrief held with carers or family?")
    camera_references = forms.CharField(
        label="Body-worn camera or CCTV references", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Not content: asked (shown) only when a restraint is longer than its usual limit (force.plausibility).
    durations_confirmed = forms.BooleanField(
        label="I have checked these durations and they are right",
        required=False,
        help_text="A confirmed long restraint is saved and flagged for the reviewer",
    )

    PAIRS: dict[str, tuple[str, str]] = {
        "police_requested_at": ("police_requested_date", "police_requested_time"),
        "police_arrived_at": ("police_arrived_date", "police_arrived_time"),
        "care_plan_notified_at": ("care_plan_notified_date", "care_plan_notified_time"),
    }
    DIRECT = (
        "place_on_ward",
        "reason_code",
        "reason_text",
        "how_force_used",
        "deescalation",
        "deescalation_text",
        "outcome",
        "patient_died",
        "patient_serious_injury",
        "injury_patient",
        "injury_staff",
        "injury_others",
        "abuse_alleged",
        "non_staff_involved",
        "non_staff_types",
        "non_staff_reason",
        "police_used_force",
        "care_plan_notification_sent",
        "care_plan_notified_to",
        "debrief_patient_offered",
        "debrief_patient_held",
        "debrief_patient_not_held_reason",
        "debrief_staff_held",
        "debrief_carers_held",
        "camera_references",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # A date on its own is the pre-filled default (today) and means nothing yet; a time needs its date.
        for date_name, time_name in self.PAIRS.values():
            if (
                data.get(time_name) is not None
                and data.get(date_name) is None
                and date_name not in self.errors
            ):
                self.add_error(date_name, f"Enter the {self.fields[date_name].label.lower()} too")
        return data

    def content(self) -> dict[str, Any]:
        """The version content fields, as the services take them."""
        data = self.cleaned_data
        content = {name: data.get(name) for name in self.DIRECT}
        for name in ("deescalation", "non_staff_types"):
            content[name] = list(content[name] or [])
        for name in ("place_on_ward", "reason_text", "how_force_used", "deescalation_text", "outcome"):
            content[name] = (content[name] or "").strip()
        for name, (date_name, time_name) in self.PAIRS.items():
            content[name] = combine(data.get(date_name), data.get(time_name))
        return content

    @classmethod
    def initial_from(cls, version: Any) -> dict[str, Any]:
        """Initial values from a saved version, for amending it."""
        initial: dict[str, Any] = {}
        for name in cls.DIRECT:
            value = getattr(version, name)
            field = cls.base_fields[name]
            initial[name] = yes_no_initial(value) if isinstance(field, forms.TypedChoiceField) else value
        for name, (date_name, time_name) in cls.PAIRS.items():
            initial[date_name], initial[time_name] = split(getattr(version, name))
        return initial


class ChangeReasonForm(ValidatedForm):
    change_reason = forms.CharField(
        label="Why are you changing this record?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="This is kept with the new version and shown in the history",
    )
    # The version the person started from, travelling with the form so a save over someone else's
    # later change is refused instead of silently putting their fields back (decision 0018).
    base_version = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class PatientFindForm(ValidatedForm):
    q = forms.CharField(
        label="Find a patient by name or NHS number",
        required=False,
        max_length=100,
        help_text="For example, Smith or 943 476 5919",
    )


class IncidentFilterForm(ValidatedForm):
    """Filters on the incident list. Unknown values are errors, not silently ignored."""

    planned_dates = frozenset({"since", "until"})

    ward = forms.TypedChoiceField(label="Ward", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *IncidentStatus.choices]
    )
    since = date_field("Recorded from")
    until = date_field("Recorded to")
    # From a patient's page: that person's incidents (the choices are the one patient, if the reader may
    # see them; any other id is an error).
    patient = forms.TypedChoiceField(
        label="Patient",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose a patient whose incidents you may see"},
    )

    def __init__(self, *args: Any, wards: Any, patient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward"].choices = [("", "All your wards"), *((w.pk, w.name) for w in wards)]
        self.fields["patient"].choices = [("", "")] + ([(patient.pk, patient.name)] if patient else [])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data


class SendBackForm(ValidatedForm):
    request_text = forms.CharField(
        label="What needs to change?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="The people who recorded the incident will see this",
    )


class ReviewNoteForm(ValidatedForm):
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StatementForm(ValidatedForm):
    text = forms.CharField(
        label="Your statement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What you saw and did, in your own words. It cannot be edited once added; you can add another.",
    )


class CqcTaskCompleteForm(ValidatedForm):
    status = forms.ChoiceField(
        label="What happened?",
        required=False,
        widget=forms.RadioSelect,
        choices=[(CqcTaskStatus.NOTIFIED, "CQC notified"), (CqcTaskStatus.NOT_REQUIRED, "Not required")],
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if no notification is required: say why",
    )


def number_field(label: str, hint: str, *, decimal: bool = False) -> forms.Field:
    """A number typed on the ward: a text input with a numeric keyboard (NHS.UK advice), range checked
    by the service."""
    widget = forms.TextInput(attrs={"inputmode": "decimal" if decimal else "numeric"})
    if decimal:
        return forms.DecimalField(
            label=label, help_text=hint, required=False, widget=widget, decimal_places=1
        )
    return forms.IntegerField(label=label, help_text=hint, required=False, widget=widget)


class RtObservationForm(ValidatedForm):
    """One set of physical health observations after rapid tranquillisation (NICE NG10 1.4.44)."""

    observed_date = date_field("Date taken")
    observed_time = time_field("Time taken")
    pulse = number_field("Pulse", "Beats per minute")
    bp_systolic = number_field("Blood pressure: systolic (upper number)", "mmHg")
    bp_diastolic = number_field("Blood pressure: diastolic (lower number)", "mmHg")
    respiratory_rate = number_field("Respiratory rate", "Breaths per minute")
    temperature = number_field("Temperature", "Degrees Celsius, for example 36.8", decimal=True)
    oxygen_saturation = number_field("Oxygen saturation (optional)", "SpO2, per cent")
    consciousness = forms.ChoiceField(
        label="Level of consciousness (AVPU)",
        required=False,
        widget=forms.RadioSelect,
        choices=ConsciousnessLevel.choices,
    )
    hydration = forms.ChoiceField(
        label="Hydration", required=False, widget=forms.RadioSelect, choices=Hydration.choices
    )
    refused = forms.BooleanField(label="The patient declined some or all of the observations", required=False)
    refused_note = forms.CharField(
        label="What did the patient decline, and what could you still observe?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, breathing and colour observed from the doorway",
    )

    # Service error keys that are not form fields, and the field to show them on.
    FIELD_FOR = {"observed_at": "observed_time", "incident": None}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        time_only = data.get("observed_time") is not None and data.get("observed_date") is None
        if time_only and "observed_date" not in self.errors:
            self.add_error("observed_date", "Enter the date the observations were taken")
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "observed_at": combine(data.get("observed_date"), data.get("observed_time")),
            **{
                name: data.get(name)
                for name in (
                    "pulse",
                    "bp_systolic",
                    "bp_diastolic",
                    "respiratory_rate",
                    "temperature",
                    "oxygen_saturation",
                )
            },
            "consciousness": data.get("consciousness") or "",
            "hydration": data.get("hydration") or "",
            "refused": bool(data.get("refused")),
            "refused_note": data.get("refused_note") or "",
        }


ACTION_ROWS = 3


class CloseForm(ValidatedForm):
    """Closing an incident: the review questions, up to three actions with owners, and a reason for each
    follow-up on the checklist that is not done (``force.closure``)."""

    rules_model = IncidentClosure

    harm = forms.CharField(
        label="What harm came to the patient, staff or anyone else?",
        help_text="Physical or psychological. Write 'None' if there was none",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    proportionate = yes_no("Was the force used proportionate to the risk?")
    proportionate_text = forms.CharField(
        label="Why, or why not?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    least_restrictive = yes_no("Was it the least restrictive option?")
    least_restrictive_text = forms.CharField(
        label="Why, or what else could have been done?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    learning = forms.CharField(
        label="What did the team learn?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, checklist: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = list(checklist)
        for n in range(ACTION_ROWS):
            self.fields[f"action_{n}"] = forms.CharField(
                label=f"Action {n + 1}", required=False, max_length=500
            )
            self.fields[f"owner_{n}"] = forms.CharField(
                label=f"Who owns action {n + 1}?", required=False, max_length=200
            )
        for item in self.checklist:
            if item.done:
                continue
            self.fields[f"skip_{item.key}"] = forms.CharField(
                label=f"{item.label}: why close without it?",
                help_text="Leave empty if you will complete it first. It stays on the ward's list until done",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def action_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"action_{n}"], self[f"owner_{n}"]) for n in range(ACTION_ROWS)]

    def skip_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("skip_")]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        review = ReviewAnswers(
            harm=data.get("harm") or "",
            proportionate=data.get("proportionate"),
            proportionate_text=data.get("proportionate_text") or "",
            least_restrictive=data.get("least_restrictive"),
            least_restrictive_text=data.get("least_restrictive_text") or "",
            learning=data.get("learning") or "",
            actions=[
                {"action": data.get(f"action_{n}") or "", "owner": data.get(f"owner_{n}") or ""}
                for n in range(ACTION_ROWS)
            ],
        )
        skipped = {
            name[len("skip_") :]: value for name, value in data.items() if name.startswith("skip_") and value
        }
        return {"review": review, "skipped": skipped}

    def field_for(self, key: str) -> str | None:
        """The form field a service error key names (``skip.statements``, ``actions[0].owner``)."""
        if key.startswith("skip."):
            name = "skip_" + key[len("skip.") :]
        elif key.startswith("actions["):
            n = key[key.index("[") + 1 : key.index("]")]
            name = f"{key.split('.', 1)[1]}_{n}"
        else:
            name = key
        return name if name in self.fields else None


class VoidForm(ValidatedForm):
    """Voiding an incident, or marking it a duplicate of another (provider governance)."""

    rules_model = IncidentVoid

    kind = forms.ChoiceField(
        label="What is wrong with this record?",
        choices=VoidKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    duplicate_of = forms.IntegerField(
        label="Incident number of the record to keep",
        help_text="Only if this is a duplicate: for example 1234",
        required=False,
        min_value=1,
    )
    reason = forms.CharField(
        label="Why is it being voided?",
        help_text="This is kept with the record for good and shown to anyone who reads it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("kind") and "kind" not in self.errors:
            self.add_error("kind", "Choose whether the record is void or a duplicate")
        elif (
            data.get("kind") == VoidKind.DUPLICATE
            and data.get("duplicate_of") is None
            and "duplicate_of" not in self.errors
        ):
            self.add_error("duplicate_of", "Enter the number of the incident this duplicates")
        return data


class PatientCorrectionForm(ValidatedForm):
    """Moving an incident recorded against the wrong patient to the right one (decision 0021). The
    patient is one of those found by the search on the same page, checked again by the service."""

    patient = forms.CharField(required=False)
    reason = forms.CharField(
        label="Why is the patient being corrected?",
        help_text="For example: recorded against a patient with the same name. This is kept with the record for good",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    base_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("patient") or "").isdigit() and "patient" not in self.errors:
            self.add_error("patient", "Choose the patient force was used on")
        if not (data.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", "Say why the patient is being corrected")
        return data


class DebriefForm(ValidatedForm):
    """One debrief (with the patient, a carer or staff). Dates and times are typed as they were; the
    fields a kind does not ask for are taken off (``for_kind``)."""

    planned_dates = frozenset({"wellbeing_follow_up_on"})

    offered_date = date_field("Date offered")
    offered_time = time_field("Time offered")
    held_date = date_field("Date held")
    held_time = time_field("Time held")
    held_by = forms.CharField(
        label="Who led it", required=False, max_length=200, help_text="Name and job title, or the patient"
    )
    not_held_reason = forms.CharField(
        label="If it was not held, why not?", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    account = forms.CharField(
        label="Their account, in their own words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Write what they said as they said it, not a summary",
    )
    what_would_have_helped = forms.CharField(
        label="What would have helped?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    plan_changes = forms.CharField(
        label="What do they want changed in their support plan?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything written here asks the team to review the plan",
    )
    staff_support_offered = yes_no("Was support offered to the staff involved?")
    wellbeing_follow_up_on = forms.DateField(
        label="Wellbeing follow-up date",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="When someone will check in with the staff involved",
    )
    change_reason = forms.CharField(
        label="Why are you changing the debrief already recorded?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def for_kind(self, kind: str, *, correcting: bool) -> DebriefForm:
        if kind == "staff":
            del self.fields["plan_changes"]
            self.fields["account"].label = "What the staff said"
        else:
            del self.fields["staff_support_offered"]
            del self.fields["wellbeing_follow_up_on"]
        if not correcting:
            del self.fields["change_reason"]
        return self

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        content: dict[str, Any] = {
            "offered_at": combine(data.get("offered_date"), data.get("offered_time")),
            "held_at": combine(data.get("held_date"), data.get("held_time")),
        }
        for name in (
            "held_by",
            "not_held_reason",
            "account",
            "what_would_have_helped",
            "plan_changes",
            "staff_support_offered",
            "wellbeing_follow_up_on",
        ):
            if name in self.fields:
                content[name] = data.get(name)
        return content

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for what in ("offered", "held"):
            date, time = data.get(f"{what}_date"), data.get(f"{what}_time")
            if (date is None) != (time is None) and not self.errors.get(f"{what}_date"):
                missing = f"{what}_time" if time is None else f"{what}_date"
                self.add_error(missing, f"Enter the {'time' if time is None else 'date'} it was {what} too")
        return data

    @staticmethod
    def initial_from(debrief: Any | None) -> dict[str, Any]:
        if debrief is None:
            return {}
        offered_date, offered_time = split(debrief.offered_at)
        held_date, held_time = split(debrief.held_at)
        initial = {
            name: getattr(debrief, name)
            for name in (
                "held_by",
                "not_held_reason",
                "account",
                "what_would_have_helped",
                "plan_changes",
                "wellbeing_follow_up_on",
            )
        }
        initial.update(
            offered_date=offered_date,
            offered_time=offered_time,
            held_date=held_date,
            held_time=held_time,
            staff_support_offered=yes_no_initial(debrief.staff_support_offered),
        )
        return initial
