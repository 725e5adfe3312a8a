"""Adoption against the outcome (issue 14, item 5): for one change idea, the pooled chart of the member
wards that adopted it beside the pooled chart of the other member wards, so a collaborative sees whether
the wards that adopted an idea moved and the others did not.

A ward *adopted* the idea when the latest PDSA cycle testing it there, while the ward was a member,
decided to adopt it (``improvement.project_selectors.ideas_by_ward``, as the spread table counts it);
every other member ward is in the comparison group, including those still testing or adapting it (the
page says how many). Each group is pooled as the collaborative's own charts are (``compute.pooled_figures``:
numerators and bed days summed month by month, a ward's months after it left not counted) and is
suppressed unless the viewer sees every ward in it unsuppressed, as the pooled charts are. The
adopters' chart marks where each adopter's adopting test began.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from rrp.accounts.models import User
from rrp.charts.spc_chart import Event
from rrp.improvement.project_selectors import SPREAD_STATES, IdeaOnWard, ideas_by_ward
from rrp.measures.catalogue import MeasureDefinition, measure
from rrp.measures.series import Period, measure_series_many
from rrp.organisations.models import Collaborative
from rrp.reports.collaborative.compute import (
    POOLED_MEASURES,
    Member,
    members_for,
    pooled_figures,
    pooled_is_suppressed,
    pooled_window,
)
from rrp.reports.collaborative.presenters import pooled_panel
from rrp.reports.measure_charts import reporting_window
from rrp.reports.panels import ChartPanel

ADOPTED = SPREAD_STATES["adopt"]


@dataclass(frozen=True)
class AdoptionGroup:
    """One side of the comparison: its wards (as this viewer may name them) and their pooled chart."""

    wards: list[str]
    panel: ChartPanel | None  # None where the group is empty or has no bed days in the charts' months
    suppressed: bool


@dataclass(frozen=True)
class AdoptionComparison:
    collaborative: Collaborative
    idea_id: int
    idea_title: str
    definition: MeasureDefinition
    adopters: AdoptionGroup
    others: AdoptionGroup
    still_testing: int  # wards in the comparison group still testing or adapting the idea
    window: tuple[dt.date, dt.date]


def _group(
    definition: MeasureDefinition,
    series: pd.DataFrame,
    members: Sequence[Member],
    *,
    title: str,
    chart_id: str,
    events: Sequence[Event] = (),
) -> AdoptionGroup:
    """The pooled chart of these member wards, suppressed unless the viewer sees every one of them."""
    suppress = pooled_is_suppressed(members)
    labels = [m.label for m in members]
    if not members:
        return AdoptionGroup(labels, None, suppress)
    figures = pooled_figures(
        definition, series[series["ward_id"].isin([m.ward_id for m in members])], suppress=suppress
    )
    if figures is None:
        return AdoptionGroup(labels, None, suppress)
    panel = pooled_panel(figures, title=title, events=events)
    return AdoptionGroup(labels, dataclasses.replace(panel, chart_id=chart_id), suppress)


def adoption_comparison(
    collaborative: Collaborative, *, user: User, today: dt.date, idea_id: int, slug: str = POOLED_MEASURES[0]
) -> AdoptionComparison | None:
    """The adopters of change idea ``idea_id`` against the other member wards on the pooled chart of
    ``slug``, for this viewer; None where ``slug`` is not a pooled measure or no member ward tested the
    idea while a member (the caller has checked the collaborative is in ``collaboratives_for(user)``).

    Two queries besides the members: the ideas tested, and one ``measure_series_many`` over every member
    ward for the charts' 24 months."""
    if slug not in POOLED_MEASURES:
        return None
    members = members_for(collaborative, user=user)
    windows = {m.ward_id: (m.joined_on, m.left_on) for m in members}
    tested: dict[int, IdeaOnWard] = {
        row.ward_id: row for row in ideas_by_ward(list(windows), windows=windows) if row.idea_id == idea_id
    }
    if not tested:
        return None
    definition = measure(slug)
    since, until = reporting_window(Period.MONTH, today=today)
    whole = measure_series_many(
        [definition], ward_ids=list(windows), since=since, until=until, period=Period.MONTH
    )[slug]
    series = pooled_window(whole, members, since=since)
    adopters = [m for m in members if m.ward_id in tested and tested[m.ward_id].state == ADOPTED]
    others = [m for m in members if m not in adopters]
    title = next(iter(tested.values())).idea_title
    markers = [
        Event(tested[m.ward_id].latest_tested, f"{m.label}: the test it adopted began") for m in adopters
    ]
    count = len(adopters)
    return AdoptionComparison(
        collaborative=collaborative,
        idea_id=idea_id,
        idea_title=title,
        definition=definition,
        adopters=_group(
            definition,
            series,
            adopters,
            title=f"{definition.name}, the {count} ward{'s' if count != 1 else ''} that adopted {title}",
            chart_id=f"adopters-{slug}",
            events=markers,
        ),
        others=_group(
            definition,
            series,
            others,
            title=f"{definition.name}, the other {len(others)} member ward{'s' if len(others) != 1 else ''}",
            chart_id=f"others-{slug}",
        ),
        still_testing=sum(
            1 for m in others if m.ward_id in tested and tested[m.ward_id].state != SPREAD_STATES["abandon"]
        ),
        window=(since, until),
    )
