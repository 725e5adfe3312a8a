"""Forms of quality-improvement projects. Field names match ``project_services``' arguments, so a
ValidationError from a service lands on the field it names."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.improvement.models import PROGRESS_SCORES, ActDecision, ProjectStatus, TeamRole, progress_score_text
from rrp.improvement.project_selectors import measure_choices
from rrp.improvement.project_services import PDSA_TITLE_LIMIT, TITLE_LIMIT, aim_measures
from rrp.organisations.models import Ward

READ_BY_COMMISSIONERS = "Commissioners read projects: do not write patients' names or NHS numbers here"


def _date(
    label: str, *, message: str, required: bool = True, hint: str = "For example, 2026-03-14"
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=hint,
        error_messages={
            "required": message,
            "invalid": f"Enter {label.lower()} as a real date, for example 2026-03-14",
        },
    )


class ProjectForm(ValidatedForm):
    """Start or change a project: what, where, the aim and the measures."""

    planned_dates = frozenset({"aim_by", "starts_on", "ends_on"})

    title = forms.CharField(
        label="Project title",
        max_length=TITLE_LIMIT,
        error_messages={"required": "Enter the project's title"},
    )
    problem = forms.CharField(
        label="What problem is the project trying to solve?",
        help_text=READ_BY_COMMISSIONERS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what problem the project is trying to solve"},
    )
    wards = forms.MultipleChoiceField(
        label="Wards",
        help_text="The wards the project works on, all of one provider",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one ward"},
    )
    aim_measure_slug = forms.ChoiceField(
        label="The aim's measure", error_messages={"required": "Select the measure the aim is about"}
    )
    baseline_start = _date(
        "First month of the baseline",
        message="Enter the first month of the baseline",
        hint="Any day of the month: the baseline is whole months. For example, 2025-01-01",
    )
    baseline_end = _date(
        "Last month of the baseline",
        message="Enter the last month of the baseline",
        hint="The baseline is worked out from the measure's own figures on these wards over these months",
    )
    aim_change_percent = forms.IntegerField(
        label="By how much, in per cent",
        help_text="For example, 25 for 25% fewer restrictive interventions than the baseline",
        error_messages={
            "required": "Enter a change from 1 to 100 per cent",
            "invalid": "Enter a whole number",
        },
    )
    aim_by = _date("Aim to be met by", message="Enter the date the aim should be met by")
    starts_on = _date("Project starts", message="Enter the date the project starts")
    ends_on = _date("Project ends (optional)", message="", required=False)
    status = forms.ChoiceField(
        label="Status",
        choices=ProjectStatus.choices,
        widget=forms.RadioSelect,
        initial=ProjectStatus.PLANNING,
        error_messages={"required": "Select the project's status"},
    )
    outcome_measures = forms.MultipleChoiceField(
        label="Other outcome measures",
        help_text="What the aim is about, besides the aim's own measure",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    process_measures = forms.MultipleChoiceField(
        label="Process measures",
        help_text="Are we doing what we said we would?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    balancing_measures = forms.MultipleChoiceField(
        label="Balancing measures",
        help_text="What might get worse because of the changes?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, wards: Iterable[Ward] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ward_list = list(wards)
        several_providers = len({w.provider_id for w in ward_list}) > 1
        self.fields["wards"].choices = [
            (str(w.pk), f"{w.name} ({w.provider.name})" if several_providers else w.name) for w in ward_list
        ]
        self.fields["aim_measure_slug"].choices = [
            ("", "Select a measure"),
            *sorted(((slug, d.name) for slug, d in aim_measures().items()), key=lambda c: c[1]),
        ]
        choices = measure_choices()
        for role in ("outcome", "process", "balancing"):
            self.fields[f"{role}_measures"].choices = choices[role]

    def clean(self) -> dict:
        data = super().clean()
        seen: dict[str, str] = {}
        for role in ("outcome", "process", "balancing"):
            for slug in data.get(f"{role}_measures") or []:
                if slug in seen:
                    self.add_error(
                        f"{role}_measures",
                        f"{dict(self.fields[f'{role}_measures'].choices)[slug]} is already a {seen[slug]} "
                        "measure: choose one role for each measure",
                    )
                seen.setdefault(slug, role)
        return data

    def measures(self) -> dict[str, str]:
        """The chosen measures as slug -> role, for the service."""
        out: dict[str, str] = {}
        for role in ("outcome", "process", "balancing"):
            for slug in self.cleaned_data.get(f"{role}_measures") or []:
                out.setdefault(slug, role)
        return out


class TeamMemberForm(ValidatedForm):
    user = forms.ChoiceField(
        label="Someone with an RRP account", required=False, help_text="Or leave this and enter a name below"
    )
    name = forms.CharField(
        label="Or the name of someone without an account",
        required=False,
        max_length=120,
        help_text="For example, an expert by experience, a carer or a QI coach from outside the provider",
    )
    team_role = forms.ChoiceField(
        label="Role in the team",
        choices=TeamRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person's role in the team"},
    )

    def __init__(self, *args, candidates: Iterable = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Nobody with an account")] + [
            (str(u.pk), u.get_full_name() or u.get_username()) for u in candidates
        ]


class ProgressScoreForm(ValidatedForm):
    tenths = forms.TypedChoiceField(
        label="Progress score",
        coerce=int,
        choices=[(k, f"{progress_score_text(k)}: {PROGRESS_SCORES[k][1]}") for k in PROGRESS_SCORES],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a score from 0.5 to 5.0"},
    )
    scored_on = _date("Date of the score", message="Enter the date of the score")
    note = forms.CharField(
        label="Why this score (optional)",
        required=False,
        help_text=READ_BY_COMMISSIONERS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _text(
    label: str, *, required: bool = True, message: str = "", rows: int = 3, hint: str = READ_BY_COMMISSIONERS
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message} if message else {},
    )


class PdsaForm(ValidatedForm):
    """A PDSA cycle, all four stages on one form: the plan first, the rest filled in as the test goes on."""

    planned_dates = frozenset({"starts_on", "ends_on"})

    title = forms.CharField(
        label="Short title",
        max_length=PDSA_TITLE_LIMIT,
        help_text=f"{PDSA_TITLE_LIMIT} characters or fewer: the charts show it as \u201cPDSA 1: title\u201d",
        error_messages={"required": "Enter a short title for the charts"},
    )
    change_idea = forms.ChoiceField(
        label="The change idea tested (optional)",
        required=False,
        help_text="From the change package; add your own idea there first",
    )
    previous = forms.ChoiceField(
        label="Follows cycle (optional)", required=False, help_text="The earlier test in the same ramp"
    )
    wards = forms.MultipleChoiceField(
        label="Wards the change is tested on",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the wards the change is tested on"},
    )
    objective = _text(
        "Plan: what question does this test answer?", message="Say what question this test answers"
    )
    prediction = _text("Plan: what do you predict will happen?", message="Say what you predict will happen")
    plan_details = _text(
        "Plan: who will do what, when and where?", message="Say who will do what, when and where"
    )
    data_to_collect = _text(
        "Plan: what will you measure or observe?", message="Say what will be measured or observed"
    )
    starts_on = _date("The test starts", message="Enter the date the test starts")
    ends_on = _date("The test ends (optional)", message="", required=False)
    what_happened = _text(
        "Do: what happened?", required=False, hint="Fill in once the test has run. " + READ_BY_COMMISSIONERS
    )
    observations = _text("Do: problems and unexpected observations", required=False)
    study = _text(
        "Study: what did the results show against the prediction? What was learned?",
        required=False,
        rows=4,
        hint="Compare the chart for the period with the prediction. " + READ_BY_COMMISSIONERS,
    )
    decision = forms.ChoiceField(
        label="Act: what next for this change?",
        choices=ActDecision.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    next_steps = _text("Act: next steps, and the next cycle", required=False)
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, wards: Iterable[Ward] = (), cycles: Iterable = (), ideas: Iterable = (), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_idea"].choices = [("", "Not from the change package")] + [
            (str(i.pk), i.title) for i in ideas
        ]
        self.fields["wards"].choices = [(str(w.pk), w.name) for w in wards]
        self.fields["previous"].choices = [("", "None: the first test of this change")] + [
            (str(c.pk), str(c)) for c in cycles
        ]


class WithdrawCycleForm(ValidatedForm):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        help_text="For example, recorded on the wrong project. " + READ_BY_COMMISSIONERS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this cycle is being withdrawn"},
    )


class MilestoneForm(ValidatedForm):
    reached_on = _date("Date of the milestone", message="Enter the date of the milestone")
    label = forms.CharField(
        label="Milestone",
        help_text="A few words, printed on the charts (60 characters at most), for example: huddle card in "
        "use on every shift. " + READ_BY_COMMISSIONERS,
        error_messages={"required": "Enter the milestone, in a few words for the charts"},
    )
    note = forms.CharField(
        label="More about it (optional)",
        required=False,
        help_text=READ_BY_COMMISSIONERS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawMilestoneForm(ValidatedForm):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        help_text="For example, recorded on the wrong project. " + READ_BY_COMMISSIONERS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this milestone is being withdrawn"},
    )


class ChangeIdeaForm(ValidatedForm):
    title = forms.CharField(
        label="Title", max_length=80, error_messages={"required": "Enter the change idea's title"}
    )
    description = forms.CharField(
        label="What is the change?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the change is"},
    )
    driver = forms.CharField(
        label="The driver it serves",
        max_length=120,
        help_text="For example, De-escalation, or Learning after incidents",
        error_messages={"required": "Say which driver the idea serves"},
    )
    source = forms.CharField(
        label="Source or evidence",
        max_length=300,
        help_text="Where the idea comes from: a paper, a guideline, another ward's project",
        error_messages={"required": "Say where the idea or its evidence comes from"},
    )
    source_url = forms.URLField(
        label="Link to the source (optional)",
        required=False,
        max_length=500,
        error_messages={"invalid": "Enter a web address starting with https://"},
    )
    tags = forms.CharField(
        label="Tags (optional)", required=False, max_length=200, help_text="Separated by commas"
    )


class DriverDiagramForm(ValidatedForm):
    outline = forms.CharField(
        label="The driver diagram as an outline",
        help_text=(
            "One line each. A primary driver on its own line; a secondary driver under it starting with "
            "\u201c- \u201d; a change idea under that starting with \u201c* \u201d. A change idea written as the "
            "title of one in the change package is linked to it. " + READ_BY_COMMISSIONERS
        ),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        max_length=20000,
        error_messages={"required": "Write at least one primary driver"},
    )
    note = forms.CharField(
        label="What changed in your theory? (optional)",
        required=False,
        max_length=200,
        help_text="Kept with this version, for example: added a driver after PDSA 3",
    )
