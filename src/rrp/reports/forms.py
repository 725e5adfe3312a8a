"""Forms of the reports' pages: the choices a page reads from its query string."""

from __future__ import annotations

import datetime as dt

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.reports import equity as equity_data
from rrp.reports.annual import periods


class EquityOptionsForm(ValidatedForm):
    """The page's choices, read from the query string; anything else is a 400 with the error summary."""

    characteristic = forms.ChoiceField(
        label="Characteristic for the charts",
        choices=[(key.value, info.label) for key, info in equity_data.CHARACTERISTICS.items()],
        required=False,
    )
    reference = forms.CharField(
        label="Reference group",
        required=False,
        max_length=60,
        help_text="Leave blank for the group with the most occupied bed days.",
    )
    period = forms.ChoiceField(
        label="Period",
        choices=[(p.value, label) for p, label in equity_data.PERIOD_LABELS.items()],
        required=False,
    )

    def clean(self) -> dict:
        data = super().clean()
        key = equity_data.Characteristic(data.get("characteristic") or equity_data.Characteristic.ETHNICITY)
        data["characteristic"] = key
        data["period"] = equity_data.ReportPeriod(
            data.get("period") or equity_data.ReportPeriod.LAST_12_MONTHS
        )
        reference = data.get("reference") or ""
        groups = equity_data.CHARACTERISTICS[key].groups
        if reference and reference not in groups:
            label = equity_data.CHARACTERISTICS[key].label.lower()
            self.add_error("reference", f"Choose a reference group of {label}: {', '.join(groups)}")
        return data


class InspectionPeriodForm(ValidatedForm):
    """The CQC inspection pack's period, read from the query string (issue 16 item 8). Each kind of period
    names what is missing or wrong in its own field; a refused period is a 400 with the error summary."""

    period = forms.ChoiceField(
        label="Period of the pack",
        choices=list(periods.PERIOD_LABELS.items()),
        required=False,
        widget=forms.RadioSelect,
    )
    month = forms.ChoiceField(label="Month", required=False)
    quarter = forms.ChoiceField(label="Quarter", required=False)
    year = forms.ChoiceField(label="Financial year", required=False)
    start = forms.DateField(label="First day", required=False, help_text="For example, 2026-04-01")
    end = forms.DateField(label="Last day", required=False, help_text="For example, 2026-06-30")

    def __init__(self, *args: object, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["month"].choices = [("", "Choose a month"), *periods.month_choices(today)]
        self.fields["quarter"].choices = [("", "Choose a quarter"), *periods.quarter_choices(today)]
        self.fields["year"].choices = [("", "Choose a year"), *periods.year_choices(today)]

    def clean(self) -> dict:
        data = super().clean()
        kind = periods.PeriodKind(data.get("period") or periods.PeriodKind.LAST_12_MONTHS)
        data["period"] = kind
        chosen: periods.PackPeriod | None = None
        if kind is periods.PeriodKind.LAST_12_MONTHS:
            chosen = periods.last_whole_months(self.today)
        elif kind is periods.PeriodKind.MONTH:
            if data.get("month"):
                first = dt.datetime.strptime(data["month"], "%Y-%m").date()
                chosen = periods.PackPeriod(first, periods.month_end(first), f"{first:%B %Y}")
            elif "month" not in self.errors:
                self.add_error("month", "Choose the month")
        elif kind is periods.PeriodKind.QUARTER:
            if data.get("quarter"):
                chosen = periods.quarter_of(data["quarter"])
            elif "quarter" not in self.errors:
                self.add_error("quarter", "Choose the quarter")
        elif kind is periods.PeriodKind.YEAR:
            if data.get("year"):
                chosen = periods.financial_year_period(int(data["year"]))
            elif "year" not in self.errors:
                self.add_error("year", "Choose the financial year")
        else:
            chosen = self._custom(data.get("start"), data.get("end"))
        data["chosen"] = chosen
        return data

    def _custom(self, start: dt.date | None, end: dt.date | None) -> periods.PackPeriod | None:
        for name, value, words in (("start", start, "first"), ("end", end, "last")):
            if value is None and name not in self.errors:
                self.add_error(name, f"Enter the {words} day of the period")
        if start is None or end is None:
            return None
        if start < periods.EARLIEST:
            self.add_error("start", f"The first day must be on or after {periods.EARLIEST:%-d %B %Y}")
        if end > self.today:
            self.add_error("end", "The last day must be today or earlier")
        if end < start:
            self.add_error("end", "The last day must be the same as or after the first day")
        elif periods.months_touched(start, end) > periods.MAX_MONTHS:
            self.add_error(
                "end", f"The period can be at most {periods.MAX_MONTHS} months, as the charts show"
            )
        if self.errors:
            return None
        return periods.PackPeriod(start, end, f"{start:%-d %B %Y} to {end:%-d %B %Y}")
