"""The per-field rules every value typed, posted or imported into RRP passes, in plain Python.

One rule per kind of field, each with a ``check`` that returns the value or raises ``FieldProblem`` with
a message a person can act on (it never names Python or the database):

| rule | what it refuses |
|---|---|
| ``TextRule`` | more characters than the field holds; control characters (NUL, escape, ...), text that is not valid Unicode (lone surrogates) and the non-characters U+FFFE/U+FFFF; tab, carriage return and new line in a one-line field (free text may have them) |
| ``IntegerRule`` | a number outside the field's range (ids within 64 bits, counts 0 or more and bounded) |
| ``DateRule`` | a date of an event before 1 January 1900 or after tomorrow (UK time); planned dates may be later, up to 31 December 2099 |

``parse_whole_number`` reads a whole number as people and systems write it (ASCII digits only: not
``1_0``, not Arabic-Indic or superscript digits, which Python's ``int`` would take).

No Django here (``rrp spc`` uses these without starting Django: an import-linter contract keeps it so).
``rrp.core.validation.declared`` reads the rules off Django model fields; ``forms``, ``schemas`` and
``files`` are the adapters for pages, the API and imports. Cross-field *plausibility* (issue 13) builds on
these: see docs/decisions/0012-one-validation-of-every-field.md.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass

UK = zoneinfo.ZoneInfo("Europe/London")
#: The earliest date of an event RRP accepts (a date of birth or an incident before it is a typing slip).
EARLIEST_DATE = dt.date(1900, 1, 1)
#: The latest planned date (an aim's target, a membership's end): far enough for any plan.
LATEST_PLANNED_DATE = dt.date(2099, 12, 31)
#: Ids are 64-bit signed integers in both databases.
ID_MAX = 2**63 - 1
#: Free text (a narrative, a statement) with no declared length: about 8,000 words. It keeps every cell
#: of an import well under the CSV reader's 131,072-character limit.
FREE_TEXT_MAX_LENGTH = 50_000
#: The most digits a whole number may have before it is read (a longer one is out of every range).
MAX_DIGITS = 25

# Characters no field may hold: C0 controls except tab, new line and carriage return; DEL and the C1
# controls (mostly Windows-1252 text read as Latin-1); lone surrogates (not Unicode text: PostgreSQL and
# SQLite's driver refuse them); the non-characters U+FFFE and U+FFFF.
_NEVER = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
NEVER_ALLOWED = re.compile(f"[{_NEVER}]")
ONE_LINE_REFUSED = re.compile(f"[{_NEVER}\t\n\r]")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")

_NAMES = {"\t": "a tab", "\n": "a new line", "\r": "a carriage return", "\x00": "a NUL character"}


class FieldProblem(ValueError):
    """A value a field cannot take; the message says what to do, in the words shown to the person."""


def character_name(char: str) -> str:
    """How a refused character is named in a message: "a tab", "the control character U+001B"."""
    if char in _NAMES:
        return _NAMES[char]
    if "\ud800" <= char <= "\udfff":
        return f"text that is not valid Unicode (U+{ord(char):04X})"
    return f"the control character U+{ord(char):04X}" + (
        f" ({unicodedata.name(char)})" if unicodedata.name(char, "") else ""
    )


def refused_character(text: str, *, multiline: bool = True) -> tuple[int, str] | None:
    """The position (from 1) and name of the first character the text may not hold, or None."""
    found = (NEVER_ALLOWED if multiline else ONE_LINE_REFUSED).search(text)
    if found is None:
        return None
    return found.start() + 1, character_name(found.group())


@dataclass(frozen=True)
class TextRule:
    """Text of at most ``max_length`` characters; ``multiline`` allows tab, new line and carriage return."""

    max_length: int = FREE_TEXT_MAX_LENGTH
    multiline: bool = False

    def check(self, value: str) -> str:
        if not isinstance(value, str):
            raise FieldProblem("Enter text")
        if len(value) > self.max_length:
            raise FieldProblem(f"Enter {self.max_length:,} characters or fewer (this has {len(value):,})")
        refused = refused_character(value, multiline=self.multiline)
        if refused is not None:
            position, name = refused
            where = f"character {position:,}"
            if not self.multiline and name in ("a tab", "a new line", "a carriage return"):
                raise FieldProblem(f"Enter this on one line: remove {name} at {where}")
            raise FieldProblem(f"Remove {name} at {where}: it cannot be stored")
        return value


@dataclass(frozen=True)
class IntegerRule:
    """A whole number from ``minimum`` to ``maximum``; ``what`` names it in messages."""

    minimum: int
    maximum: int
    what: str = "number"

    def check(self, value: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldProblem(f"Enter a whole number{self._range()}")
        if not self.minimum <= value <= self.maximum:
            raise FieldProblem(f"Enter a {self.what}{self._range()}")
        return value

    def _range(self) -> str:
        if self.maximum >= ID_MAX:
            return f" of {self.minimum:,} or more" if self.minimum >= 0 else ""
        return f" from {self.minimum:,} to {self.maximum:,}"

    def parse(self, text: str) -> int:
        """The number written in ``text`` (see ``parse_whole_number``), checked."""
        return self.check(parse_whole_number(text, self))


ID_RULE = IntegerRule(1, ID_MAX, "record number")


def parse_whole_number(text: str, rule: IntegerRule | None = None) -> int:
    """A whole number written with the ASCII digits 0-9 and an optional sign, nothing else.

    Python's ``int`` also reads ``1_0`` as 10, Arabic-Indic digits and spaces around the number; an
    import must not guess what a cell meant."""
    text = text.strip()
    if len(text) > MAX_DIGITS or not _WHOLE_NUMBER.fullmatch(text):
        suffix = rule._range() if rule is not None else ""
        raise FieldProblem(f"Enter a whole number{suffix}, with the digits 0 to 9 only")
    return int(text)


def uk_today() -> dt.date:
    """Today in the UK."""
    return dt.datetime.now(UK).date()


@dataclass(frozen=True)
class DateRule:
    """A date (or the UK date of a time) from 1 January 1900 to tomorrow in the UK for an event that has
    happened (tomorrow, not today, so that no clock or time zone near midnight refuses a true record);
    ``planned`` dates (aims, ends of memberships) may be up to 31 December 2099."""

    planned: bool = False

    def latest(self) -> dt.date:
        return LATEST_PLANNED_DATE if self.planned else uk_today() + dt.timedelta(days=1)

    def check(self, value: dt.date | dt.datetime) -> dt.date | dt.datetime:
        if isinstance(value, dt.datetime):
            day = value.astimezone(UK).date() if value.tzinfo is not None else value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            raise FieldProblem("Enter a date")
        if day < EARLIEST_DATE:
            raise FieldProblem(f"Enter a date on or after {_long(EARLIEST_DATE)}")
        latest = self.latest()
        if day > latest:
            if self.planned:
                raise FieldProblem(f"Enter a date on or before {_long(latest)}")
            raise FieldProblem(f"This date is in the future: enter a date on or before {_long(latest)}")
        return value


class DecimalRule:
    """A number with at most ``max_digits`` digits, ``places`` of them after the point."""

    def __init__(self, max_digits: int, places: int) -> None:
        self.max_digits, self.places = max_digits, places
        self.limit = decimal.Decimal(10) ** (max_digits - places)

    def check(self, value: object) -> object:
        try:
            number = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise FieldProblem("Enter a number") from None
        if not number.is_finite() or abs(number) >= self.limit:
            raise FieldProblem(f"Enter a number smaller than {self.limit:,}")
        return value


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


EVENT_DATE = DateRule()
PLANNED_DATE = DateRule(planned=True)
