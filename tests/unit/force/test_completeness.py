"""The s6(5) completeness check, on unsaved model instances (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.force.completeness import NEGLIGIBLE_JUSTIFICATION, STATUTORY_ITEMS, missing_items
from rrp.force.models import IncidentVersion, InterventionRecord, StaffInvolvement
from rrp.people.models import Patient

T0 = dt.datetime(2026, 3, 1, 14, 5, tzinfo=dt.UTC)
SNAPSHOT = {
    "primary_mental_disorder": "F20.0",
    "age": 40,
    "sex": "1",
    "gender_identity": "1",
    "ethnic_category": "M",
    "religion": "none",
    "sexual_orientation": "9",
    "disability": "U",
    "pregnancy": "na",
    "learning_disability": "N",
    "autism": "U",
}


def complete_version(**overrides) -> IncidentVersion:
    fields = {
        "reason_code": "10",
        "reason_text": "Hitting another patient",
        "place_on_ward": "Lounge",
        "occurred_at": T0,
        "ended_at": T0 + dt.timedelta(minutes=20),
        "how_force_used": "Held in prone, then supine",
        "outcome": "Settled in own room",
        "patient_died": False,
        "patient_serious_injury": False,
        "non_staff_involved": False,
        "deescalation": ["verbal"],
        "care_plan_notification_sent": True,
        "care_plan_notified_to": "Mother",
        "care_plan_notified_at": T0 + dt.timedelta(hours=2),
        "patient_snapshot": dict(SNAPSHOT),
    }
    return IncidentVersion(**{**fields, **overrides})


def intervention(**overrides) -> InterventionRecord:
    fields = {
        "type_code": "01",
        "started_at": T0,
        "ended_at": T0 + dt.timedelta(minutes=8),
        "in_care_plan": False,
    }
    return InterventionRecord(**{**fields, **overrides})


def staff(**overrides) -> StaffInvolvement:
    return StaffInvolvement(**{"name": "Sam Nurse", "job_title": "Staff nurse", "part": "head", **overrides})


def patient(**overrides) -> Patient:
    return Patient(**{"given_name": "Ada", "family_name": "Example", "nhs_number": "9434765919", **overrides})


def check(version=None, interventions=None, staff_rows=None, person=None, **kw) -> list[str]:
    return missing_items(
        version=version or complete_version(),
        interventions=[intervention()] if interventions is None else interventions,
        staff=[staff()] if staff_rows is None else staff_rows,
        patient=person or patient(),
        **kw,
    )


def test_missing_items_complete_record_has_none():
    assert check() == []


def test_missing_items_empty_draft_names_every_item():
    missing = check(IncidentVersion(), [], [], Patient())
    assert [m[:3] for m in missing] == [f"({item.letter})" for item in STATUTORY_ITEMS]


def test_statutory_items_cover_a_to_p_once_each():
    assert [item.letter for item in STATUTORY_ITEMS] == list("abcdefghijklmnop")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"reason_code": ""}, "(a) Reason for the use of force"),
        ({"reason_code": "98", "reason_text": ""}, "(a) Reason for the use of force"),
        ({"place_on_ward": ""}, "(b) Place, date and duration"),
        ({"ended_at": None}, "(b) Place, date and duration"),
        ({"how_force_used": "  "}, "(f) How force was used"),
        ({"non_staff_involved": None}, "(i) Why anyone who is not on the unit's staff was involved"),
        (
            {"non_staff_involved": True, "non_staff_types": ["police"], "non_staff_reason": ""},
            "(i) Why anyone who is not on the unit's staff was involved",
        ),
        ({"patient_snapshot": {}}, "(j) Patient's mental disorder"),
        ({"outcome": ""}, "(m) Outcome"),
        ({"patient_serious_injury": None}, "(n) Whether the patient died or was seriously injured"),
        ({"deescalation": [], "deescalation_text": ""}, "(o) Efforts made to avoid force"),
        (
            {"care_plan_notified_to": ""},
            "(p) Whether the care-plan notification was sent (to whom and when)",
        ),
    ],
)
def test_missing_items_version_field_blank_is_named(overrides, expected):
    assert expected in check(complete_version(**overrides))


def test_missing_items_reason_code_with_text_only_where_needed():
    assert check(complete_version(reason_code="10", reason_text="")) == []


def test_missing_items_no_interventions_names_type_and_care_plan():
    missing = check(interventions=[])
    assert "(c) Type or types of force used" in missing
    assert "(d) Whether each type of force was part of the patient's care plan" in missing


def test_missing_items_intervention_without_end_names_duration():
    assert check(interventions=[intervention(ended_at=None)]) == ["(b) Place, date and duration"]


def test_missing_items_care_plan_unanswered_is_named():
    assert check(interventions=[intervention(in_care_plan=None)])[0].startswith("(d)")


def test_missing_items_no_nhs_number_names_identifier():
    assert check(person=patient(nhs_number="")) == ["(g) Patient's NHS number"]


def test_missing_items_staff_without_job_title_is_named():
    assert check(staff_rows=[staff(job_title="")]) == [
        "(h) Name and job title of each member of staff who used force"
    ]


def test_missing_items_characteristics_not_known_still_count():
    snapshot = {key: "" for key in SNAPSHOT}
    assert check(complete_version(patient_snapshot=snapshot)) == []


def test_missing_items_negligible_force_ignored_when_exemption_off():
    version = IncidentVersion(negligible_force=True, negligible_force_justification="Guided by the elbow")
    assert len(check(version, [], [], patient(), exemption_enabled=False)) == 14  # all but (e), (g)


def test_missing_items_negligible_force_needs_only_place_how_and_justification():
    version = IncidentVersion(negligible_force=True)
    missing = check(version, [], [], patient(), exemption_enabled=True)
    assert missing == ["(b) Place, date and duration", "(f) How force was used", NEGLIGIBLE_JUSTIFICATION]


def test_missing_items_negligible_force_justified_and_described_is_complete():
    version = complete_version(negligible_force=True, negligible_force_justification="Light touch to guide")
    assert check(version, [], [], patient(), exemption_enabled=True) == []


def test_missing_items_exemption_read_from_settings(settings):
    settings.RRP_FORCE_NEGLIGIBLE_EXEMPTION = True
    version = complete_version(negligible_force=True, negligible_force_justification="Light touch")
    assert check(version, [], []) == []
