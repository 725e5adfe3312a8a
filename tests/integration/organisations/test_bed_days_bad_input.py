"""The bed-days import refuses what it used to guess at or crash on (issue 12, What was seen 6)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rrp.core.csv_import import ImportRejected
from rrp.organisations.models import MonthlyBedDays
from rrp.organisations.services import bed_days_import

HEADER = "ward_code,month,occupied_bed_days"


def _import(tmp_path, data: bytes):
    path = tmp_path / "bed-days.csv"
    path.write_bytes(data)
    return bed_days_import(source=path, by=None)


@pytest.mark.parametrize("value", ["1_0", "١٠", "²", "10.0", " 1 0 ", "99999999999999999999999"])
def test_a_bed_days_figure_must_be_ascii_digits(world, tmp_path, value):
    code = world.wards["a1"].code
    with pytest.raises(ImportRejected) as rejected:
        _import(tmp_path, f"{HEADER}\n{code},2025-01,{value}\n".encode())
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "occupied_bed_days")]
    assert not MonthlyBedDays.objects.exists()


def test_an_extra_column_is_refused_not_ignored(world, tmp_path):
    code = world.wards["a1"].code
    with pytest.raises(ImportRejected) as rejected:
        _import(tmp_path, f"{HEADER},notes\n{code},2025-01,10,hello\n".encode())
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, "notes")]


def test_a_row_with_more_cells_than_the_header_is_refused(world, tmp_path):
    code = world.wards["a1"].code
    with pytest.raises(ImportRejected, match="1 problem") as rejected:
        _import(tmp_path, f"{HEADER}\n{code},2025-01,10,surprise\n".encode())
    assert "has 4 cells" in str(rejected.value.errors[0])


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (f"{HEADER}\nWÄRD,2025-01,10\n".encode("cp1252"), "not UTF-8"),
        (f"{HEADER}\n".encode("utf-16"), "UTF-16"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"", "no rows"),
        (f"{HEADER}\n".encode(), "no rows"),
        (f'{HEADER}\n"A1,2025-01,10\n'.encode(), "never closed"),
        (f"{HEADER}\nA\x001,2025-01,10\n".encode(), "NUL"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_clearly(world, tmp_path, data, found):
    with pytest.raises(ImportRejected) as rejected:
        _import(tmp_path, data)
    assert found in " ".join(str(e) for e in rejected.value.errors)


def test_a_utf8_file_with_a_byte_order_mark_is_read(world, tmp_path):
    code = world.wards["a1"].code
    assert _import(tmp_path, f"{HEADER}\n{code},2025-01,10\n".encode("utf-8-sig"))["created"] == 1


def test_the_command_given_a_folder_exits_2_with_a_message(world, tmp_path, capsys):
    with pytest.raises(CommandError) as failed:
        call_command("import_bed_days", str(tmp_path))
    assert failed.value.returncode == 2
    assert "is a folder" in str(failed.value) + capsys.readouterr().err


def test_the_command_given_a_bad_file_exits_2(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\xff\xfe\x00\x00")
    with pytest.raises(CommandError) as failed:
        call_command("import_bed_days", str(path))
    assert failed.value.returncode == 2
