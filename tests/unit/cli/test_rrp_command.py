"""The `rrp` console command maps its words onto management commands."""

from __future__ import annotations

import pytest

from rrp.cli.main import to_management_argv


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["import", "bed-days", "f.csv"], ["import_bed_days", "f.csv"]),
        (["demo-data", "--seed", "2"], ["demo_data", "--seed", "2"]),
        (["token", "create", "--user", "x"], ["token_create", "--user", "x"]),
        (["reviews", "due"], ["reviews_due"]),
        (["migrate"], ["migrate"]),
        ([], ["help"]),
    ],
)
def test_rrp_words_become_management_commands(argv, expected):
    assert to_management_argv(argv) == expected
