"""Possible de-facto segregation (issue 17, item 4): pure rules, no database.

The updated Code of Practice asks services to recognise segregation by what happens to the person, not
by whether an episode was recorded: someone kept apart from other patients is segregated whatever the
record says. RRP cannot see that directly; it flags the patterns that suggest it, for a person to decide
and record why (`oversight.defacto_decision_record`):

- **long seclusion**: one seclusion lasting more than `LONG_SECLUSION_HOURS` hours (a person secluded
  for days is likely being segregated, and the safeguards of long-term segregation then apply);
- **repeated seclusion**: `REPEATED_COUNT` or more seclusions starting within `REPEATED_WINDOW_DAYS` days;
- **nursed apart without an episode**: a use-of-force incident records segregation (MHSDS intervention
  type 06) at a time no long-term segregation episode of the person covers.

Only events in the last `LOOKBACK_DAYS` days are considered. The thresholds are the service's choice,
written here once, not the Code's: it gives no numbers. Review them with clinical governance.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

LONG_SECLUSION_HOURS = 48
REPEATED_COUNT = 3
REPEATED_WINDOW_DAYS = 7
LOOKBACK_DAYS = 28

LONG_SECLUSION = "long_seclusion"
REPEATED_SECLUSION = "repeated_seclusion"
APART_WITHOUT_EPISODE = "apart_without_episode"


@dataclass(frozen=True)
class Span:
    """A period for one person: a seclusion, an LTS episode, or a segregation recorded on an incident."""

    patient_id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class Flag:
    """Why a person may be segregated in fact: which rule, when it fired, and in words."""

    patient_id: int
    kind: str
    at: dt.datetime
    text: str


def _hours(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def flags(
    *,
    seclusions: Iterable[Span],
    lts_episodes: Iterable[Span],
    segregation_recorded: Iterable[Span],
    now: dt.datetime,
) -> list[Flag]:
    """Every flag at `now` from the person's seclusions, LTS episodes and incidents recording
    segregation, oldest first."""
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    found: list[Flag] = []
    starts: dict[int, list[dt.datetime]] = defaultdict(list)
    for s in seclusions:
        end = s.ended_at or now
        if end < since:
            continue
        length = end - s.started_at
        if length > dt.timedelta(hours=LONG_SECLUSION_HOURS):
            word = "so far" if s.ended_at is None else ""
            found.append(
                Flag(
                    s.patient_id,
                    LONG_SECLUSION,
                    s.started_at + dt.timedelta(hours=LONG_SECLUSION_HOURS),
                    f"Seclusion of {_hours(length)} hours {word}".strip()
                    + f" (more than {LONG_SECLUSION_HOURS})",
                )
            )
        if s.started_at >= since:
            starts[s.patient_id].append(s.started_at)
    window = dt.timedelta(days=REPEATED_WINDOW_DAYS)
    for patient_id, times in starts.items():
        times.sort()
        for i in range(REPEATED_COUNT - 1, len(times)):
            if times[i] - times[i - REPEATED_COUNT + 1] <= window:
                count = sum(1 for t in times if times[i] - window <= t <= times[i])
                found.append(
                    Flag(
                        patient_id,
                        REPEATED_SECLUSION,
                        times[i],
                        f"{count} seclusions within {REPEATED_WINDOW_DAYS} days",
                    )
                )
                break
    episodes: dict[int, list[Span]] = defaultdict(list)
    for e in lts_episodes:
        episodes[e.patient_id].append(e)
    for r in segregation_recorded:
        if r.started_at < since or r.started_at > now:
            continue
        covered = any(e.started_at <= r.started_at <= (e.ended_at or now) for e in episodes[r.patient_id])
        if not covered:
            found.append(
                Flag(
                    r.patient_id,
                    APART_WITHOUT_EPISODE,
                    r.started_at,
                    "Segregation recorded on a use-of-force incident with no long-term segregation episode",
                )
            )
    return sorted(found, key=lambda f: (f.at, f.patient_id, f.kind))
