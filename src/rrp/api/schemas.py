"""Request and response shapes for the incidents API. Field names follow the incident record's own
(docs/use-of-force.md); codes are the MHSDS national codes."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class InterventionIn(Schema):
    """One type of force: MHSDS RestrictiveIntType code (01, 04-17), start and end to the minute."""

    type_code: str = Field(..., examples=["01"])
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    in_care_plan: bool | None = None


class StaffIn(Schema):
    """A member of staff who used force: `staff_member_id` from the roster, or a typed name and job title."""

    part: str = Field(..., examples=["head"])
    staff_member_id: int | None = None
    name: str = ""
    job_title: str = ""


class IncidentContentIn(Schema):
    """The content of an incident version. Leave out what is not known yet: a draft may be incomplete."""

    reason_code: str | None = None
    reason_text: str | None = None
    place_on_ward: str | None = None
    occurred_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    how_force_used: str | None = None
    outcome: str | None = None
    patient_died: bool | None = None
    patient_serious_injury: bool | None = None
    injury_patient: bool | None = None
    injury_staff: bool | None = None
    injury_others: bool | None = None
    abuse_alleged: bool | None = None
    police_requested_at: dt.datetime | None = None
    police_arrived_at: dt.datetime | None = None
    police_used_force: bool | None = None
    non_staff_involved: bool | None = None
    non_staff_types: list[str] | None = None
    non_staff_reason: str | None = None
    deescalation: list[str] | None = None
    deescalation_text: str | None = None
    care_plan_notification_sent: bool | None = None
    care_plan_notified_to: str | None = None
    care_plan_notified_at: dt.datetime | None = None
    debrief_patient_offered: bool | None = None
    debrief_patient_held: bool | None = None
    debrief_patient_not_held_reason: str | None = None
    debrief_staff_held: bool | None = None
    debrief_carers_held: bool | None = None
    camera_references: str | None = None
    negligible_force: bool | None = None
    negligible_force_justification: str | None = None


class IncidentCreateIn(IncidentContentIn):
    """A new incident (saved as a draft, version 1)."""

    ward_id: int
    patient_id: int
    interventions: list[InterventionIn] = []
    staff: list[StaffIn] = []
    source_system: str = Field("", max_length=60)
    source_id: str = Field("", max_length=100)


class IncidentAmendIn(IncidentContentIn):
    """An amendment: only the fields sent change. `interventions` or `staff`, when sent, replace the
    lists; `reason` (why the record is being changed) is required."""

    reason: str
    interventions: list[InterventionIn] | None = None
    staff: list[StaffIn] | None = None


class InterventionOut(Schema):
    type_code: str
    type_label: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    duration_minutes: int | None
    in_care_plan: bool | None


class StaffOut(Schema):
    staff_member_id: int | None
    name: str
    job_title: str
    part: str


class IncidentSummaryOut(Schema):
    id: int
    ward_id: int
    ward_code: str
    patient_id: int
    status: str
    created_at: dt.datetime
    version: int
    occurred_at: dt.datetime | None
    intervention_types: list[str]
    source_system: str
    source_id: str


class IncidentOut(IncidentSummaryOut):
    """An incident as its latest version says, with what the law still needs before it can be submitted."""

    recorded_at: dt.datetime
    change_reason: str
    content: dict
    interventions: list[InterventionOut]
    staff: list[StaffOut]
    missing_statutory_items: list[str]


class IncidentPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[IncidentSummaryOut]


class ImportResult(Schema):
    """What an import did: incidents created, amended (a new version) and unchanged, and rows read."""

    rows: int
    created: int
    amended: int
    unchanged: int
