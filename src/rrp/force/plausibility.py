"""Whether a use-of-force record is plausible as a whole: rules that compare its times with each other
and with now, shared by the pages, the API (both through ``force.services``) and the CSV import.

Each field passes its own rule first (``core.validation``: a date of an event from 1900 to tomorrow);
these rules look at several values at once (issue 13, decision 0013) and are plain functions of plain
values, so the services and the import say the same words and a test can fix "now":

| rule | what happens | the field named |
|---|---|---|
| nothing in the future (more than ``FUTURE_GRACE`` after now) | refused | the time in the future |
| an intervention within its incident (from its start to its end, when given) | refused | the intervention's start or end |
| the care-plan notification not before the incident started | refused | ``care_plan_notified_at`` |
| a restraint longer than its limit (prone over 10 minutes, any other restraint over 2 hours; settings ``RRP_PRONE_CONFIRM_MINUTES``, ``RRP_RESTRAINT_CONFIRM_MINUTES``) | refused unless the person confirms the duration (``durations_confirmed``); confirmed, it is kept and the incident is flagged for review (``IncidentFlagKind.LONG_DURATION``) | the intervention's end, and ``durations_confirmed`` (the question to answer) |
| a record first made more than ``RRP_LATE_RECORD_HOURS`` (24) after the incident started | kept and flagged as late (``IncidentFlagKind.LATE_RECORD``) | none |

The limits are settings (one for the installation), not provider rules: they are about what is plausible
to type, not about policy, and a setting is read in one place by the services and the import alike.
Seclusion and segregation (MHSDS 05, 06) have no duration limit here: they last hours to months and are
recorded as episodes with their own reviews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from rrp.core.formatting import long_date_time
from rrp.core.times import to_the_minute
from rrp.force.codes import RESTRAINT_TYPES, InterventionType

#: A time this far after the server's clock is taken as the two clocks disagreeing, not as the future.
FUTURE_GRACE = dt.timedelta(minutes=5)
DEFAULT_PRONE_CONFIRM_MINUTES = 10
DEFAULT_RESTRAINT_CONFIRM_MINUTES = 120
DEFAULT_LATE_RECORD_HOURS = 24

# The content times that record something that has happened, and how a message names each.
PAST_TIMES: dict[str, str] = {
    "occurred_at": "The incident's start",
    "ended_at": "The incident's end",
    "police_requested_at": "The time police were asked to help",
    "police_arrived_at": "The time police arrived",
    "care_plan_notified_at": "The time the care-plan notification was sent",
}


class _Intervention(Protocol):
    type_code: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class Limits:
    """How long each type of force may last before the duration must be confirmed, and how long after
    the incident a record is late."""

    confirm_minutes: Mapping[str, int]
    late_after: dt.timedelta

    @classmethod
    def from_settings(cls) -> Limits:
        prone = int(getattr(settings, "RRP_PRONE_CONFIRM_MINUTES", DEFAULT_PRONE_CONFIRM_MINUTES))
        restraint = int(getattr(settings, "RRP_RESTRAINT_CONFIRM_MINUTES", DEFAULT_RESTRAINT_CONFIRM_MINUTES))
        late = int(getattr(settings, "RRP_LATE_RECORD_HOURS", DEFAULT_LATE_RECORD_HOURS))
        minutes = dict.fromkeys(RESTRAINT_TYPES, restraint)
        minutes[InterventionType.PRONE.value] = prone
        return cls(confirm_minutes=minutes, late_after=dt.timedelta(hours=late))


@dataclass
class Findings:
    """What the rules found: ``problems`` refuse the record (``{field: [messages]}``, the services'
    shape); ``long_durations`` and ``late`` are kept and flagged for review."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    long_durations: list[dict[str, Any]] = field(default_factory=list)
    late: dict[str, Any] | None = None

    def add(self, name: str, message: str) -> None:
        self.problems.setdefault(name, []).append(message)


def duration_text(minutes: int) -> str:
    """24 hours 5 minutes; 1 hour; 10 minutes."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours:,} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def _minute(value: dt.datetime | None) -> dt.datetime | None:
    return to_the_minute(value)


def check(
    *,
    content: Mapping[str, Any],
    interventions: Sequence[_Intervention],
    now: dt.datetime,
    first_recorded_at: dt.datetime | None = None,
    durations_confirmed: bool = False,
    check_durations: bool = True,
    limits: Limits | None = None,
) -> Findings:
    """Check a record's times against each other and ``now``.

    ``check_durations`` is False when the interventions are carried forward unchanged from an earlier
    version: their durations were confirmed (or not needed) when they were written, so only their place
    within the incident is checked again. ``first_recorded_at`` is when the incident was first recorded
    (now, for a new one).
    """
    limits = limits or Limits.from_settings()
    found = Findings()
    latest = now + FUTURE_GRACE
    for name, label in PAST_TIMES.items():
        value = content.get(name)
        if value is not None and value > latest:
            found.add(name, f"{label} cannot be in the future: check the date and time")
    occurred, ended = _minute(content.get("occurred_at")), _minute(content.get("ended_at"))
    notified = _minute(content.get("care_plan_notified_at"))
    if occurred is not None and notified is not None and notified < occurred:
        found.add(
            "care_plan_notified_at",
            f"The care-plan notification cannot be sent before the incident started ({long_date_time(occurred)})",
        )
    for n, item in enumerate(interventions):
        _check_intervention(n, item, occurred=occurred, ended=ended, latest=latest, found=found)
    if check_durations:
        _check_durations(interventions, limits=limits, confirmed=durations_confirmed, found=found)
    made = first_recorded_at or now
    if occurred is not None and made - occurred > limits.late_after:
        found.late = {
            "hours_after": int((made - occurred).total_seconds() // 3600),
            "limit_hours": int(limits.late_after.total_seconds() // 3600),
        }
    return found


def _check_intervention(
    n: int,
    item: _Intervention,
    *,
    occurred: dt.datetime | None,
    ended: dt.datetime | None,
    latest: dt.datetime,
    found: Findings,
) -> None:
    key = f"interventions[{n}]"
    started, finished = _minute(item.started_at), _minute(item.ended_at)
    for name, value in (("started_at", started), ("ended_at", finished)):
        if value is not None and value > latest:
            what = "start" if name == "started_at" else "end"
            found.add(
                f"{key}.{name}", f"The intervention's {what} cannot be in the future: check the date and time"
            )
    if started is not None and occurred is not None and started < occurred:
        found.add(
            f"{key}.started_at",
            f"The intervention cannot start before the incident started ({long_date_time(occurred)})",
        )
    if ended is not None:
        if started is not None and started > ended:
            found.add(
                f"{key}.started_at",
                f"The intervention cannot start after the incident ended ({long_date_time(ended)})",
            )
        elif finished is not None and finished > ended:
            found.add(
                f"{key}.ended_at",
                f"The intervention cannot end after the incident ended ({long_date_time(ended)})",
            )


#: Where the question "are these durations right?" is asked: a page shows its tick box with this message,
#: the API names the field to send.
CONFIRM_FIELD = "durations_confirmed"
CONFIRM_MESSAGE = "Tick to confirm the durations are right, or correct the end times"


def _check_durations(
    interventions: Sequence[_Intervention], *, limits: Limits, confirmed: bool, found: Findings
) -> None:
    for n, item in enumerate(interventions):
        limit = limits.confirm_minutes.get(item.type_code)
        started, finished = _minute(item.started_at), _minute(item.ended_at)
        if limit is None or started is None or finished is None or finished < started:
            continue
        minutes = int((finished - started).total_seconds() // 60)
        if minutes <= limit:
            continue
        label = InterventionType(item.type_code).label
        if confirmed:
            found.long_durations.append(
                {"type_code": item.type_code, "minutes": minutes, "limit_minutes": limit}
            )
        else:
            found.add(
                f"interventions[{n}].ended_at",
                f"{label} for {duration_text(minutes)} is longer than {duration_text(limit)}: check the end "
                "date and time, or confirm the duration is right",
            )
            if CONFIRM_FIELD not in found.problems:
                found.add(CONFIRM_FIELD, CONFIRM_MESSAGE)
