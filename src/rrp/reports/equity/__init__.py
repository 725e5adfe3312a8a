"""Equity: who is restrained. Restrictive interventions by ethnic group, sex, age band, learning
disability and autism, as rates per 1,000 occupied bed days of each group and rate ratios against a
reference group (docs/equity.md).

- ``compute``: the reads (interventions with the patient as they were at the time, bed days from ward
  stays), the rates, the rate ratios with their intervals and NHS Digital's suppression, as figures;
- ``presenters``: each group in a sentence, what each row and clear difference says, the charts, and
  how providers are named to the reader;
- ``exports``: the CSV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rrp.reports.equity.compute import (
    CHARACTERISTICS,
    Characteristic,
    ReportPeriod,
    Window,
    equity_figures,
    equity_window,
)
from rrp.reports.equity.presenters import (
    PERIOD_LABELS,
    EquityReport,
    forest_panel,
    over_time_panel,
    present_equity,
    provider_labels,
)


def equity_report(
    *,
    ward_ids: Sequence[int],
    window: Window,
    suppressed: bool,
    references: Mapping[Characteristic, str] | None = None,
) -> EquityReport:
    """Interventions, people, bed days, rates and rate ratios by every characteristic for these wards over
    the window, with what they say in words (``compute.equity_figures``; the caller chooses the wards
    from ``accounts.scope`` and whether the figures leave the provider)."""
    return present_equity(
        equity_figures(ward_ids=ward_ids, window=window, suppressed=suppressed, references=references)
    )


__all__ = [
    "CHARACTERISTICS",
    "PERIOD_LABELS",
    "Characteristic",
    "EquityReport",
    "ReportPeriod",
    "equity_report",
    "equity_window",
    "forest_panel",
    "over_time_panel",
    "provider_labels",
]
