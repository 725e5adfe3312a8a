"""Shared pieces of every CSV import: reading the file and reporting each bad cell.

Imports are all-or-nothing: every row is checked first, every problem is reported with its row,
column, value and reason, and nothing is saved unless the whole file is good.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError


@dataclass(frozen=True)
class CellError:
    """One problem in an import file. Row 1 is the header, so the first data row is row 2."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = f" (value {self.value!r})" if self.value != "" else ""
        return f"Row {self.row}, column {self.column}{value}: {self.reason}"


class ImportRejected(Exception):
    """The file had problems; nothing was saved."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file; nothing was saved.")


def read_csv_rows(
    source: Path | str | IO[str], *, required_columns: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, row) for each data row, after checking the header has every column."""
    if isinstance(source, (str, Path)):
        text = Path(source).read_text(encoding="utf-8-sig")
        handle: IO[str] = io.StringIO(text)
    else:
        handle = source
    reader = csv.DictReader(handle)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required_columns if c not in header]
    if missing:
        raise ImportRejected(
            [
                CellError(
                    1, c, "", f"the header has no column named {c}; expected {', '.join(required_columns)}"
                )
                for c in missing
            ]
        )
    reader.fieldnames = header
    for number, row in enumerate(reader, start=2):
        yield number, {k: (v or "").strip() for k, v in row.items() if k is not None}


def rejection_error(command: BaseCommand, rejected: ImportRejected) -> CommandError:
    """Write every problem of a rejected file to the command's stderr, and the error to raise."""
    for error in rejected.errors:
        command.stderr.write(str(error))
    return CommandError(f"{len(rejected.errors)} problem(s) found; nothing was imported.")
