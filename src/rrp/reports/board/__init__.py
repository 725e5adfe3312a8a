"""The provider board report: every ward's key measures in one Making Data Count summary table.

- ``compute``: the reads and the statistics (series in bulk, the SPC engine, targets from the
  provider's aims, each aim's progress), as figures;
- ``presenters``: the words (every figure as the reader may see it, suppressed outside the provider,
  the aims' progress, the commentary from the rules that fired, reporting health);
- ``exports``: the summary and chart CSVs and the PDF board pack.

The page, the CSVs, the chart pages and the PDF pack all read :func:`provider_board` or
:func:`ward_chart`, so their numbers agree; the page, the summary CSV and the pack read the safety checks
overdue or missed from :func:`safety_checks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rrp.accounts.models import User
from rrp.accounts.permissions import sees_unsuppressed
from rrp.accounts.scope import patient_wards_for
from rrp.measures.catalogue import MeasureDefinition
from rrp.organisations.models import Provider, Ward
from rrp.reports.board.compute import KEY_MEASURES, board_figures, ward_chart_figures
from rrp.reports.board.presenters import Board, WardChart, present_board, present_ward_chart
from rrp.segregation.selectors import SafetyCheckFigures, safety_check_figures


def provider_board(
    user: User, provider: Provider, *, today: dt.date, measures: Sequence[MeasureDefinition] | None = None
) -> Board:
    """The board report of one provider, as ``user`` may see it (the caller has checked the provider is
    in the user's scope)."""
    return present_board(board_figures(user, provider, today=today, measures=measures))


def ward_chart(
    user: User, provider: Provider, ward: Ward, definition: MeasureDefinition, *, today: dt.date
) -> WardChart:
    """The ward's chart of one measure with the same target as on the board (the caller checked scope)."""
    return present_ward_chart(ward_chart_figures(user, provider, ward, definition, today=today))


def safety_checks(user: User, provider: Provider) -> SafetyCheckFigures | None:
    """The safety checks overdue or missed now on the provider's wards whose patients ``user`` sees
    (issue 13 item 4), for the board's page, PDF pack and CSV alike; None outside the provider, where
    counts of so few people could identify them (the caller checked the provider is in scope)."""
    if not sees_unsuppressed(user, provider.pk):
        return None
    return safety_check_figures(provider, patient_wards_for(user).filter(provider=provider))


__all__ = ["KEY_MEASURES", "Board", "WardChart", "provider_board", "safety_checks", "ward_chart"]
