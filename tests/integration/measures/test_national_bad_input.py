"""The national MHSDS import refuses what it used to crash on or accept (issue 12, What was seen 6)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rrp.core.csv_import import ImportRejected
from rrp.measures.models import NationalProviderMonth
from rrp.measures.services import national_figures_import


def _import(folder, name: str, data: bytes):
    (folder / name).write_bytes(data)
    return national_figures_import(directory=folder, by=None)


@pytest.mark.parametrize("value", ["1" + "0" * 26, "١٠", "²", "1_0"])
def test_a_figure_out_of_range_or_not_ascii_digits_is_refused(db, tmp_path, value):
    with pytest.raises(ImportRejected) as rejected:
        _import(tmp_path, "rstr01_Sep_2021.csv", f"01/09/2021,A TRUST,MHS76,{value}\n".encode())
    assert [e.column for e in rejected.value.errors] == ["4 (value)"]
    assert not NationalProviderMonth.objects.exists()


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"", "no rows"),
        (b"\n\n", "no rows"),
        ("01/09/2021,ZOË TRUST,MHS76,5\n".encode("cp1252"), "not UTF-8"),
        (b"PK\x03\x04\x00\x00", "zip file"),
        (b'01/09/2021,"A TRUST,MHS76,5\n', "never closed"),
        (b"01/09/2021,A\x1bTRUST,MHS76,5\n", "U+001B"),
    ],
)
def test_a_file_that_cannot_be_read_or_is_empty_is_refused(db, tmp_path, data, found):
    with pytest.raises(ImportRejected) as rejected:
        _import(tmp_path, "rstr01_Sep_2021.csv", data)
    assert found in " ".join(str(e) for e in rejected.value.errors)


def test_a_folder_named_like_a_file_is_refused(db, tmp_path):
    (tmp_path / "rstr01_Sep_2021.csv").mkdir()
    with pytest.raises(ImportRejected, match="1 problem") as rejected:
        national_figures_import(directory=tmp_path, by=None)
    assert "is a folder" in str(rejected.value.errors[0])


def test_the_command_given_a_file_instead_of_a_folder_exits_2(db, tmp_path, capsys):
    path = tmp_path / "rstr01_Sep_2021.csv"
    path.write_text("01/09/2021,A TRUST,MHS76,5\n")
    with pytest.raises(CommandError) as failed:
        call_command("import_mhsds_provider_monthly", str(path))
    assert failed.value.returncode == 2
