"""Forms for recording episodes, reviews and observations. Field names match the services' arguments,
so a ValidationError from a service lands on the field it names."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.segregation.codes import (
    AUTHORISER_STAFF_GROUPS,
    ActionOwner,
    DeFactoOutcome,
    EpisodeKind,
    LawfulBasis,
    PanelRole,
    ReviewDecision,
    ReviewKind,
)

DATETIME_HINT = "For example, 2026-03-14 09:30 (24-hour clock, UK time)"


def _when(label: str, *, required: bool = True, message: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=DATETIME_HINT,
        error_messages={
            "required": message or f"Enter {label.lower()}",
            "invalid": f"Enter {label.lower()} as a date and time, for example 2026-03-14 09:30",
        },
    )


def _choices(queryset, *, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(s.pk), f"{s.name}, {s.job_title}") for s in queryset)]


class StaffChoiceMixin:
    """Select fields offering the ward's staff; the view passes the queryset."""

    staff_fields: tuple[str, ...] = ()

    def set_staff(self, staff) -> None:
        self._staff = {str(s.pk): s for s in staff}
        for name in self.staff_fields:
            self.fields[name].choices = _choices(self._staff.values(), blank="Choose a member of staff")

    def staff_member(self, name: str):
        return self._staff.get(self.cleaned_data.get(name) or "")


class PatientFindForm(ValidatedForm):
    q = forms.CharField(
        label="Find a patient by name or NHS number",
        required=False,
        max_length=100,
        help_text="For example, Smith or 943 476 5919",
    )


class EpisodeForm(StaffChoiceMixin, ValidatedForm):
    staff_fields = ("authorised_by",)

    patient = forms.ChoiceField(
        label="Patient",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the patient", "invalid_choice": "Choose a patient of this ward"},
    )
    kind = forms.ChoiceField(
        label="Kind of episode",
        choices=EpisodeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose seclusion or long-term segregation"},
    )
    started_at = _when("Start", message="Enter when the episode started")
    place = forms.CharField(
        label="Where", max_length=200, help_text="The seclusion room or LTS area", required=False
    )
    authorised_by = forms.ChoiceField(label="Authorised by", required=False)
    reason = forms.CharField(label="Reason", widget=forms.Textarea, required=False)
    end_plan = forms.CharField(label="Care plan for ending it", widget=forms.Textarea, required=False)
    incident = forms.IntegerField(
        label="Use-of-force incident number (if any)",
        required=False,
        min_value=1,
        help_text="The incident that led to this episode",
        error_messages={"invalid": "Enter the incident number as a whole number"},
    )
    mdt_decision = forms.CharField(
        label="Multidisciplinary decision (LTS only)", widget=forms.Textarea, required=False
    )
    commissioner_representative = forms.CharField(
        label="Commissioner's representative involved (LTS only)", max_length=200, required=False
    )

    def set_patients(self, patients) -> None:
        """Every patient who may be chosen (the ward's, in the user's scope); the page shows as radios
        only those on the ward now or found by a search (`episode_new`)."""
        self._patients = {str(p.pk): p for p in patients}
        self.fields["patient"].choices = [("", "Choose a patient"), *((key, "") for key in self._patients)]

    def set_staff(self, staff) -> None:
        """Reviewers and observers from all the ward's staff; "Authorised by" only from those who may
        authorise seclusion (`codes.AUTHORISER_STAFF_GROUPS`)."""
        super().set_staff(staff)
        self.fields["authorised_by"].choices = _choices(
            (s for s in self._staff.values() if s.staff_group in AUTHORISER_STAFF_GROUPS),
            blank="Choose a doctor, nurse or other qualified clinician",
        )

    def patient_obj(self):
        return self._patients.get(self.cleaned_data.get("patient") or "")


class ReviewForm(StaffChoiceMixin, ValidatedForm):
    staff_fields = ("reviewer", "second_reviewer")

    kind = forms.ChoiceField(label="Review", error_messages={"required": "Choose the kind of review"})
    at = _when("Time of review", message="Enter when the review took place")
    reviewer = forms.ChoiceField(label="Reviewer", required=False)
    second_reviewer = forms.ChoiceField(
        label="Second nurse (nursing reviews)", required=False, help_text="Nursing reviews need two nurses"
    )
    reviewer_name = forms.CharField(
        label="Reviewer from outside the provider",
        required=False,
        max_length=200,
        help_text="For external independent reviews and IC(E)TRs: their name",
    )
    reviewer_role = forms.CharField(label="Their role and organisation", required=False, max_length=200)
    outcome = forms.CharField(label="Outcome", widget=forms.Textarea, required=False)
    decision = forms.ChoiceField(
        label="Decision",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def set_kinds(self, kinds) -> None:
        self.fields["kind"].choices = [("", "Choose a review"), *((k, ReviewKind(k).label) for k in kinds)]


class ObservationForm(StaffChoiceMixin, ValidatedForm):
    staff_fields = ("observer",)

    at = _when("Time of observation", message="Enter when the observation was made")
    observer = forms.ChoiceField(label="Observed by", required=False)
    note = forms.CharField(label="What was observed", widget=forms.Textarea, required=False)


class EndForm(ValidatedForm):
    ended_at = _when("End", message="Enter when the episode ended")
    end_reason = forms.CharField(label="Why it ended", widget=forms.Textarea, required=False)


class AmendForm(ValidatedForm):
    """Correct an episode's record: a new version, saying why."""

    started_at = _when("Start", message="Enter when the episode started")
    place = forms.CharField(label="Where", max_length=200, required=False)
    reason_text = forms.CharField(label="Reason for the episode", widget=forms.Textarea, required=False)
    end_plan = forms.CharField(label="Care plan for ending it", widget=forms.Textarea, required=False)
    mdt_decision = forms.CharField(
        label="Multidisciplinary decision (LTS only)", widget=forms.Textarea, required=False
    )
    commissioner_representative = forms.CharField(
        label="Commissioner's representative involved (LTS only)", max_length=200, required=False
    )
    # The version the person started from: a save over a later correction is refused (decision 0018).
    base_version = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label="Why are you changing this record?",
        widget=forms.Textarea,
        required=False,
        help_text="The earlier version is kept; this is shown in the record's history",
    )


def review_rules_form_class(labels: dict[str, str]) -> type[ValidatedForm]:
    """A form with one whole-number field per review rule (minutes), labelled from the model."""
    fields = {
        name: forms.IntegerField(
            label=label,
            min_value=0 if name == "independent_mdt_within_minutes" else 1,
            error_messages={
                "required": f"Enter {label.lower()}",
                "invalid": "Enter a whole number of minutes",
                "min_value": "Enter a whole number of minutes of at least %(limit_value)s",
            },
        )
        for name, label in labels.items()
    }
    return type("ReviewRulesForm", (ValidatedForm,), fields)


# --- Oversight (issue 17) ----------------------------------------------------------------------------

#: Empty rows offered for panel members and recommendations (the page works without JavaScript, so the
#: rows are there from the start; empty ones are ignored).
PANEL_ROWS = 5
RECOMMENDATION_ROWS = 6


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


class IndependentReviewForm(ValidatedForm):
    """An independent review of segregation: date, panel rows, views, findings and recommendation rows.
    Field names are the service's error keys (``panel_2_role``, ``recommendation_1_due_on``)."""

    planned_dates = frozenset(f"recommendation_{i}_due_on" for i in range(1, RECOMMENDATION_ROWS + 1))

    held_on = _date("Date of the review", message="Enter the date the review was held")
    person_views = forms.CharField(
        label="The person's own views",
        widget=forms.Textarea,
        required=False,
        help_text="In their words where possible, or why they could not give them",
    )
    family_views = forms.CharField(
        label="Their family's or advocate's views", widget=forms.Textarea, required=False
    )
    findings = forms.CharField(label="What the panel found", widget=forms.Textarea, required=False)
    decision = forms.ChoiceField(
        label="The panel advised",
        choices=[("continue", "Continue segregation, with the recommendations"), ("end", "End segregation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the panel advised continuing or ending segregation"},
    )

    def panel_rows(self) -> list[list]:
        return [
            [self[f"panel_{i}_{n}"] for n in ("name", "role", "organisation")]
            for i in range(1, PANEL_ROWS + 1)
        ]

    def recommendation_rows(self) -> list[list]:
        return [
            [self[f"recommendation_{i}_{n}"] for n in ("text", "owner", "due_on")]
            for i in range(1, RECOMMENDATION_ROWS + 1)
        ]

    def panel(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {n: d.get(f"panel_{i}_{n}", "") for n in ("name", "role", "organisation")}
            for i in range(1, PANEL_ROWS + 1)
        ]

    def recommendations(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {n: d.get(f"recommendation_{i}_{n}") for n in ("text", "owner", "due_on")}
            for i in range(1, RECOMMENDATION_ROWS + 1)
        ]


def _row_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for i in range(1, PANEL_ROWS + 1):
        fields[f"panel_{i}_name"] = forms.CharField(label="Name", max_length=200, required=False)
        fields[f"panel_{i}_role"] = forms.ChoiceField(
            label="Role", choices=[("", "Choose a role"), *PanelRole.choices], required=False
        )
        fields[f"panel_{i}_organisation"] = forms.CharField(
            label="Organisation", max_length=200, required=False
        )
    for i in range(1, RECOMMENDATION_ROWS + 1):
        fields[f"recommendation_{i}_text"] = forms.CharField(
            label="Recommendation", widget=forms.Textarea(attrs={"rows": 2}), required=False
        )
        fields[f"recommendation_{i}_owner"] = forms.ChoiceField(
            label="Owner", choices=[("", "Choose who must act"), *ActionOwner.choices], required=False
        )
        fields[f"recommendation_{i}_due_on"] = _date("Due by", required=False)
    return fields


class CetrForm(IndependentReviewForm):
    """A Care (Education) and Treatment Review: the same panel, views, findings and recommendations as an
    independent review of segregation, without the advice on segregation."""

    decision = None
    held_on = _date("Date of the C(E)TR", message="Enter the date the C(E)TR was held")


# The rows' fields, added to the forms' declared fields (each form copies them when made).
IndependentReviewForm.base_fields.update(_row_fields())
CetrForm.base_fields.update(_row_fields())


class RecommendationStatusForm(ValidatedForm):
    """Where a recommendation stands, with the evidence; `base_version` guards against a lost update."""

    status = forms.ChoiceField(
        label="Status",
        choices=[
            ("achieved", "Achieved"),
            ("partly", "Partly achieved"),
            ("not_achieved", "Not achieved"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose achieved, partly achieved or not achieved"},
    )
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea,
        required=False,
        help_text="What shows it: a care plan, a meeting's minutes, a date something started",
    )
    base_version = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


class ReviewTextForm(ValidatedForm):
    """A correction of a review's own text, with why; `base_version` guards against a lost update."""

    person_views = forms.CharField(label="The person's own views", widget=forms.Textarea, required=False)
    family_views = forms.CharField(
        label="Their family's or advocate's views", widget=forms.Textarea, required=False
    )
    findings = forms.CharField(label="What the panel found", widget=forms.Textarea, required=False)
    change_reason = forms.CharField(
        label="Why is it being corrected?", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    base_version = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )


#: Rows offered for the steps of a plan to end segregation (the plan's steps, then empty rows).
STEP_ROWS = 8


class EndPlanForm(ValidatedForm):
    """The plan to end segregation: the aim, step rows, and (after the first version) why it changed."""

    planned_dates = frozenset(f"step_{i}_planned_on" for i in range(1, STEP_ROWS + 1))

    aim = forms.CharField(
        label="What ending segregation looks like for this person",
        widget=forms.Textarea,
        required=False,
        help_text="For example, living on the main ward with one-to-one support, or a move to a community placement",
    )
    change_reason = forms.CharField(
        label="Why is the plan changing?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The earlier version is kept and shown in the plan's history",
    )
    base_version = forms.IntegerField(
        required=False, min_value=0, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def step_rows(self) -> list[list]:
        return [
            [self[f"step_{i}_{n}"] for n in ("text", "planned_on", "done_on")]
            for i in range(1, STEP_ROWS + 1)
        ]

    def steps(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {n: d.get(f"step_{i}_{n}") for n in ("text", "planned_on", "done_on")}
            for i in range(1, STEP_ROWS + 1)
        ]


for _i in range(1, STEP_ROWS + 1):
    EndPlanForm.base_fields[f"step_{_i}_text"] = forms.CharField(
        label="Step", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    EndPlanForm.base_fields[f"step_{_i}_planned_on"] = _date("Planned for", required=False)
    EndPlanForm.base_fields[f"step_{_i}_done_on"] = _date("Done on", required=False)


class NamedAccessForm(ValidatedForm):
    """Grant a commissioner's case manager named access to one person; the view sets the choices."""

    planned_dates = frozenset({"ends_on"})

    user = forms.ChoiceField(
        label="Case manager",
        error_messages={
            "required": "Choose the case manager",
            "invalid_choice": "Choose a case manager from the list",
        },
    )
    patient = forms.ChoiceField(
        label="Person in long-term segregation",
        error_messages={"required": "Choose the person", "invalid_choice": "Choose a person from the list"},
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lawful basis for this access"},
    )
    basis_detail = forms.CharField(
        label="Why they need to see this person by name",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For example, the case manager for their placement and discharge planning",
    )
    ends_on = _date("Last day of access", message="Enter the last day of access")

    def set_choices(self, users, patients) -> None:
        self._users = {str(u.pk): u for u in users}
        self._patients = {str(p.pk): p for p in patients}
        self.fields["user"].choices = [
            ("", "Choose a case manager"),
            *(
                (k, f"{u.get_full_name() or u.username}, {u.commissioner.name}")
                for k, u in self._users.items()
            ),
        ]
        self.fields["patient"].choices = [
            ("", "Choose a person"),
            *(
                (k, f"{p.name}, NHS number {p.nhs_number_display or 'not known'}")
                for k, p in self._patients.items()
            ),
        ]

    def chosen(self) -> tuple:
        return self._users.get(self.cleaned_data.get("user") or ""), self._patients.get(
            self.cleaned_data.get("patient") or ""
        )


class RevokeForm(ValidatedForm):
    reason = forms.CharField(
        label="Why is access ending?", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CommissionerVisitForm(ValidatedForm):
    visited_on = _date("Date of the visit", message="Enter the date of the visit")
    notes = forms.CharField(
        label="What you saw and heard",
        help_text="Including what the person said, and anything you will follow up",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class DeFactoDecisionForm(ValidatedForm):
    outcome = forms.ChoiceField(
        label="What was decided",
        choices=DeFactoOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what was decided"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea,
        required=False,
        help_text="Who decided with you, what they considered, and why",
    )
