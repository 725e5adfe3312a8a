"""Forms for recording events, rebase decisions and provider aims, and for withdrawing them. Field names
match the services' arguments, so a ValidationError from a service lands on the field it names."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.improvement.models import EventKind
from rrp.improvement.services import LABEL_LIMIT
from rrp.measures.catalogue import all_measures
from rrp.spc import Chart, ImprovementDirection

# Shown with every free-text field of events, rebases and withdrawals: they are read outside the ward.
READ_OUTSIDE_THE_WARD = (
    "Commissioners outside the provider read this: do not write patients' names or NHS numbers here"
)


def _date(label: str, *, message: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2026-03-14",
        error_messages={
            "required": message,
            "invalid": f"Enter {label.lower()} as a real date, for example 2026-03-14",
        },
    )


class WardEventForm(ValidatedForm):
    happened_on = _date("Date of the event", message="Enter the date of the event")
    label = forms.CharField(
        label="Label on the chart",
        help_text=f"Short, {LABEL_LIMIT} characters or fewer: it is printed on the chart. {READ_OUTSIDE_THE_WARD}",
        error_messages={"required": "Enter a short label for the chart"},
    )
    kind = forms.ChoiceField(
        label="Kind of event",
        choices=EventKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of event this was"},
    )
    description = forms.CharField(
        label="What happened (optional)",
        help_text=READ_OUTSIDE_THE_WARD,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class WardEventRedactForm(ValidatedForm):
    """The text an event is shown with from now on, and why (``services.ward_event_redact``)."""

    label = forms.CharField(
        label="Label on the chart",
        help_text=f"{LABEL_LIMIT} characters or fewer, without the patient's name or NHS number",
        error_messages={"required": "Enter the label the chart should show"},
    )
    description = forms.CharField(
        label="What happened",
        help_text="Without the patient's name or NHS number",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    reason = forms.CharField(
        label="Why are you redacting it?",
        help_text="For example, the patient was named. Do not repeat the name here",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the text is being redacted"},
    )


class ReasonRedactForm(ValidatedForm):
    """The reason a rebase decision or a withdrawal is shown with from now on, and why
    (``services.reason_redact``)."""

    text = forms.CharField(
        label="Reason shown from now on",
        help_text="Without the patient's name or NHS number",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the reason the page should show"},
    )
    reason = forms.CharField(
        label="Why are you redacting it?",
        help_text="For example, the patient was named. Do not repeat the name here",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the text is being redacted"},
    )


class ChartRebaseForm(ValidatedForm):
    measure_slug = forms.ChoiceField(label="Measure", error_messages={"required": "Select a measure"})
    rebase_on = _date("New limits from", message="Enter the date the new limits start from")
    reason = forms.CharField(
        label="Why the process has changed",
        help_text="For example, the change idea is now embedded in practice and the shift has lasted. "
        + READ_OUTSIDE_THE_WARD,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say why the process has changed (for example the change idea now embedded in practice)"
        },
    )

    def set_measures(self, measures: dict) -> None:
        self.fields["measure_slug"].choices = [
            ("", "Choose a measure"),
            *sorted(((slug, d.name) for slug, d in measures.items()), key=lambda item: item[1]),
        ]


class WithdrawForm(ValidatedForm):
    reason = forms.CharField(
        label="Why are you withdrawing it?",
        help_text=READ_OUTSIDE_THE_WARD,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why this is being withdrawn"},
    )


class AimForm(ValidatedForm):
    """Parses the aim's fields; what is missing or out of order is for the service to say (one set of rules).

    The measures offered are those where lower is better: an aim here is a reduction.
    """

    planned_dates = frozenset({"aim_date"})

    measure_slug = forms.ChoiceField(label="Measure", required=False)
    statement = forms.CharField(
        label="The aim in words",
        max_length=300,
        required=False,
        help_text="For example: 25% fewer restrictive interventions than in 2025 by March 2027",
    )
    baseline_start = forms.DateField(
        label="First day of the baseline period",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )
    baseline_end = forms.DateField(
        label="Last day of the baseline period",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )
    reduction_percent = forms.IntegerField(
        label="Reduction (per cent)",
        required=False,
        help_text="How much lower than the baseline mean, from 1 to 100",
        error_messages={"invalid": "Enter a whole number of per cent"},
    )
    aim_date = forms.DateField(
        label="Date the aim should be met by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure_slug"].choices = [("", "Select a measure")] + [
            (slug, d.name)
            for slug, d in all_measures().items()
            if d.improvement_direction is ImprovementDirection.DECREASE
            and d.default_chart not in (Chart.G, Chart.T)
        ]
