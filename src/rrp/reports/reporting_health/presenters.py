"""Reporting health in words: each flag as a ward team reads it at its huddle, from the figures
``compute`` found (the counts, dates and rates are in the sentence, so the team knows what to check)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

from rrp.core.formatting import decimal, month_year
from rrp.measures.series import Period
from rrp.reports.reporting_health.compute import (
    RECENT_DAYS,
    Flag,
    FlagCode,
    WardHealthFigures,
)
from rrp.spc import SpecialCause

#: The rule that found a volume drop, as the sentence names it (the engine's labels).
SIGNAL_WORDS = {
    SpecialCause.BELOW_LOWER_LIMIT.label: "below the lower control limit",
    SpecialCause.SHIFT_BELOW.label: "in a run of points below the ward's average",
    SpecialCause.TWO_OF_THREE_BELOW.label: "two of the last three points close to the lower limit",
    SpecialCause.TREND_DECREASING.label: "in a falling trend",
}
#: Days in an average month, for a daily rate said per month.
DAYS_PER_MONTH = 30.4


@dataclass(frozen=True)
class HealthFlag(Flag):
    """One thing to check about a ward's recording, in words a ward team reads at its huddle."""

    words: str


@dataclass(frozen=True)
class WardReportingHealth(WardHealthFigures):
    """A ward's reporting health: the flags in words, and the figures they came from."""

    flags: list[HealthFlag] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.flags

    def has(self, code: FlagCode | str) -> bool:
        return any(f.code == code for f in self.flags)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _month_list(months: list[dt.date]) -> str:
    names = [month_year(m) for m in months]
    if len(names) > 4:
        return f"{len(names)} months ({', '.join(names[:3])} and {len(names) - 3} more)"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def flag_words(flag: Flag, health: WardHealthFigures) -> str:
    """The sentence for one flag of a ward, with the figures behind it."""
    h = health
    match flag.code:
        case FlagCode.VOLUME_DROP:
            word = "month" if h.volume_period == Period.MONTH else "week"
            latest = 0 if h.volume_latest is None else round(h.volume_latest)
            signal = SIGNAL_WORDS.get(h.volume_signal or "", "a special cause low")
            return (
                f"Fewer incidents recorded than usual: {_plural(latest, 'incident')} in the last complete "
                f"{word}, {signal} (the ward's average is {decimal(h.volume_centre)} a {word}). Check that "
                "every use of force is being recorded."
            )
        case FlagCode.SILENT:
            assert h.silence_threshold_days is not None
            return (
                f"No incident recorded for {h.days_since_last} days. At this ward's rate over the last 12 "
                f"months ({decimal(h.rate_per_day * DAYS_PER_MONTH)} a month) a gap of more than "
                f"{math.ceil(h.silence_threshold_days)} days would happen less than 1 time in 100. Check "
                "that incidents are being recorded."
            )
        case FlagCode.INCOMPLETE:
            parts = []
            if h.open_incomplete:
                parts.append(f"{_plural(h.open_incomplete, 'record')} still in draft or sent back")
            if h.submitted_incomplete:
                parts.append(f"{_plural(h.submitted_incomplete, 'record')} already submitted")
            return f"Statutory items missing (Use of Force Act s6(5)): {' and '.join(parts)}."
        case FlagCode.UNSUBMITTED:
            return f"{_plural(h.open_overdue, 'record')} not yet submitted more than 72 hours after the incident."
        case FlagCode.LATE:
            return (
                f"{h.recent_late} of {_plural(h.recent_records, 'record')} made in the last {RECENT_DAYS} "
                f"days {'was' if h.recent_late == 1 else 'were'} submitted more than 72 hours after the "
                "incident."
            )
        case FlagCode.MISSING_BED_DAYS:
            missing = h.missing_bed_day_months
            return (
                f"No occupied bed days for {_month_list(missing)}: rates per 1,000 bed days cannot be "
                f"charted for {'that month' if len(missing) == 1 else 'those months'}."
            )
    raise ValueError(f"no words for the flag {flag.code}")  # pragma: no cover - every FlagCode above


def in_words(health: WardHealthFigures) -> WardReportingHealth:
    """The ward's figures with each flag raised in words."""
    figures = {f.name: getattr(health, f.name) for f in dataclasses.fields(health)}
    flags = [HealthFlag(f.code, f.severity, flag_words(f, health)) for f in health.raised]
    return WardReportingHealth(**figures, flags=flags)
