"""The yes/no debrief answers (offered to and held with the patient, why not, held with staff, held with
carers), derived from the debrief records (decision 0061).

The debrief records (``force.models.Debrief``, issue 15) are the source of truth: where an incident has a
record of a kind, its answers come from the current record of that kind. The yes/no fields on the
incident's versions are never rewritten (a version is clinical history: decision 0003); they are read
only where no record of that kind exists, which is how incidents recorded before the debrief records
keep their answers. Readers (the closing checklist, the follow-ups still owed, the MHSDS export) ask
here, never the version's fields directly, so the two cannot disagree on a page or in a return.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rrp.force.codes import DebriefKind
from rrp.force.models import Debrief, IncidentVersion


@dataclass(frozen=True)
class DebriefAnswers:
    """An incident's debrief answers; ``recorded`` names the kinds answered by a debrief record (the
    others are the version's own yes/no answers, from before the records, or None)."""

    patient_offered: bool | None
    patient_held: bool | None
    patient_not_held_reason: str
    staff_held: bool | None
    carers_held: bool | None
    recorded: frozenset[str]


Row = tuple[object, object, str]  # offered_at, held_at, not_held_reason of a kind's current record


def _answers(version: IncidentVersion, records: dict[str, Row]) -> DebriefAnswers:
    patient = records.get(DebriefKind.PATIENT)
    if patient is not None:
        offered_at, held_at, reason = patient
        patient_offered, patient_held = offered_at is not None or held_at is not None, held_at is not None
        patient_reason = reason
    else:
        patient_offered, patient_held = version.debrief_patient_offered, version.debrief_patient_held
        patient_reason = version.debrief_patient_not_held_reason
    staff, carers = records.get(DebriefKind.STAFF), records.get(DebriefKind.CARER)
    return DebriefAnswers(
        patient_offered=patient_offered,
        patient_held=patient_held,
        patient_not_held_reason=patient_reason or "",
        staff_held=staff[1] is not None if staff is not None else version.debrief_staff_held,
        carers_held=carers[1] is not None if carers is not None else version.debrief_carers_held,
        recorded=frozenset(records),
    )


def debrief_answers(versions: Iterable[IncidentVersion]) -> dict[int, DebriefAnswers]:
    """Each version's incident's debrief answers, keyed by incident id: one query for the records of all
    of them, however many (the current record of each kind is its latest row)."""
    versions = list(versions)
    records: dict[int, dict[str, Row]] = {v.incident_id: {} for v in versions}
    rows = (
        Debrief.objects.filter(incident_id__in=list(records))
        .order_by("incident_id", "id")
        .values_list("incident_id", "kind", "offered_at", "held_at", "not_held_reason")
    )
    for incident_id, kind, offered_at, held_at, reason in rows:
        records[incident_id][kind] = (offered_at, held_at, reason)
    return {v.incident_id: _answers(v, records[v.incident_id]) for v in versions}
