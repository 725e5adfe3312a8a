"""scripts/lint_views.py: views read through scoped selectors and leave who may do what to
rrp.accounts.permissions."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("lint_views", ROOT / "scripts" / "lint_views.py")
lint_views = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lint_views)


def _tree(tmp_path: Path, source: str) -> Path:
    views = tmp_path / "src" / "rrp" / "things" / "views.py"
    views.parent.mkdir(parents=True)
    views.write_text(source)
    return tmp_path / "src" / "rrp"


def test_lint_views_passes_the_repository():
    assert lint_views.problems_in(ROOT / "src" / "rrp") == []


def test_lint_views_fails_a_view_defining_its_own_permission_check(tmp_path):
    root = _tree(
        tmp_path,
        "def require(request, permission):\n    pass\n\n"
        "def _can_record(request):\n    return True\n\n"
        "def _require_huddle(request):\n    pass\n\n"
        "def required_fields(form):\n    return []\n\n"
        "def scoped_ward(request, ward_id):\n    pass\n",
    )
    problems = lint_views.problems_in(root)
    assert [p.split(": ")[1].split("()")[0] for p in problems] == [
        "require",
        "_can_record",
        "_require_huddle",
    ]
    assert problems[0].startswith("src/rrp/things/views.py:1: ")


def test_lint_views_fails_a_view_reading_a_model(tmp_path):
    root = _tree(tmp_path, "def page(request):\n    return Ward.objects.all()\n")
    assert lint_views.problems_in(root) == [
        "src/rrp/things/views.py:2: use a scoped selector, not return Ward.objects.all()"
    ]
