"""One CSV writer for every file RRP gives out, safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula is neutralised, following OWASP's rule for CSV
injection: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single
quote in front (``'=HYPERLINK(...)``), so Excel, LibreOffice and Google Sheets show it as text instead of
running it. Board summaries go to commissioners and boards, and the text in them (ward names, places,
staff names, group labels) is typed by many people, so no export may skip this (decision 0019).

Numbers written by RRP itself stay numbers: an ``int``, ``float`` or ``Decimal`` cell, and a text cell
that is a plain number (``-3``, ``+12%``, ``-0.25``, ``1.5e-3``) are written as they are. A plain number
cannot be a formula, so a signed figure such as a change of ``-12%`` still sorts and sums as a number.

Every export writes through :func:`write_csv` (to a file) or :func:`csv_text` (for a download); the web
layer's ``reports.views.downloads.csv_download`` sends the text as an attachment.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: A plain number as a spreadsheet reads it: sign, digits, decimals, exponent, an optional percent.
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")

Row = Mapping[str, Any] | Sequence[Any]


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as written: a number as it is, ``None`` as an empty
    cell, text that would start a formula with a single quote in front."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _cells(row: Row, header: Sequence[str] | None) -> list[Any]:
    if isinstance(row, Mapping):
        if header is None:
            raise ValueError("rows given as mappings need a header naming their columns")
        unknown = set(row) - set(header)
        if unknown:
            raise ValueError(f"row has columns not in the header: {sorted(unknown)}")
        return [safe_cell(row.get(name)) for name in header]
    return [safe_cell(value) for value in row]


class _Rows:
    """Rows written by a csv.writer ending in CRLF, given to ``handle`` with ``lineterminator`` instead.

    Python's writer quotes a cell holding a character of its own line terminator only, so with ``\n`` a
    cell holding a carriage return would go out unquoted and split the row in a spreadsheet. Writing with
    CRLF quotes both, and each row (one ``write`` a row) then ends as the caller asked."""

    def __init__(self, handle: IO[str], lineterminator: str) -> None:
        self.handle = handle
        self.lineterminator = lineterminator

    def write(self, row: str) -> int:
        return self.handle.write(row.removesuffix("\r\n") + self.lineterminator)


def write_csv(
    handle: IO[str], rows: Iterable[Row], *, header: Sequence[str] | None = None, lineterminator: str = "\r\n"
) -> int:
    """Write ``header`` (if given) then ``rows`` (mappings by column name, or sequences) to ``handle``,
    every cell through :func:`safe_cell`; a cell holding a new line or carriage return is quoted whatever
    ``lineterminator`` is. The header is RRP's own and written as it is. Returns the number of rows
    written, not counting the header."""
    writer = csv.writer(_Rows(handle, lineterminator), lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(_cells(row, header))
        count += 1
    return count


def csv_text(
    rows: Iterable[Row], *, header: Sequence[str] | None = None, lineterminator: str = "\r\n"
) -> str:
    """The CSV text of :func:`write_csv`, for a download."""
    buffer = io.StringIO()
    write_csv(buffer, rows, header=header, lineterminator=lineterminator)
    return buffer.getvalue()


__all__ = ["FORMULA_TRIGGERS", "csv_text", "safe_cell", "write_csv"]
