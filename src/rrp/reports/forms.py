"""Forms of the reports' pages: the choices a page reads from its query string."""

from __future__ import annotations

from django import forms

from rrp.core.validation.forms import ValidatedForm
from rrp.reports import equity as equity_data


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
