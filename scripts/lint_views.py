"""Fail if a view reads a model directly instead of through a scoped selector.

Scoping by organisation must not depend on every view remembering it, so views may not use
`<Model>.objects` at all (breast-screening ADR-005 does the same).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PATTERN = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")


def main() -> int:
    root = Path(__file__).resolve().parent.parent / "src" / "rrp"
    problems = []
    for path in sorted(root.glob("*/views*.py")) + sorted(root.glob("*/views/*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if PATTERN.search(line):
                problems.append(
                    f"{path.relative_to(root.parent.parent)}:{number}: use a scoped selector, not {line.strip()}"
                )
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
