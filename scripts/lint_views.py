"""Fail if a view reads a model directly instead of through a scoped selector, or decides who may do
what with a check of its own.

Scoping by organisation must not depend on every view remembering it, so views may not use
`<Model>.objects` at all (breast-screening ADR-005 does the same). And who may do what is answered in
one place, `rrp.accounts.permissions` (decision 0012): a view module that defines its own `require...`
or `can_...` function (with or without a leading underscore) is a second copy of a rule waiting to drift.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

PATTERN = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")
OWN_PERMISSION_CHECK = re.compile(r"^_*(require(_\w+)?|can_\w+)$")


def view_modules(root: Path) -> list[Path]:
    return sorted(root.glob("*/views*.py")) + sorted(root.glob("*/views/*.py"))


def model_reads(path: Path, shown: Path) -> Iterator[str]:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if PATTERN.search(line):
            yield f"{shown}:{number}: use a scoped selector, not {line.strip()}"


def own_permission_checks(path: Path, shown: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and OWN_PERMISSION_CHECK.match(node.name):
            yield (
                f"{shown}:{node.lineno}: {node.name}() decides who may do what in a view; use "
                "rrp.accounts.permissions (has_permission, require_permission, @permission_required)"
            )


def problems_in(root: Path) -> list[str]:
    problems = []
    for path in view_modules(root):
        shown = path.relative_to(root.parent.parent)
        problems += [*model_reads(path, shown), *own_permission_checks(path, shown)]
    return problems


def main() -> int:
    problems = problems_in(Path(__file__).resolve().parent.parent / "src" / "rrp")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
