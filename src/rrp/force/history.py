"""What changed between two versions of an incident, field by field. Pure: works on the dictionaries
`IncidentVersion.content()` returns, so the history page and tests need no database for the diff."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


def version_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[FieldChange]:
    """Each field whose value differs, in `after`'s field order. A first version (before=None) shows
    every field that has a value. Lists (interventions, staff, checklists) compare as wholes."""
    before = before or {}
    changes = []
    for field, new in after.items():
        old = before.get(field)
        if old != new and not (field not in before and new in (None, "", [], {}, False)):
            changes.append(FieldChange(field=field, before=old, after=new))
    return changes
