"""The starter change package is loaded by a migration (improvement 0007). SQLite does not enforce a
column's length, PostgreSQL does: a source address one character too long for its column failed the
migration on PostgreSQL only, so every starter value is checked against its field's limit here."""

from __future__ import annotations

import pytest

from rrp.improvement.change_package import STARTER_IDEAS
from rrp.improvement.models import ChangeIdea

FIELDS = ("title", "driver", "tags", "description", "source", "source_url")


@pytest.mark.parametrize("idea", STARTER_IDEAS, ids=lambda idea: idea[0])
def test_starter_idea_fits_its_columns(idea: tuple[str, ...]) -> None:
    for name, value in zip(FIELDS, idea, strict=True):
        limit = ChangeIdea._meta.get_field(name).max_length
        assert limit is None or len(value) <= limit, f"{name} is {len(value)} characters, limit {limit}"
