"""The inspection pack's periods (issue 16 item 8): the last 12 whole months, a month, a quarter, a
financial year, or dates the inspector gives. A period is a first and last day; the pack's monthly figures
and charts are whole months (the board's stored monthly figures), so they cover every month the period
touches, up to the last whole month before today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from rrp.reports.annual.compute import financial_year, year_label

#: The longest period: the charts are the board's, which show 24 months.
MAX_MONTHS = 24
#: The first day a period may start: the Act was passed in 2018 (as the annual statistics' first year).
EARLIEST = dt.date(2018, 1, 1)


class PeriodKind(StrEnum):
    LAST_12_MONTHS = "last12"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_LABELS: dict[PeriodKind, str] = {
    PeriodKind.LAST_12_MONTHS: "The last 12 whole months",
    PeriodKind.MONTH: "A month",
    PeriodKind.QUARTER: "A quarter",
    PeriodKind.YEAR: "A financial year (April to March)",
    PeriodKind.CUSTOM: "Dates I choose",
}


@dataclass(frozen=True)
class PackPeriod:
    """The pack's period: ``since`` to ``until`` inclusive, and how to name it."""

    since: dt.date
    until: dt.date
    label: str


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_touched(since: dt.date, until: dt.date) -> int:
    """How many calendar months the days ``since`` to ``until`` touch."""
    return (until.year - since.year) * 12 + until.month - since.month + 1


def last_whole_months(today: dt.date, months: int = 12) -> PackPeriod:
    until = first_of_month(today) - dt.timedelta(days=1)
    since = add_months(until, -(months - 1))
    return PackPeriod(since, until, f"the {months} whole months to {until:%B %Y}")


def month_choices(today: dt.date, count: int = MAX_MONTHS * 2) -> list[tuple[str, str]]:
    """The whole months before ``today``, latest first, as (YYYY-MM, "March 2026")."""
    last = first_of_month(today) - dt.timedelta(days=1)
    return [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in (add_months(last, -i) for i in range(count))]


def quarter_of(code: str) -> PackPeriod:
    """A quarter ``YYYY-MM`` named by its first month (January, April, July or October)."""
    first = dt.datetime.strptime(code, "%Y-%m").date()
    last = month_end(add_months(first, 2))
    return PackPeriod(first, last, f"{first:%B} to {last:%B %Y}")


def quarter_choices(today: dt.date, count: int = 12) -> list[tuple[str, str]]:
    """The whole calendar quarters before ``today``, latest first, as (YYYY-MM of its first month, words)."""
    start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    out = []
    for _ in range(count):
        start = add_months(start, -3)
        out.append((f"{start:%Y-%m}", quarter_of(f"{start:%Y-%m}").label))
    return out


def year_choices(today: dt.date) -> list[tuple[str, str]]:
    """Financial years from 2018-19 to the one under way, latest first, as (start year, "2025-26")."""
    latest = today.year if today.month >= 4 else today.year - 1
    return [(str(y), year_label(y)) for y in range(latest, EARLIEST.year - 1, -1)]


def financial_year_period(start_year: int) -> PackPeriod:
    since, until = financial_year(start_year)
    return PackPeriod(since, until, f"the financial year {year_label(start_year)}")
