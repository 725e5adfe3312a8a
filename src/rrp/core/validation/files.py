"""Reading files people give RRP: UTF-8 text or a clear refusal, and CSV rows or a clear refusal.

Every import (incidents, bed days, national figures) and ``rrp spc`` reads its file through here, so a
file in another encoding, a binary file, a folder or a broken CSV gets the same plain answer instead of a
traceback. The decision (docs/decisions/0012-one-validation-of-every-field.md): files are UTF-8, with or
without the byte order mark Excel's "CSV UTF-8" writes; anything else is refused naming what was found
and how to save it as UTF-8, never guessed (a wrong guess would store wrong names silently).

No Django here: ``rrp spc`` uses it without starting Django.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

from rrp.core.validation.rules import NEVER_ALLOWED, character_name

#: Python's CSV reader refuses longer cells; RRP's longest field (free text) is well under it.
CSV_FIELD_LIMIT = csv.field_size_limit()
SAVE_AS_UTF8 = "save it as CSV UTF-8 (in Excel: File, Save As, 'CSV UTF-8 (Comma delimited)')"

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SIGNATURES = (
    (b"PK\x03\x04", "a zip file, such as an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or other Office file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
)


class FileProblem(ValueError):
    """A file that cannot be read as the text or CSV asked for. ``row`` is the CSV row (1 = the first
    line) when the problem is in one row, else 0."""

    def __init__(self, message: str, *, row: int = 0) -> None:
        super().__init__(message)
        self.row = row


def decode_text(data: bytes) -> str:
    """The text of a file's bytes, which must be UTF-8 (a leading byte order mark is dropped).

    Raises FileProblem saying what the file looks like instead: UTF-16 or UTF-32, a workbook or other
    binary file, or text in another encoding (with the line and byte where it stops being UTF-8)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise FileProblem(f"the file is {name} text, not UTF-8: {SAVE_AS_UTF8}")
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            raise FileProblem(f"the file is {name}, not a CSV text file: {SAVE_AS_UTF8}")
    if b"\x00" in data[:65536]:
        raise FileProblem(f"the file is binary (it has NUL bytes), not a CSV text file: {SAVE_AS_UTF8}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = data.count(b"\n", 0, bad.start) + 1
        byte = data[bad.start]
        guess = ""
        try:
            data.decode("cp1252")
            guess = " It looks like Windows-1252 text (what Excel's plain 'CSV' writes)."
        except UnicodeDecodeError:
            pass
        raise FileProblem(
            f"the file is not UTF-8 text: line {line} has the byte 0x{byte:02X}, which UTF-8 does not "
            f"allow there.{guess} Please {SAVE_AS_UTF8}",
            row=line,
        ) from None


def read_text_file(path: Path | str) -> str:
    """The UTF-8 text of the file at ``path`` (see ``decode_text``); FileProblem if it is missing, a
    folder, unreadable or not UTF-8."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"no file at {path}") from None
    except IsADirectoryError:
        raise FileProblem(f"{path} is a folder, not a file: give the path of a CSV file") from None
    except PermissionError:
        raise FileProblem(f"{path} cannot be read (permission denied)") from None
    except OSError as error:
        raise FileProblem(f"{path} cannot be read ({error.strerror or error})") from None
    return decode_text(data)


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for each row of CSV text (row 1 is the first line), strictly parsed.

    A quote left open, a cell longer than the reader allows or a quote in the wrong place raises
    FileProblem naming the row rather than Python's csv.Error."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileProblem(csv_error_message(error, number + 1), row=number + 1) from None
        number += 1
        yield number, cells


def csv_error_message(error: csv.Error, row: int) -> str:
    """A csv.Error in the words of a person editing a spreadsheet."""
    text = str(error)
    if "field larger than field limit" in text:
        return f"row {row}: a cell is longer than {CSV_FIELD_LIMIT:,} characters"
    if "unexpected end of data" in text or "EOF" in text:
        return f'row {row}: a quote (") opens a cell that is never closed'
    if "expected after" in text:
        return f'row {row}: a quote (") ends a cell but more text follows it in the same cell'
    return f"row {row}: this is not a valid CSV row ({text})"


def refused_cells(text: str, limit: int = 50) -> list[tuple[int, int, str]]:
    """(row, cell index from 0, message) for each CSV cell holding a character no field may hold, up to
    ``limit``. A good file costs one search of the whole text in C; only a bad one is parsed again."""
    if NEVER_ALLOWED.search(text) is None:
        return []
    found: list[tuple[int, int, str]] = []
    try:
        for row, cells in csv_rows(text):
            for index, cell in enumerate(cells):
                bad = NEVER_ALLOWED.search(cell)
                if bad is not None:
                    found.append(
                        (row, index, f"remove {character_name(bad.group())} at character {bad.start() + 1:,}")
                    )
                    if len(found) >= limit:
                        return found
    except FileProblem:
        pass  # the CSV problem itself is reported by the reader
    return found
