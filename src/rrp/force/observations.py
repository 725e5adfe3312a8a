"""Physical health monitoring after rapid tranquillisation: which hourly observations are due, done or
overdue. Pure functions (no database), so the rule can be tested minute by minute.

NICE QS154 statement 5 and NG10 1.4.44: after rapid tranquillisation, pulse, blood pressure,
respiratory rate, temperature, hydration and level of consciousness are observed at least every hour.
Here the hours run from the first injection (MHSDS type 14) until `hours` after the last one
(settings.RRP_RT_MONITORING_HOURS, default 4). Hour k is the window (start + (k-1) h, start + k h]; the
first also takes an observation at the very start. An observation inside the window satisfies that
hour, so one taken exactly on the hour counts, and one taken a minute later belongs to the next hour
and leaves the earlier one overdue. A set the patient declined counts as done (the refusal is the
record), shown as declined.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings

from rrp.force.codes import InterventionType

HOUR = dt.timedelta(hours=1)
DEFAULT_MONITORING_HOURS = 4


class HourState(StrEnum):
    RECORDED = "recorded"
    DECLINED = "declined"
    OVERDUE = "overdue"
    DUE = "due"  # the current hour: not late yet
    UPCOMING = "upcoming"


class _Observation(Protocol):
    observed_at: dt.datetime
    refused: bool


@dataclass(frozen=True)
class MonitoringHour:
    """One hour of monitoring: observations are due by `due_at`."""

    number: int
    opens_at: dt.datetime
    due_at: dt.datetime
    state: HourState
    observed_at: tuple[dt.datetime, ...] = ()


@dataclass(frozen=True)
class MonitoringState:
    """The monitoring checklist of one incident at one instant."""

    started_at: dt.datetime
    ends_at: dt.datetime
    hours: tuple[MonitoringHour, ...]
    at: dt.datetime

    @property
    def overdue(self) -> tuple[MonitoringHour, ...]:
        return tuple(h for h in self.hours if h.state == HourState.OVERDUE)

    @property
    def next_due(self) -> MonitoringHour | None:
        """The first hour not yet due (the current one), or None when the period is over."""
        return next((h for h in self.hours if h.state in (HourState.DUE, HourState.UPCOMING)), None)

    @property
    def complete(self) -> bool:
        return self.at >= self.ends_at and not self.overdue


def monitoring_hours() -> int:
    """How many hours after the last injection observations are expected (at least 1)."""
    return max(1, int(getattr(settings, "RRP_RT_MONITORING_HOURS", DEFAULT_MONITORING_HOURS)))


def rt_starts(interventions: Iterable[Any]) -> list[dt.datetime]:
    """Start times of rapid tranquillisation (MHSDS 14) among an incident version's interventions."""
    return sorted(
        i.started_at
        for i in interventions
        if i.type_code == InterventionType.RAPID_TRANQUILLISATION and i.started_at is not None
    )


def rt_monitoring_state(
    *,
    starts: Sequence[dt.datetime],
    observations: Iterable[_Observation],
    at: dt.datetime,
    hours: int = DEFAULT_MONITORING_HOURS,
) -> MonitoringState | None:
    """The hourly observations due after rapid tranquillisation and their state at instant `at`.

    `starts` are the injection times (None is returned when there are none: nothing to monitor).
    """
    if not starts:
        return None
    first, last = min(starts), max(starts)
    ends_at = last + hours * HOUR
    count = max(1, math.ceil((ends_at - first) / HOUR))
    taken: dict[int, list[_Observation]] = {}
    for observation in observations:
        offset = observation.observed_at - first
        if offset < dt.timedelta(0):
            continue
        number = max(1, math.ceil(offset / HOUR))
        taken.setdefault(number, []).append(observation)
    result = []
    for number in range(1, count + 1):
        opens_at, due_at = first + (number - 1) * HOUR, first + number * HOUR
        inside = sorted(taken.get(number, []), key=lambda o: o.observed_at)
        if any(not o.refused for o in inside):
            state = HourState.RECORDED
        elif inside:
            state = HourState.DECLINED
        elif at > due_at:
            state = HourState.OVERDUE
        elif at > opens_at or number == 1:
            state = HourState.DUE
        else:
            state = HourState.UPCOMING
        result.append(
            MonitoringHour(
                number=number,
                opens_at=opens_at,
                due_at=due_at,
                state=state,
                observed_at=tuple(o.observed_at for o in inside),
            )
        )
    return MonitoringState(started_at=first, ends_at=first + count * HOUR, hours=tuple(result), at=at)
