"""The form of a ward's measure values page: one value of one entered or imported measure for a month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from rrp.core.validation.forms import ValidatedForm
from rrp.measures.values import denominator_problem, parse_number, parse_period, value_measures


class MeasureValueForm(ValidatedForm):
    measure = forms.ChoiceField(
        label="Measure", widget=forms.RadioSelect, error_messages={"required": "Choose the measure"}
    )
    month = forms.CharField(
        label="Month, or week for a weekly measure",
        help_text="A month as YYYY-MM, for example 2026-03. For a weekly measure, the Monday the week starts "
        "as YYYY-MM-DD, for example 2026-03-02. The month or week must have ended.",
        max_length=10,
        error_messages={"required": "Enter the month, or the week's Monday for a weekly measure"},
    )
    numerator = forms.CharField(
        label="Numerator (what was counted)",
        help_text="For example 3 assaults, 12.5 FTE days lost, 20 huddles held or 6 interventions in use",
        max_length=20,
        error_messages={"required": "Enter the number counted"},
    )
    denominator = forms.CharField(
        label="Denominator, where the measure has its own",
        help_text="FTE days available, or huddles planned. Leave blank for a rate per 1,000 occupied bed "
        "days (RRP holds the bed days) and for a count.",
        max_length=20,
        required=False,
    )
    reason = forms.CharField(
        label="Reason for the correction",
        help_text="Needed when you change a value already saved, for example 'Datix re-graded one incident'",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [
            (slug, f"{d.name} (weekly)" if d.weekly else d.name) for slug, d in value_measures().items()
        ]

    def clean_month(self) -> dt.date | None:
        """The period's start: a month's 1st, or a week's Monday where the chosen measure is weekly."""
        definition = value_measures().get(self.data.get("measure", ""))
        start, problem = parse_period(self.cleaned_data["month"], definition, today=timezone.localdate())
        if problem:
            raise forms.ValidationError(problem[:1].upper() + problem[1:])
        return start

    def _number(self, name: str) -> Decimal | None:
        text = self.cleaned_data[name]
        if not text.strip():
            return None
        number, problem = parse_number(text)
        if problem:
            raise forms.ValidationError(problem[:1].upper() + problem[1:])
        return number

    def clean_numerator(self) -> Decimal | None:
        return self._number("numerator")

    def clean_denominator(self) -> Decimal | None:
        return self._number("denominator")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        definition = value_measures().get(data.get("measure", ""))
        if definition is not None and "denominator" in data:
            problem = denominator_problem(definition, data["denominator"])
            if problem:
                self.add_error("denominator", problem[:1].upper() + problem[1:])
        return data


# --- The governed catalogue (issue 20 item 3, decision 0055) ---------------------------------------------

GOVERNED_CHARTS = [
    ("xmr", "XmR chart of the value (Making Data Count's default for rates and levels)"),
    ("p", "p chart (a share of the denominator, as a %)"),
    ("u", "u chart (a rate over the denominator)"),
    ("c", "c chart (a plain count of rare events)"),
    ("run", "Run chart"),
]
#: A form field per definition field, where the names differ (the rest are the same).
FORM_FIELD_OF = {"numerator.description": "numerator_description", "(file name)": "slug"}


class DefinitionForm(ValidatedForm):
    """A proposed measure of entered or imported values, in the definition file's own fields."""

    slug = forms.CharField(
        label="Key",
        help_text="Lower-case words joined by -, for example falls-per-1000-obd. It cannot change later.",
        max_length=80,
        error_messages={"required": "Enter the measure's key"},
    )
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the measure's name"}
    )
    kind = forms.ChoiceField(
        label="Kind",
        widget=forms.RadioSelect,
        choices=[
            ("outcome", "Outcome"),
            ("process", "Process"),
            ("balancing", "Balancing"),
            ("data_quality", "Data quality"),
        ],
        error_messages={"required": "Choose the kind of measure"},
    )
    why_it_matters = forms.CharField(
        label="Why it matters",
        help_text="One or two sentences for the ward team and the board",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter why the measure matters"},
    )
    numerator_description = forms.CharField(
        label="What is counted",
        max_length=500,
        error_messages={"required": "Enter what is counted"},
    )
    source = forms.ChoiceField(
        label="Where the numbers come from",
        widget=forms.RadioSelect,
        choices=[
            ("entered", "Entered on the ward's measure values page"),
            ("imported", "Imported from the incident system's export (or the API)"),
        ],
        error_messages={"required": "Choose where the numbers come from"},
    )
    denominator = forms.ChoiceField(
        label="What it is over",
        widget=forms.RadioSelect,
        choices=[
            ("occupied_bed_days", "The ward's occupied bed days (RRP holds them)"),
            ("entered", "A denominator given with each value (FTE days available, huddles planned)"),
            ("none", "Nothing: a count or a level"),
        ],
        error_messages={"required": "Choose what the measure is over"},
    )
    unit = forms.CharField(
        label="Unit",
        help_text="For example 'per 1,000 occupied bed days' or '%'",
        max_length=100,
        error_messages={"required": "Enter the unit"},
    )
    multiplier = forms.CharField(
        label="Multiplier",
        help_text="1,000 for a rate per 1,000 bed days, 100 for a percentage, 1 for a count",
        max_length=12,
        error_messages={"required": "Enter the multiplier"},
    )
    improvement_direction = forms.ChoiceField(
        label="Which way is better",
        widget=forms.RadioSelect,
        choices=[("decrease", "Lower"), ("increase", "Higher"), ("neutral", "Neither")],
        error_messages={"required": "Choose which way is better"},
    )
    default_chart = forms.ChoiceField(
        label="Chart",
        widget=forms.RadioSelect,
        choices=GOVERNED_CHARTS,
        error_messages={"required": "Choose the chart"},
    )
    entry_period = forms.ChoiceField(
        label="How often wards give a value",
        widget=forms.RadioSelect,
        choices=[
            ("month", "Each month"),
            ("week", "Each week (Monday to Sunday), for a count or level kept on the ward week by week"),
        ],
        initial="month",
        required=False,
        help_text="A weekly measure is charted by week on the huddle and rolled up to months on the board "
        "and collaborative; it carries its own denominator or none.",
    )
    combine = forms.ChoiceField(
        label="How wards make the provider's figure",
        widget=forms.RadioSelect,
        choices=[
            ("sum", "Add the wards' numbers (counts and rates)"),
            ("mean", "The mean of the wards (a level, such as interventions in use of 10)"),
        ],
        initial="sum",
        error_messages={"required": "Choose how wards make the provider's figure"},
    )
    suppress_outside = forms.ChoiceField(
        label="Small numbers outside the provider",
        widget=forms.RadioSelect,
        choices=[
            ("yes", "Suppress as NHS Digital does (counts of events that involve people)"),
            ("no", "Show as they are (the ward's practice, which identifies no one)"),
        ],
        initial="yes",
        error_messages={"required": "Choose whether small numbers are suppressed outside the provider"},
    )
    next_review = forms.CharField(
        label="Next review",
        help_text="As YYYY-MM-DD, for example 2027-12-31",
        max_length=10,
        error_messages={"required": "Enter the next review date"},
    )
    change_summary = forms.CharField(
        label="What this adds or changes, and why",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what the proposal adds or changes, and why"},
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def clean_multiplier(self) -> float:
        text = self.cleaned_data["multiplier"].replace(",", "").strip()
        try:
            return float(Decimal(text))
        except (ArithmeticError, ValueError):
            raise forms.ValidationError("Enter a number, for example 1000, 100 or 1") from None

    def definition(self) -> dict[str, Any]:
        """The cleaned fields as a definition file's object (without its version, author and checker)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "why_it_matters": data["why_it_matters"],
            "numerator": {"description": data["numerator_description"], "counts": "ward_values"},
            "denominator": data["denominator"],
            "unit": data["unit"],
            "multiplier": data["multiplier"],
            "improvement_direction": data["improvement_direction"],
            "default_chart": data["default_chart"],
            "mhsds_metric": None,
            "source": data["source"],
            "combine": data["combine"],
            "entry_period": data.get("entry_period") or "month",
            "suppress_outside": data["suppress_outside"] == "yes",
            "next_review": data["next_review"],
        }


def definition_initial(definition: Any) -> dict[str, Any]:
    """A form's starting values from a definition in the catalogue (a change starts from the current)."""
    return {
        "slug": definition.slug,
        "name": definition.name,
        "kind": definition.kind.value,
        "why_it_matters": definition.why_it_matters,
        "numerator_description": definition.numerator.description,
        "source": definition.source.value,
        "denominator": definition.denominator.value,
        "unit": definition.unit,
        "multiplier": f"{definition.multiplier:g}",
        "improvement_direction": definition.improvement_direction.value,
        "default_chart": definition.default_chart.value,
        "combine": definition.combine.value,
        "entry_period": definition.entry_period.value,
        "suppress_outside": "yes" if definition.suppress_outside else "no",
        "next_review": definition.next_review.isoformat(),
        "base_version": definition.version,
    }


class DefinitionReviewForm(ValidatedForm):
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[("approved", "Approve: it joins the catalogue"), ("rejected", "Reject")],
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Kept with the definition's history, for example 'Matches the incident system's category'",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for your decision"},
    )


class BoardSetForm(ValidatedForm):
    """The measures of a provider's integrated board summary (issue 20 item 5)."""

    measures = forms.MultipleChoiceField(
        label="Measures in the integrated summary",
        help_text="Choose across the kinds: outcome, process, balancing and data quality measures",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one measure"},
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = choices
