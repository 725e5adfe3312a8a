"""``rrp spc`` answers every bad input of issue 12 (What was seen 6) with exit status 2 and a message,
never a traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rrp.cli.spc import main

GOOD = "date,value\n" + "".join(f"2024-01-{d:02d},{d % 5}\n" for d in range(1, 21))


def run(tmp_path: Path, data: bytes, *extra: str, output: str | None = None) -> tuple[int, str]:
    source = tmp_path / "in.csv"
    source.write_bytes(data)
    out = output or str(tmp_path / "out.csv")
    return main(["xmr", "--input", str(source), "--output", out, *extra]), out


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"\n\n\n", "empty"),
        (b'date,value\n2024-01-01,"3\n2024-01-02,4\n', "never closed"),
        (b"\x00\x01\x02\x03binary\xff", "binary"),
        ("date,value\n2024-01-01,3\n".encode("utf-16"), "UTF-16"),
        ("date,value,note\n2024-01-01,3,café\n".encode("cp1252"), "not UTF-8"),
        (b"date,value\n" + b"2024-01-01,1e308\n" * 20, "too large"),
        (b"date,value\n" + b"2024-01-01,-1e308\n2024-01-02,1e308\n" * 10, "too large"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path, capsys, data, says):
    status, out = run(tmp_path, data)
    err = capsys.readouterr().err
    assert status == 2
    assert says in err and "Traceback" not in err
    assert not Path(out).exists()


def test_blank_lines_between_rows_are_skipped_or_named(tmp_path, capsys):
    status, _ = run(tmp_path, GOOD.replace("\n2024-01-05", "\n\n\n2024-01-05").encode())
    assert status in (0, 2)
    assert "Traceback" not in capsys.readouterr().err


def test_an_output_that_is_a_folder_exits_2(tmp_path, capsys):
    status, _ = run(tmp_path, GOOD.encode(), output=str(tmp_path))
    assert status == 2
    assert "is a folder" in capsys.readouterr().err


def test_an_input_that_is_a_folder_exits_2(tmp_path, capsys):
    status = main(["xmr", "--input", str(tmp_path), "--output", str(tmp_path / "o.csv")])
    assert status == 2
    assert "is a folder" in capsys.readouterr().err


def test_a_good_file_with_a_byte_order_mark_still_charts(tmp_path):
    status, out = run(tmp_path, GOOD.encode("utf-8-sig"))
    assert status == 0
    assert Path(out).read_text().startswith("group,date,value")
