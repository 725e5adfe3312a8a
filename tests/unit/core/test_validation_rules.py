"""The per-field rules (rrp.core.validation.rules and files): what each refuses and in which words."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rrp.core.validation.files import FileProblem, csv_rows, decode_text, read_text_file, refused_cells
from rrp.core.validation.rules import (
    EVENT_DATE,
    ID_RULE,
    PLANNED_DATE,
    FieldProblem,
    IntegerRule,
    TextRule,
    parse_whole_number,
    uk_today,
)


@pytest.mark.parametrize(
    ("value", "multiline", "message"),
    [
        ("a\x00b", True, "Remove a NUL character at character 2"),
        ("a\x1bb", True, "Remove the control character U+001B"),
        ("a\x85b", True, "U+0085"),
        ("a\ud800b", True, "not valid Unicode"),
        ("a\tb", False, "Enter this on one line: remove a tab at character 2"),
        ("a\nb", False, "remove a new line"),
        ("x" * 11, False, "Enter 10 characters or fewer (this has 11)"),
    ],
)
def test_text_rule_refuses_with_a_message(value, multiline, message):
    with pytest.raises(FieldProblem, match=re.escape(message)):
        TextRule(10, multiline=multiline).check(value)


def test_text_rule_keeps_tabs_and_new_lines_in_free_text_and_any_language():
    text = "Line one\r\n\tLine two — Zoë Ó Dónaill 李"
    assert TextRule(100, multiline=True).check(text) == text


@pytest.mark.parametrize("text", ["1_0", "١٠", "²", "1.0", "1e3", "", "ten", "9" * 30])
def test_whole_numbers_are_ascii_digits_only(text):
    with pytest.raises(FieldProblem, match="digits 0 to 9"):
        parse_whole_number(text)


def test_whole_numbers_read_signs_and_check_the_range():
    assert parse_whole_number(" -12 ") == -12
    assert IntegerRule(0, 100).parse("100") == 100
    with pytest.raises(FieldProblem, match="from 0 to 100"):
        IntegerRule(0, 100).parse("101")
    with pytest.raises(FieldProblem):
        ID_RULE.check(2**63)


def test_event_dates_run_from_1900_to_tomorrow_in_the_uk():
    tomorrow = uk_today() + dt.timedelta(days=1)
    assert EVENT_DATE.check(dt.date(1900, 1, 1)) and EVENT_DATE.check(tomorrow)
    with pytest.raises(FieldProblem, match="on or after 1 January 1900"):
        EVENT_DATE.check(dt.date(1899, 12, 31))
    with pytest.raises(FieldProblem, match="in the future"):
        EVENT_DATE.check(tomorrow + dt.timedelta(days=1))
    with pytest.raises(FieldProblem, match="in the future"):
        EVENT_DATE.check(dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    assert PLANNED_DATE.check(dt.date(2099, 12, 31))
    with pytest.raises(FieldProblem, match="31 December 2099"):
        PLANNED_DATE.check(dt.date(2100, 1, 1))


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ("a,b\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04rest", "zip file"),
        (b"a,b\x00c\n", "binary"),
        ("name\nZoë\n".encode("cp1252"), "Windows-1252"),
        (b"a\n\xff\xfe\xfd\n", "line 2 has the byte 0xFF"),
    ],
)
def test_decode_text_refuses_what_is_not_utf8_naming_it(data, found):
    with pytest.raises(FileProblem, match=found):
        decode_text(data)


def test_decode_text_reads_utf8_with_or_without_a_byte_order_mark():
    assert decode_text("Zoë,1\n".encode()) == decode_text("Zoë,1\n".encode("utf-8-sig")) == "Zoë,1\n"


def test_read_text_file_refuses_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(FileProblem, match="is a folder"):
        read_text_file(tmp_path)
    with pytest.raises(FileProblem, match="no file at"):
        read_text_file(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('a,b\n1,"open\n', "row 2: a quote"),
        ("a\n" + "x" * 200_000 + "\n", "row 2: a cell is longer than 131,072 characters"),
    ],
)
def test_csv_rows_name_the_row_of_a_broken_csv(text, message):
    with pytest.raises(FileProblem, match=message):
        list(csv_rows(text))


def test_refused_cells_name_row_and_cell():
    assert refused_cells("a,b\n1,x\x07y\n") == [(2, 1, "remove the control character U+0007 at character 2")]
    assert refused_cells("a,b\n1,2\n") == []
