"""Request and response shapes for the incidents API. Field names follow the incident record's own
(docs/use-of-force.md); codes are the MHSDS national codes.

Request fields carry the rules of the model fields they are stored in (``rrp.core.validation.schemas``):
text within its declared length and without control characters, ids within 64 bits, dates and times of
events from 1900 to tomorrow, read from ISO 8601 text only. The OpenAPI document shows each limit."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from rrp.core.validation.schemas import Id, declared_types
from rrp.force.models import Incident, IncidentVersion, InterventionRecord, StaffInvolvement

V = declared_types(IncidentVersion)
I = declared_types(InterventionRecord)  # noqa: E741  (short, like V: the field types read as V.place_on_ward)
S = declared_types(StaffInvolvement)
INC = declared_types(Incident)


class BodyIn(Schema):
    """A request body read strictly, as JSON means it: a yes-or-no is ``true`` or ``false`` (not ``0``,
    ``1`` or ``"yes"``) and a number is a number (not ``"12"``), so a client's mistake is a 422 naming the
    field rather than a guess stored in a legal record. Times and dates are ISO 8601 text (their own
    validators read them). Query strings are not bodies: their values are all text and stay lax."""

    model_config = ConfigDict(strict=True)


class InterventionIn(BodyIn):
    """One type of force: MHSDS RestrictiveIntType code (01, 04-17), start and end to the minute."""

    type_code: str = Field(..., examples=["01"])
    started_at: I.started_at
    ended_at: I.ended_at | None = None
    in_care_plan: bool | None = None


class StaffIn(BodyIn):
    """A member of staff who used force: `staff_member_id` from the roster, or a typed name and job title."""

    part: str = Field(..., examples=["head"])
    staff_member_id: Id | None = None
    name: S.name = ""
    job_title: S.job_title = ""


class IncidentContentIn(BodyIn):
    """The content of an incident version. Leave out what is not known yet: a draft may be incomplete."""

    reason_code: V.reason_code | None = None
    reason_text: V.reason_text | None = None
    place_on_ward: V.place_on_ward | None = None
    occurred_at: V.occurred_at | None = None
    ended_at: V.ended_at | None = None
    how_force_used: V.how_force_used | None = None
    outcome: V.outcome | None = None
    patient_died: bool | None = None
    patient_serious_injury: bool | None = None
    injury_patient: bool | None = None
    injury_staff: bool | None = None
    injury_others: bool | None = None
    abuse_alleged: bool | None = None
    police_requested_at: V.police_requested_at | None = None
    police_arrived_at: V.police_arrived_at | None = None
    police_used_force: bool | None = None
    non_staff_involved: bool | None = None
    non_staff_types: list[str] | None = None
    non_staff_reason: V.non_staff_reason | None = None
    deescalation: list[str] | None = None
    deescalation_text: V.deescalation_text | None = None
    care_plan_notification_sent: bool | None = None
    care_plan_notified_to: V.care_plan_notified_to | None = None
    care_plan_notified_at: V.care_plan_notified_at | None = None
    debrief_patient_offered: bool | None = None
    debrief_patient_held: bool | None = None
    debrief_patient_not_held_reason: V.debrief_patient_not_held_reason | None = None
    debrief_staff_held: bool | None = None
    debrief_carers_held: bool | None = None
    camera_references: V.camera_references | None = None
    negligible_force: bool | None = None
    negligible_force_justification: V.negligible_force_justification | None = None


class IncidentCreateIn(IncidentContentIn):
    """A new incident (saved as a draft, version 1)."""

    ward_id: Id
    patient_id: Id
    interventions: list[InterventionIn] = []
    staff: list[StaffIn] = []
    source_system: INC.source_system = ""
    source_id: INC.source_id = ""
    durations_confirmed: bool = Field(
        False,
        description="Set after a 422 that says a restraint is longer than its usual limit (prone over 10 "
        "minutes, any other restraint over 2 hours), to confirm the duration is right: it is saved and "
        "the incident is flagged for review.",
    )


class IncidentAmendIn(IncidentContentIn):
    """An amendment: only the fields sent change. `interventions` or `staff`, when sent, replace the
    lists; `reason` (why the record is being changed) is required."""

    reason: V.change_reason
    base_version: int = Field(
        ge=1,
        le=2**63 - 1,
        description="The version you read and are changing (`version` of GET /api/incidents/{id}). If "
        "another version has been saved since, the amendment is refused with 409 and nothing is saved: "
        "read the incident again and make your change on the latest version (decision 0018).",
    )
    interventions: list[InterventionIn] | None = None
    staff: list[StaffIn] | None = None
    durations_confirmed: bool = Field(
        False,
        description="Set after a 422 that says a restraint is longer than its usual limit (prone over 10 "
        "minutes, any other restraint over 2 hours), to confirm the duration is right: it is saved and "
        "the incident is flagged for review.",
    )


class PatientCorrectionIn(Schema):
    """Moving an incident recorded against the wrong patient to the right one (decision 0021)."""

    patient_id: Id = Field(description="The right patient: one of the incident's provider that you can see.")
    reason: V.change_reason
    base_version: int = Field(
        ge=1,
        le=2**63 - 1,
        description="The version you read (`version` of GET /api/incidents/{id}); 409 if another version has "
        "been saved since (decision 0018).",
    )


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


class PatientSnapshotOut(Schema):
    """The patient's characteristics when the incident happened, kept with the version (Use of Force Act
    s6(5)(j)-(l)); MHSDS codes, as ``force.services.patient_snapshot`` copies them from the patient."""

    primary_mental_disorder: str | None = None
    age: int | None = None
    sex: str | None = None
    gender_identity: str | None = None
    ethnic_category: str | None = None
    religion: str | None = None
    sexual_orientation: str | None = None
    disability: str | None = None
    pregnancy: str | None = None
    learning_disability: str | None = None
    autism: str | None = None
    legal_status: str | None = None


class IncidentContentOut(Schema):
    """The content of the latest version: every field of ``IncidentContentIn`` (null where a yes-or-no
    question or a time is not answered yet, empty text where nothing is written) and the patient's details
    at the time. A test holds these fields to the model's ``CONTENT_FIELDS``."""

    reason_code: str = Field(
        ..., description="MHSDS reason code (RestrictiveIntReason), empty if not yet given"
    )
    reason_text: str
    place_on_ward: str
    occurred_at: dt.datetime | None
    ended_at: dt.datetime | None
    how_force_used: str
    outcome: str
    patient_died: bool | None
    patient_serious_injury: bool | None
    injury_patient: bool | None
    injury_staff: bool | None
    injury_others: bool | None
    abuse_alleged: bool
    police_requested_at: dt.datetime | None
    police_arrived_at: dt.datetime | None
    police_used_force: bool | None
    non_staff_involved: bool | None
    non_staff_types: list[str]
    non_staff_reason: str
    deescalation: list[str]
    deescalation_text: str
    care_plan_notification_sent: bool | None
    care_plan_notified_to: str
    care_plan_notified_at: dt.datetime | None
    debrief_patient_offered: bool | None
    debrief_patient_held: bool | None
    debrief_patient_not_held_reason: str
    debrief_staff_held: bool | None
    debrief_carers_held: bool | None
    camera_references: str
    patient_snapshot: PatientSnapshotOut
    negligible_force: bool
    negligible_force_justification: str


class IncidentOut(IncidentSummaryOut):
    """An incident as its latest version says, with what the law still needs before it can be submitted."""

    recorded_at: dt.datetime
    change_reason: str
    content: IncidentContentOut
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
