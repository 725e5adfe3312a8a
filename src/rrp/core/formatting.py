"""How dates, numbers, rates, percentages and suppressed figures are written, once for every output.

Pages (as Jinja filters, ``config.jinja2_env``), the board pack PDF and the words of reports all use
these functions, so a month or a rate reads the same wherever it is shown. What each output uses:

| what | pages and PDFs | CSV files |
|---|---|---|
| a day | ``long_date``: 6 December 2026 (GOV.UK and NHS.UK style) | ``iso_date``: 2026-12-06 |
| a day and time | ``long_date_time``: 6 December 2026, 14:05 (UK time, 24-hour) | ISO 8601 |
| a month | ``month_year``: December 2026; ``short_month_year`` on chart axes and in narrow tables: Dec 2026 | ``iso_month``: 2026-12 or ``iso_date`` of its first day |
| a count | ``whole_number``: 1,234 | ``plain_number``: 1234 (``csv_figure`` of the page's text) |
| a rate or mean | ``decimal``: 12.3, to the places the report chooses (per 1,000 occupied bed days: 1 place inside the provider, whole numbers outside it, as NHS Digital publishes) | the same places, no separators |
| no figure | the report's own word ("Missing", "none") or a dash | an empty cell |
| a change | ``percent``: +12% | the same |
| a suppressed figure | ``SUPPRESSED_MARK``, ``*`` (NHS Digital's dashboards), read out as "suppressed" (``suppressed_html``) | ``*`` |

Times are UK local (``Europe/London``); an aware datetime is converted before it is written. A missing
value is the empty string here: each report says in its own words what a missing figure means there.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils import timezone
from markupsafe import Markup, escape

#: The mark of a figure withheld by NHS Digital's small-number rules (``measures.suppression``): what
#: NHS Digital's own dashboards show, the same in pages, PDFs and CSVs.
SUPPRESSED_MARK = "*"
#: What a screen reader says for the mark (the mark itself is hidden from it).
SUPPRESSED_WORDS = "suppressed"


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _date_text(value: Any, pattern: str) -> str:
    if value in (None, ""):
        return ""
    return _local(value).strftime(pattern)


def long_date(value: dt.date | dt.datetime | None) -> str:
    """6 December 2026: the day as the GOV.UK and NHS.UK style guides write it; empty for none."""
    return _date_text(value, "%-d %B %Y")


def long_date_time(value: dt.datetime | None) -> str:
    """6 December 2026, 14:05 (UK time); empty for none."""
    return _date_text(value, "%-d %B %Y, %H:%M")


def short_date_time(value: dt.datetime | None) -> str:
    """6 Dec 2026, 14:05 (UK time), for tables with little room; empty for none."""
    return _date_text(value, "%-d %b %Y, %H:%M")


def time_of_day(value: dt.datetime | dt.time | None) -> str:
    """14:05 (UK time, 24-hour clock); empty for none."""
    return _date_text(value, "%H:%M")


def month_year(value: dt.date | dt.datetime | None) -> str:
    """December 2026; empty for none."""
    return _date_text(value, "%B %Y")


def short_month_year(value: dt.date | dt.datetime | None) -> str:
    """Dec 2026: on chart axes and in narrow tables; empty for none."""
    return _date_text(value, "%b %Y")


def month_span(first: dt.date, last: dt.date, *, short: bool = False) -> str:
    """December 2025 to November 2026 (Dec 2025 to Nov 2026 with ``short``)."""
    written = short_month_year if short else month_year
    return f"{written(first)} to {written(last)}"


def iso_date(value: dt.date | dt.datetime | None) -> str:
    """2026-12-06 (ISO 8601): dates in CSV files and machine-read values; empty for none."""
    return _date_text(value, "%Y-%m-%d")


def iso_month(value: dt.date | dt.datetime | None) -> str:
    """2026-12: a month in CSV files, file names and form values; empty for none."""
    return _date_text(value, "%Y-%m")


def _finite(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and math.isfinite(value)


def whole_number(value: float | None) -> str:
    """1,234: a count with thousands separators; empty for none."""
    return decimal(value, 0)


def decimal(value: float | None, places: int = 1) -> str:
    """1,234.5: a rate, mean or limit to fixed decimal places, with thousands separators; empty for none."""
    return f"{value:,.{places}f}" if _finite(value) else ""


def percent(value: float | None, places: int = 0, *, signed: bool = False) -> str:
    """12% (+12% with ``signed``, for a change); empty for none."""
    if not _finite(value):
        return ""
    return f"{value:+.{places}f}%" if signed else f"{value:.{places}f}%"


def plain_number(value: float | None, places: int | None = None) -> str:
    """1234.5: a number for a CSV file, without thousands separators: to ``places`` decimals, or as short
    as it is exact (``10``, ``2.5``) when none are given; empty for none."""
    if not _finite(value):
        return ""
    return f"{value:.{places}f}" if places is not None else f"{value:g}"


#: What pages write for a figure there is none of; a CSV cell is empty instead.
NO_FIGURE_WORDS = frozenset({"Missing", "missing", "none", "–", "-"})


def csv_figure(text: str) -> str:
    """A figure written for the reader (``whole_number``, ``decimal``, the mark), as a CSV file carries
    it: the same digits without thousands separators, the suppression mark kept, and an empty cell where
    the page says there is none."""
    return "" if text in NO_FIGURE_WORDS else text.replace(",", "")


def suppressed_html() -> Markup:
    """The suppression mark on a page: ``*`` to see, "suppressed" to hear."""
    return Markup(
        f'<span aria-hidden="true">{SUPPRESSED_MARK}</span>'
        f'<span class="nhsuk-u-visually-hidden">{SUPPRESSED_WORDS}</span>'
    )


def figure_html(text: str) -> Markup:
    """A figure already written for the reader (a number, or the suppression mark) as page HTML: the mark
    becomes ``suppressed_html()``, anything else is escaped."""
    return suppressed_html() if text == SUPPRESSED_MARK else Markup(escape(text))
