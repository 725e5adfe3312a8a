"""Fail when line coverage falls below the gate: the whole of rrp, the SPC engine and every services module.

`make test COVERAGE=1` (which CI sets for its SQLite run) measures coverage with pytest-cov and then runs
this on the .coverage file it leaves. The writes of every app live in its ``services.py`` (audit in the
same transaction) and ``rrp.spc`` computes every chart: a branch there that no test runs is a clinical
record or a chart nobody has checked, so they have a higher bar than the rest.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "rrp"
WHOLE_MINIMUM = 85.0
GATED_MINIMUM = 90.0


def percent(statements: int, missing: int) -> float:
    return 100.0 * (statements - missing) / statements if statements else 100.0


def main() -> int:
    data_file = ROOT / ".coverage"
    if not data_file.exists():
        print(f"{data_file} is missing: run `make test COVERAGE=1` first", file=sys.stderr)
        return 2
    cov = coverage.Coverage(data_file=str(data_file), config_file=str(ROOT / "pyproject.toml"))
    cov.load()

    def lines(path: Path) -> tuple[int, int]:
        _name, statements, _excluded, missing, _text = cov.analysis2(str(path))
        return len(statements), len(missing)

    gated: list[tuple[str, int, int]] = []
    for path in sorted(SRC.glob("**/services.py")):
        gated.append((str(path.relative_to(ROOT)), *lines(path)))
    spc = [lines(path) for path in sorted((SRC / "spc").glob("*.py"))]
    gated.append(("rrp.spc (the package)", sum(s for s, _ in spc), sum(m for _, m in spc)))

    whole = cov.report(file=io.StringIO())

    failures = []
    print(f"line coverage: the whole of rrp {whole:.1f}% (at least {WHOLE_MINIMUM:.0f}%)")
    if whole < WHOLE_MINIMUM:
        failures.append(f"the whole of rrp is {whole:.1f}%, below {WHOLE_MINIMUM:.0f}%")
    for name, statements, missing in gated:
        covered = percent(statements, missing)
        print(f"  {covered:5.1f}%  {name}")
        if covered < GATED_MINIMUM:
            failures.append(f"{name} is {covered:.1f}%, below {GATED_MINIMUM:.0f}%")
    for failure in failures:
        print(f"coverage gate: {failure}", file=sys.stderr)
    if failures:
        print("Add tests for the lines `coverage report -m` lists as missing.", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
