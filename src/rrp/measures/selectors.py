"""Reads of the measures app.

NHS Digital's national figures are published official statistics (Open Government Licence), already
suppressed and rounded by NHS Digital, so they are not scoped to the reader's organisation.
"""

from __future__ import annotations

import pandas as pd

from rrp.measures.models import NationalMetric, NationalProviderMonth
from rrp.measures.national import figures_frame


def national_figures(*, metrics: list[NationalMetric] | None = None) -> pd.DataFrame:
    """Published provider-month figures as a frame (month, provider_name, metric, value, suppressed); one query."""
    rows = NationalProviderMonth.objects.all()
    if metrics is not None:
        rows = rows.filter(metric__in=[m.value for m in metrics])
    return figures_frame(rows.values("month", "provider_name", "metric", "value", "suppressed"))
