"""The spread of change ideas across a collaborative (issue 14, item 5): which ideas each member ward has
tested in PDSA cycles while a member, and whether it adopted, adapted or abandoned them, as the members'
own projects record it (``improvement.project_selectors.ideas_by_ward``). Wards appear under the labels
the collaborative page gives this viewer (names, or pseudonyms where their figures are suppressed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rrp.improvement.project_selectors import SPREAD_STATES, ideas_by_ward
from rrp.reports.collaborative.compute import Member

STATE_ORDER = list(SPREAD_STATES.values())  # Testing, Adapting, Adopted, Abandoned


@dataclass(frozen=True)
class WardWithIdea:
    label: str
    state: str
    first_tested: dt.date
    latest_tested: dt.date
    cycles: int


@dataclass(frozen=True)
class IdeaSpread:
    """One change idea across the member wards: each ward testing it and how many are in each state."""

    idea_id: int
    title: str
    wards: list[WardWithIdea]

    def count(self, state: str) -> int:
        return sum(1 for w in self.wards if w.state == state)

    @property
    def counts(self) -> list[int]:
        """The number of wards in each state, in STATE_ORDER."""
        return [self.count(state) for state in STATE_ORDER]


def idea_spread(members: Sequence[Member]) -> list[IdeaSpread]:
    """Every change idea tested on a member ward while it was a member, most adopted first."""
    by_id = {m.ward_id: m for m in members}
    windows = {m.ward_id: (m.joined_on, m.left_on) for m in members}
    ideas: dict[int, IdeaSpread] = {}
    for row in ideas_by_ward(list(by_id), windows=windows):
        spread = ideas.setdefault(row.idea_id, IdeaSpread(row.idea_id, row.idea_title, []))
        spread.wards.append(
            WardWithIdea(
                label=by_id[row.ward_id].label,
                state=row.state,
                first_tested=row.first_tested,
                latest_tested=row.latest_tested,
                cycles=row.cycles,
            )
        )
    for spread in ideas.values():
        spread.wards.sort(key=lambda w: (STATE_ORDER.index(w.state), w.label))
    return sorted(ideas.values(), key=lambda s: (-s.count("Adopted"), -len(s.wards), s.title))
