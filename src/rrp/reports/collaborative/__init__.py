"""The collaborative view: an improvement collaborative's member wards, pooled charts, funnel and aims.

- ``compute``: the members and how each may be shown to this viewer, the pooled series and their SPC
  results, the funnel, each aim's progress from every ward's own joining date (as figures);
- ``presenters``: every figure as this viewer may see it (names or pseudonyms, suppression), the
  charts with their text and tables, the members' reporting health in words;
- ``exports``: the member table as CSV;
- ``spread``: the change ideas members tested in PDSA cycles, and which they adopted or abandoned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from rrp.accounts.models import User
from rrp.organisations.models import Collaborative
from rrp.reports.collaborative.compute import (
    POOLED_MEASURES,
    Member,
    collaborative_figures,
    collaborative_list_for,
    members_for,
    pseudonym,
)
from rrp.reports.collaborative.presenters import (
    CollaborativeReport,
    collaborative_reporting_health,
    pooled_chart,
    present_collaborative,
)
from rrp.reports.collaborative.spread import idea_spread


def collaborative_report(collaborative: Collaborative, *, user: User, today: dt.date) -> CollaborativeReport:
    """Everything on the collaborative page for this viewer (the caller has checked the collaborative
    is in ``collaboratives_for(user)``)."""
    report = present_collaborative(collaborative_figures(collaborative, user=user, today=today))
    return dataclasses.replace(report, spread=idea_spread(report.members))


__all__ = [
    "POOLED_MEASURES",
    "CollaborativeReport",
    "Member",
    "collaborative_list_for",
    "collaborative_report",
    "collaborative_reporting_health",
    "members_for",
    "pooled_chart",
    "pseudonym",
]
