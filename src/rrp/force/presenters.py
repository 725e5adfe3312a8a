"""Display formatting for the use-of-force pages: labels, yes/no, times, the error summary, and where each
missing statutory item is answered on the form. No database access, no rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms

from rrp.core.formatting import long_date, long_date_time
from rrp.force.codes import (
    CqcReason,
    DeEscalation,
    IncidentFlagKind,
    IncidentStatus,
    InterventionReason,
    InterventionType,
    NonStaffPersonType,
    StaffPart,
)
from rrp.force.history import FieldChange
from rrp.force.models import BOOLEAN_CONTENT_FIELDS

FIELD_LABELS: dict[str, str] = {
    "reason_code": "Reason",
    "reason_text": "What led to force being used",
    "place_on_ward": "Where on the ward",
    "occurred_at": "Started",
    "ended_at": "Ended",
    "how_force_used": "How force was used",
    "outcome": "Outcome",
    "patient_died": "Patient died",
    "patient_serious_injury": "Patient seriously injured",
    "injury_patient": "Patient injured",
    "injury_staff": "Staff injured",
    "injury_others": "Others injured",
    "abuse_alleged": "Allegation of abuse",
    "police_requested_at": "Police asked to help",
    "police_arrived_at": "Police arrived",
    "police_used_force": "Police used force",
    "non_staff_involved": "People not on the unit's staff involved",
    "non_staff_types": "Who they were",
    "non_staff_reason": "Why they were involved",
    "deescalation": "Tried to avoid force",
    "deescalation_text": "Anything else tried",
    "care_plan_notification_sent": "Care-plan notification sent",
    "care_plan_notified_to": "Sent to",
    "care_plan_notified_at": "Sent at",
    "debrief_patient_offered": "Debrief offered to the patient",
    "debrief_patient_held": "Debrief held with the patient",
    "debrief_patient_not_held_reason": "Why no debrief with the patient",
    "debrief_staff_held": "Debrief held with staff",
    "debrief_carers_held": "Debrief held with carers or family",
    "camera_references": "Body-worn camera or CCTV",
    "patient_snapshot": "Patient details at the time",
    "negligible_force": "Negligible force",
    "negligible_force_justification": "Why the force was negligible",
    "interventions": "Types of force",
    "staff": "Staff who used force",
}

# Where on the record form each s6(5) item is answered, so the error summary can link to it.
ITEM_ANCHORS: dict[str, str] = {
    "a": "id_reason_code",
    "b": "id_place_on_ward",
    "c": "id_iv-0-type_code",
    "d": "id_iv-0-in_care_plan",
    "e": "patient-details",
    "f": "id_how_force_used",
    "g": "patient-details",
    "h": "staff",
    "i": "id_non_staff_involved",
    "j": "patient-details",
    "k": "patient-details",
    "l": "patient-details",
    "m": "id_outcome",
    "n": "id_patient_died",
    "o": "id_deescalation",
    "p": "id_care_plan_notification_sent",
}

STATUS_TAG_COLOURS: dict[str, str] = {
    IncidentStatus.DRAFT: "grey",
    IncidentStatus.SUBMITTED: "blue",
    IncidentStatus.SENT_BACK: "orange",
    IncidentStatus.REVIEWED: "green",
    IncidentStatus.CLOSED: "white",
}


def yes_no(value: bool | None) -> str:
    return "Not answered" if value is None else ("Yes" if value else "No")


def when(value: dt.datetime | None) -> str:
    """A time as the ward says it: 1 March 2026, 14:05 (in UK time)."""
    if value is None:
        return "Not recorded"
    return long_date_time(value)


def status_label(status: str) -> str:
    return IncidentStatus(status).label if status in IncidentStatus.values else status


def status_tag(status: str) -> dict[str, str]:
    """Parameters for the NHS.UK tag showing an incident's status."""
    return {"text": status_label(status), "classes": f"nhsuk-tag--{STATUS_TAG_COLOURS.get(status, 'grey')}"}


def labels(values: Iterable[str], choices: type) -> str:
    texts = [choices(v).label if v in choices.values else v for v in values or []]
    return "; ".join(texts) if texts else "None"


def reason_label(code: str) -> str:
    return (
        f"{code}: {InterventionReason(code).label}" if code in InterventionReason.values else "Not recorded"
    )


def type_label(code: str) -> str:
    return f"{code}: {InterventionType(code).label}" if code in InterventionType.values else code


def part_label(part: str) -> str:
    return StaffPart(part).label if part in StaffPart.values else part


def flag_label(kind: str) -> str:
    return IncidentFlagKind(kind).label if kind in IncidentFlagKind.values else kind


def cqc_reasons_label(reasons: Iterable[str]) -> str:
    return labels(reasons, CqcReason)


def duration(minutes: int | None) -> str:
    if minutes is None:
        return "Not ended"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def display_value(field: str, value: Any) -> str:
    """One content field's value as plain words, for the incident page and the history."""
    if field == "reason_code":
        return reason_label(value)
    if field == "deescalation":
        return labels(value, DeEscalation)
    if field == "non_staff_types":
        return labels(value, NonStaffPersonType)
    if field == "interventions":
        return (
            "; ".join(
                f"{type_label(code)}, {when(start)} to {when(end) if end else 'not ended'}, "
                f"care plan: {yes_no(plan).lower()}"
                for code, start, end, plan in value or []
            )
            or "None"
        )
    if field == "staff":
        return (
            "; ".join(
                f"{name}, {title or 'no job title'} ({part_label(part)})"
                for _id, name, title, part in value or []
            )
            or "None"
        )
    if field == "patient_snapshot":
        return (
            ", ".join(
                f"{k.replace('_', ' ')}: {v if v not in (None, '') else 'not known'}"
                for k, v in (value or {}).items()
            )
            or "None"
        )
    if isinstance(value, bool) or (value is None and field in BOOLEAN_FIELDS):
        return yes_no(value)
    if isinstance(value, dt.datetime):
        return when(value)
    if value in (None, ""):
        return "Not recorded"
    return str(value)


BOOLEAN_FIELDS = frozenset(BOOLEAN_CONTENT_FIELDS)


def conflict_rows(
    started: Mapping[str, Any], theirs: Mapping[str, Any], yours: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The reconcile table after a save refused as stale (decision 0018): one row per field someone else
    changed since the person started (`started` -> `theirs`, contents as `IncidentVersion.content()`
    gives them), with what the person entered (`yours`, the same shape) beside it; `both` marks a
    field both changed, where the person has to choose."""
    rows = []
    for name, value in theirs.items():
        before, after = display_value(name, started.get(name)), display_value(name, value)
        if before == after:
            continue
        mine = display_value(name, yours[name]) if name in yours else before
        rows.append(
            {
                "name": name,
                "field": FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                "started": before,
                "theirs": after,
                "yours": mine,
                "both": mine not in (before, after),
            }
        )
    for row in rows:
        row["cells"] = [
            row["field"],
            row["started"],
            row["theirs"],
            f"{row['yours']} (both changed)" if row["both"] else row["yours"],
        ]
    return rows


def change_rows(changes: Iterable[FieldChange]) -> list[dict[str, str]]:
    """The history table's rows: field, before, after, in plain words."""
    return [
        {
            "field": FIELD_LABELS.get(change.field, change.field.replace("_", " ").capitalize()),
            "before": display_value(change.field, change.before),
            "after": display_value(change.field, change.after),
        }
        for change in changes
    ]


def summary_rows(version: Any, fields: Iterable[str]) -> list[dict[str, Any]]:
    """Rows for an NHS.UK summary list of some of a version's content fields."""
    return [
        {"key": {"text": FIELD_LABELS[name]}, "value": {"text": display_value(name, getattr(version, name))}}
        for name in fields
    ]


def missing_item_links(items: Iterable[str]) -> list[dict[str, str]]:
    """Error-summary entries for missing s6(5) items, each linking to where it is answered."""
    links = []
    for item in items:
        letter = item[1] if item.startswith("(") else ""
        links.append({"text": f"Missing: {item}", "href": "#" + ITEM_ANCHORS.get(letter, "incident-form")})
    return links


def form_error_links(forms_: Iterable[forms.Form]) -> list[dict[str, str]]:
    """Error-summary entries for every error on every form on the page, each linking to its field."""
    items = []
    for form in forms_:
        for name, errors in form.errors.items():
            href = f"#{form[name].auto_id}" if name in form.fields else "#incident-form"
            items.extend({"text": str(message), "href": href} for message in errors)
    return items


def patient_radio_items(patients: Iterable[Any], ward_now: Mapping[int, str]) -> list[dict[str, Any]]:
    """Radio items for choosing the patient: name, with NHS number, date of birth and the ward they are on
    now (``ward_now``, by patient id) to tell namesakes apart, as the seclusion picker does (issue 13)."""
    return [
        {
            "value": patient.pk,
            "text": patient.name,
            "hint": {
                "text": f"NHS number {patient.nhs_number_display or 'not known'}, "
                f"born {long_date(patient.date_of_birth)}, "
                + (f"on {ward_now[patient.pk]} now" if patient.pk in ward_now else "not on a ward now")
            },
        }
        for patient in patients
    ]


def check_answer_rows(slug: str, page: Any) -> list[dict[str, Any]]:
    """Summary-list rows of one task-list section's answers, for "check your answers" (no actions:
    each section has one Change link)."""
    version = page.version
    if slug == "force":
        rows = summary_rows(version, ["place_on_ward"])
        for n, item in enumerate(page.interventions, start=1):
            ended = f" to {when(item.ended_at)}" if item.ended_at else ", end not recorded"
            rows.append(
                {
                    "key": {"text": f"Type of force {n}"},
                    "value": {
                        "text": f"{type_label(item.type_code)}: {when(item.started_at)}{ended}. "
                        f"In the care plan: {yes_no(item.in_care_plan)}"
                    },
                }
            )
        return rows or [{"key": {"text": "Types of force"}, "value": {"text": "None recorded yet"}}]
    if slug == "staff":
        return [
            {"key": {"text": staff.name}, "value": {"text": f"{staff.job_title}: {part_label(staff.part)}"}}
            for staff in page.staff
        ] or [{"key": {"text": "Staff"}, "value": {"text": "None recorded yet"}}]
    fields = {
        "why": ["reason_code", "reason_text", "how_force_used", "deescalation", "deescalation_text"],
        "outcome": [
            "outcome",
            "patient_died",
            "patient_serious_injury",
            "injury_patient",
            "injury_staff",
            "injury_others",
            "abuse_alleged",
            "non_staff_involved",
        ],
        "others": [
            "non_staff_types",
            "non_staff_reason",
            "police_requested_at",
            "police_arrived_at",
            "police_used_force",
        ],
        "notification": ["care_plan_notification_sent", "care_plan_notified_to", "care_plan_notified_at"],
        # The debriefs are records of their own, shown on the section's page (decision 0061).
        "debriefs": ["camera_references"],
    }[slug]
    return summary_rows(version, fields)
