"""The ``rrp spc`` command line, called through ``rrp.cli.spc.main`` (no Django)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rrp.cli.spc import OUTPUT_COLUMNS, main

HEADER = "group,date,value,numerator,denominator,centre,lower_limit,upper_limit,lower_2sigma,upper_2sigma,period,special_cause,point_type"
MONTGOMERY = Path(__file__).resolve().parents[1] / "spc" / "data"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def weekly_csv(tmp_path: Path, n: int = 20, groups=("A",), missing_at: int | None = None) -> Path:
    rng = np.random.default_rng(1)
    lines = ["ward,date,value,num,den,goal"]
    for g in groups:
        for i in range(n):
            d = np.datetime64("2024-01-01") + np.timedelta64(7 * i, "D")
            v = "" if i == missing_at else str(int(rng.poisson(8)))
            lines.append(f"{g},{d},{v},{int(rng.poisson(8))},{int(rng.integers(600, 800))},5")
    return write(tmp_path / "in.csv", "\n".join(lines) + "\n")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_cli_xmr_writes_exact_columns_one_row_per_input_row(tmp_path):
    src = weekly_csv(tmp_path, groups=("B", "A"), missing_at=3)
    out = tmp_path / "out.csv"
    assert main(["xmr", "--input", str(src), "--output", str(out), "--group-column", "ward"]) == 0
    assert out.read_text().splitlines()[0] == HEADER
    assert HEADER.split(",") == OUTPUT_COLUMNS
    rows = read_rows(out)
    assert len(rows) == 40
    assert [r["group"] for r in rows] == ["B"] * 20 + ["A"] * 20
    assert rows[3]["value"] == "" and rows[3]["point_type"] == "" and rows[3]["special_cause"] == ""
    assert all(r["point_type"] for i, r in enumerate(rows) if i != 3 and i != 23)
    assert rows[0]["numerator"] == "" and rows[0]["period"] == "0"


def test_cli_summary_json_has_runs_and_icons(tmp_path):
    src = weekly_csv(tmp_path)
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    code = main(
        [
            "xmr",
            "--input",
            str(src),
            "--output",
            str(out),
            "--summary",
            str(summary),
            "--improvement",
            "increase",
            "--target",
            "100",
        ]
    )
    assert code == 0
    data = json.loads(summary.read_text())
    assert list(data[0]) == [
        "group",
        "period",
        "n",
        "centre",
        "lower_limit",
        "upper_limit",
        "variation",
        "assurance",
        "runs",
    ]
    assert list(data[0]["runs"]) == [
        "n_useful",
        "longest_run",
        "longest_run_max",
        "crossings",
        "crossings_min",
        "signal",
    ]
    assert data[0]["assurance"] == "consistent_fail"
    assert data[0]["n"] == 20


def test_cli_p_chart_reproduces_montgomery_example_7_1(tmp_path):
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    src = MONTGOMERY / "montgomery_ex7_1_orange_juice_p.csv"
    assert (
        main(
            [
                "p",
                "--input",
                str(src),
                "--output",
                str(out),
                "--summary",
                str(summary),
                "--profile",
                "qicharts2",
            ]
        )
        == 0
    )
    rows = read_rows(out)
    assert float(rows[0]["upper_limit"]) == pytest.approx(0.4102, abs=1e-4)
    assert rows[14]["special_cause"] == "above_upper_limit"
    assert rows[0]["numerator"] == "12" and rows[0]["denominator"] == "50"


def test_cli_rate_with_multiplier_and_rebase(tmp_path):
    src = weekly_csv(tmp_path, n=30)
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    code = main(
        [
            "u",
            "--input",
            str(src),
            "--output",
            str(out),
            "--summary",
            str(summary),
            "--numerator-column",
            "num",
            "--denominator-column",
            "den",
            "--multiplier",
            "1000",
            "--rebase",
            "2024-04-01",
            "--target-column",
            "goal",
            "--improvement",
            "decrease",
        ]
    )
    assert code == 0
    rows = read_rows(out)
    assert float(rows[0]["value"]) == pytest.approx(
        float(rows[0]["numerator"]) / float(rows[0]["denominator"]) * 1000
    )
    assert {r["period"] for r in rows} == {"0", "1"}
    assert [s["period"] for s in json.loads(summary.read_text())] == [0, 1]


def test_cli_funnel_without_date_column(tmp_path):
    src = write(
        tmp_path / "in.csv", "unit,events,days\na,10,1000\nb,50,5000\nc,200,20000\nd,30,1500\ne,5,2000\n"
    )
    out = tmp_path / "out.csv"
    code = main(
        [
            "funnel",
            "--input",
            str(src),
            "--output",
            str(out),
            "--group-column",
            "unit",
            "--numerator-column",
            "events",
            "--denominator-column",
            "days",
        ]
    )
    assert code == 0
    rows = read_rows(out)
    assert [r["group"] for r in rows] == list("abcde") and rows[0]["date"] == ""
    assert rows[3]["special_cause"] == "above_upper_limit"


@pytest.mark.parametrize(
    ("content", "args", "needle"),
    [
        ("date,value\n2024-01-01,1\n", ["--value-column", "count"], "column 'count' not found"),
        ("date,value\n2024-01-01,1\n2024-01-08,abc\n", [], "row 3, column 'value': 'abc' is not a number"),
        ("date,value\n2024-01-01,1\n2024-01-01,2\n", [], "rows 2 and 3, column 'date'"),
        ("date,value\n2024-01-01,1\nnot a date,2\n", [], "row 3, column 'date'"),
        ("date,value\n2024-01-01,1\n,2\n", [], "row 3, column 'date': the date is missing"),
    ],
)
def test_cli_bad_input_names_row_and_column_and_writes_nothing(tmp_path, capsys, content, args, needle):
    src = write(tmp_path / "in.csv", content)
    out, summary = tmp_path / "out.csv", tmp_path / "s.json"
    code = main(["xmr", "--input", str(src), "--output", str(out), "--summary", str(summary), *args])
    assert code == 2
    assert needle in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [src]


def test_cli_zero_denominator_rejected(tmp_path, capsys):
    src = write(tmp_path / "in.csv", "date,numerator,denominator\n2024-01-01,1,10\n2024-01-08,1,0\n")
    out = tmp_path / "out.csv"
    assert main(["u", "--input", str(src), "--output", str(out)]) == 2
    assert "row 3, column 'denominator': the denominator must be greater than zero" in capsys.readouterr().err
    assert not out.exists()


def test_cli_unknown_option_exit_2(tmp_path, capsys):
    src = weekly_csv(tmp_path)
    out = tmp_path / "out.csv"
    assert main(["xmr", "--input", str(src), "--output", str(out), "--colour", "red"]) == 2
    assert "unrecognized arguments: --colour" in capsys.readouterr().err
    assert not out.exists()


def test_cli_unknown_chart_exit_2(tmp_path):
    src = weekly_csv(tmp_path)
    assert main(["pie", "--input", str(src), "--output", str(tmp_path / "o.csv")]) == 2


def test_cli_baseline_under_12_for_xmr_rejected(tmp_path, capsys):
    src = weekly_csv(tmp_path)
    assert (
        main(["xmr", "--input", str(src), "--output", str(tmp_path / "o.csv"), "--baseline-points", "6"]) == 2
    )
    assert "at least 12" in capsys.readouterr().err


def test_cli_existing_output_untouched_on_error(tmp_path):
    src = write(tmp_path / "in.csv", "date,value\n2024-01-01,x\n")
    out = write(tmp_path / "out.csv", "keep me\n")
    assert main(["xmr", "--input", str(src), "--output", str(out)]) == 2
    assert out.read_text() == "keep me\n"


def test_cli_chart_output_svg(tmp_path):
    src = weekly_csv(tmp_path, groups=("A", "B"))
    out, svg = tmp_path / "out.csv", tmp_path / "c.svg"
    assert (
        main(
            [
                "xmr",
                "--input",
                str(src),
                "--output",
                str(out),
                "--group-column",
                "ward",
                "--chart-output",
                str(svg),
            ]
        )
        == 0
    )
    text = svg.read_text()
    assert text.startswith("<svg") and "A" in text


def test_cli_chart_output_bad_suffix(tmp_path):
    src = weekly_csv(tmp_path)
    assert (
        main(
            [
                "xmr",
                "--input",
                str(src),
                "--output",
                str(tmp_path / "o.csv"),
                "--chart-output",
                str(tmp_path / "c.jpg"),
            ]
        )
        == 2
    )
    assert not (tmp_path / "o.csv").exists()


def test_cli_module_runs_without_django(tmp_path):
    src = weekly_csv(tmp_path)
    out = tmp_path / "out.csv"
    code = (
        "import sys, rrp.cli.spc as m; rc = m.main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'django imported'; raise SystemExit(rc)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "xmr", "--input", str(src), "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith(HEADER)


def test_cli_output_neutralises_a_formula_in_a_group_label(tmp_path):
    """A group label from the input file is written back; one that a spreadsheet would run as a formula
    gets a quote in front (core.csv_export), and the figures stay numbers (issue 12, What was seen 5)."""
    src = weekly_csv(tmp_path, groups=('=HYPERLINK("http://example.invalid")', "-1+1"))
    out = tmp_path / "out.csv"
    assert main(["xmr", "--input", str(src), "--output", str(out), "--group-column", "ward"]) == 0
    rows = read_rows(out)
    assert {r["group"] for r in rows} == {'\'=HYPERLINK("http://example.invalid")', "'-1+1"}
    assert float(rows[0]["value"]) >= 0 and not rows[0]["centre"].startswith("'")
