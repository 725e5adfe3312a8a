"""The national benchmark page: a provider's published restraint rate against every provider's.

``compute`` chooses the provider and the months of NHS Digital's published figures and runs the SPC
engine on them; ``presenters`` draws the charts and writes the table and any problem in words.
"""

from __future__ import annotations

from rrp.accounts.models import User
from rrp.reports.national.compute import LAST_12, BadMonth, match_provider, national_figures_for
from rrp.reports.national.presenters import NationalBenchmark, present_national


def national_benchmark(*, user: User, provider: str | None, month: str | None) -> NationalBenchmark:
    """The page for this user: ``provider`` is a published name chosen from the list (or None for the
    user's own provider, matched by name); ``month`` is ``last-12`` or YYYY-MM (:class:`BadMonth` if
    not held)."""
    return present_national(national_figures_for(user=user, provider=provider, month=month))


__all__ = ["LAST_12", "BadMonth", "NationalBenchmark", "match_provider", "national_benchmark"]
