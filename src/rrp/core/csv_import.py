"""Shared pieces of every CSV import: reading the file and reporting each bad cell.

Imports are all-or-nothing: every row is checked first, every problem is reported with its row,
column, value and reason, and nothing is saved unless the whole file is good. Files are read through
``rrp.core.validation.files`` (UTF-8 with or without a byte order mark, or a clear refusal; a broken CSV
row named, not a traceback), and a cell holding a control character is reported by row and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError

from rrp.core.validation.cli import bad_input
from rrp.core.validation.files import FileProblem, csv_rows, read_text_file, refused_cells

#: The column of a problem with the whole file (its encoding, or its being a folder) or a whole row.
FILE_COLUMN = "(file)"
ROW_COLUMN = "(row)"


@dataclass(frozen=True)
class CellError:
    """One problem in an import file. Row 1 is the header, so the first data row is row 2."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        if self.column == FILE_COLUMN:
            return self.reason[:1].upper() + self.reason[1:]
        if self.column == ROW_COLUMN:
            return f"Row {self.row}: {self.reason}"
        value = f" (value {self.value!r})" if self.value != "" else ""
        return f"Row {self.row}, column {self.column}{value}: {self.reason}"


class ImportRejected(Exception):
    """The file had problems; nothing was saved."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was saved.")


def file_rejected(problem: FileProblem) -> ImportRejected:
    """A file that could not be read at all, as an import rejection."""
    if problem.row:
        return ImportRejected(
            [CellError(problem.row, ROW_COLUMN, "", str(problem).removeprefix(f"row {problem.row}: "))]
        )
    return ImportRejected([CellError(0, FILE_COLUMN, "", str(problem))])


def import_text(source: Path | str | IO[str]) -> str:
    """The text of an import file (a path, read as UTF-8, or an open text stream); ImportRejected if the
    file is missing, a folder, not UTF-8 or binary."""
    if isinstance(source, (str, Path)):
        try:
            return read_text_file(source)
        except FileProblem as problem:
            raise file_rejected(problem) from None
    return source.read()


def control_character_errors(text: str, header: list[str]) -> list[CellError]:
    """A CellError for each cell holding a character no field may hold (none for a good file, in one
    search of the text)."""
    return [
        CellError(row, header[index] if index < len(header) else f"cell {index + 1}", "", reason)
        for row, index, reason in refused_cells(text)
    ]


def read_csv_rows(
    source: Path | str | IO[str], *, required_columns: list[str], allowed_columns: list[str] | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, row) for each data row, after checking the header has every required column
    and no column outside ``allowed_columns`` (the required ones if not given).

    Raises ImportRejected for an unreadable file, a bad header, a row with more cells than the header,
    a cell with a control character, or a file with no data rows."""
    text = import_text(source)
    rows = csv_rows(text)
    try:
        _, first = next(rows, (1, []))
        if not any(cell.strip() for cell in first):
            raise ImportRejected(
                [
                    CellError(
                        1,
                        ROW_COLUMN,
                        "",
                        f"the file has no rows: start with the header {','.join(required_columns)}",
                    )
                ]
            )
        header = [h.strip().lstrip("\ufeff") for h in first]
        allowed = allowed_columns or required_columns
        problems = [
            CellError(1, c, "", f"the header has no column named {c}; expected {', '.join(required_columns)}")
            for c in required_columns
            if c not in header
        ] + [
            CellError(1, c, "", f"this column is not one the import reads ({', '.join(allowed)})")
            for c in header
            if c not in allowed
        ]
        problems += control_character_errors(text, header)
        if problems:
            raise ImportRejected(problems)
        seen = 0
        for number, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise ImportRejected(
                    [
                        CellError(
                            number,
                            ROW_COLUMN,
                            "",
                            f"this row has {len(cells)} cells; the header has {len(header)}",
                        )
                    ]
                )
            seen += 1
            yield (
                number,
                {name: (cells[i] if i < len(cells) else "").strip() for i, name in enumerate(header)},
            )
        if not seen:
            raise ImportRejected(
                [CellError(2, ROW_COLUMN, "", "the file has no rows of data under its header")]
            )
    except FileProblem as problem:
        raise file_rejected(problem) from None


def rejection_error(command: BaseCommand, rejected: ImportRejected) -> CommandError:
    """Write every problem of a rejected file to the command's stderr, and the error to raise (exit
    status 2, bad input)."""
    if len(rejected.errors) == 1 and rejected.errors[0].column == FILE_COLUMN:
        return bad_input(str(rejected.errors[0]))
    for error in rejected.errors:
        command.stderr.write(str(error))
    return bad_input(f"{len(rejected.errors)} problem(s) found; nothing was imported.")
