"""NHS.UK's breadcrumb macro draws its top-level href/text as one more crumb after the items, so a
template that passed its parent both as the last item and as href/text showed it twice ("Patients >
Sarah Robinson > Sarah Robinson"). The last item already gives the back link on a phone."""

from __future__ import annotations

import re
from pathlib import Path

import rrp

TEMPLATES = sorted(Path(rrp.__file__).parent.rglob("*.jinja"))
BOTH = re.compile(r'breadcrumb\(\{"items": \[.*?\], "href"')


def test_no_breadcrumb_names_its_parent_twice() -> None:
    twice = [str(path) for path in TEMPLATES if BOTH.search(path.read_text())]
    assert TEMPLATES and not twice, f"items and a top-level href in: {twice}"
