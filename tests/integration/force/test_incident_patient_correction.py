"""Issue 13 item 5: an incident recorded against the wrong patient is moved to the right one by a new
version with a reason (decision 0021): append-only, audited against both patients, scoped, and every
reader (measures, export, API, pages) uses the current patient from then on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.core.concurrency import StaleVersion
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.export import cqc_72h_rows, patient_key
from rrp.force.models import IncidentVersion
from rrp.force.services import (
    incident_amend,
    incident_close,
    incident_patient_correct,
    incident_review,
    incident_submit,
    incident_void,
)
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import T0, closing_review, every_follow_up_skipped


@pytest.fixture
def manager(world):
    return world.users["ward_manager"]


@pytest.fixture
def right(world, ward):
    """The patient the force was really used on: same ward, similar name."""
    person = factories.patient(
        provider=ward.provider,
        given_name="Jo",
        family_name="Right",
        nhs_number="9434765870",
        ethnic_category="A",
        date_of_birth=dt.date(1990, 5, 1),
    )
    factories.stay(patient=person, ward=ward)
    return person


def test_a_ward_manager_moves_the_incident_by_a_new_version_kept_with_the_old(
    complete_incident, patient, right, manager
):
    version = incident_patient_correct(
        incident=complete_incident,
        by=manager,
        patient=right,
        reason=" Same surname, wrong bed ",
        base_version=1,
    )
    assert (version.number, version.patient, version.change_reason) == (
        2,
        right,
        "Patient corrected: Same surname, wrong bed",
    )
    # The right patient's characteristics (s6(5)(j)-(l)) are taken again; everything else is carried.
    assert version.patient_snapshot["ethnic_category"] == "A"
    first = IncidentVersion.objects.get(incident=complete_incident, number=1)
    assert first.patient == patient and first.patient_snapshot["ethnic_category"] == "M"
    assert [i.as_tuple() for i in version.interventions.all()] == [
        i.as_tuple() for i in first.interventions.all()
    ]
    assert [s.as_tuple() for s in version.staff.all()] == [s.as_tuple() for s in first.staff.all()]
    assert (
        version.outcome == first.outcome
        and version.statutory_items_complete == first.statutory_items_complete
    )
    complete_incident.refresh_from_db()
    assert complete_incident.patient == patient  # who it was first recorded against, never overwritten
    assert complete_incident.current_patient == right
    # Audited against both patients, so an audit search for either finds it.
    events = AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_id=str(complete_incident.pk), detail__patient_corrected_to=right.pk
    )
    assert sorted(e.patient_id for e in events) == sorted([patient.pk, right.pk])
    assert {e.detail["reason"] for e in events} == {"Same surname, wrong bed"}


def test_bad_corrections_are_refused_naming_the_field(complete_incident, patient, right, manager, world):
    def refused(by=manager, **kw) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as problem:
            incident_patient_correct(incident=complete_incident, by=by, **kw)
        return problem.value.message_dict

    assert refused(patient=right, reason="  ") == {"reason": ["Say why the patient is being corrected"]}
    assert refused(patient=patient, reason="x") == {
        "patient": ["The incident is already recorded against this patient: choose the right one"]
    }
    other_provider = world.patients["b1"]
    assert refused(patient=other_provider, reason="x") == {
        "patient": ["Choose a patient of this incident's provider that you can see"]
    }
    # A patient of the provider on a ward the manager does not have: not theirs to see.
    elsewhere = factories.ward(site=world.wards["a1"].site)
    unseen = factories.patient(provider=patient.provider)
    factories.stay(patient=unseen, ward=elsewhere)
    assert "patient" in refused(patient=unseen, reason="x")
    assert (
        incident_patient_correct(
            incident=complete_incident, by=world.users["provider_governance"], patient=unseen, reason="x"
        ).patient
        == unseen
    )
    assert IncidentVersion.objects.filter(incident=complete_incident).count() == 2


@pytest.mark.parametrize("role", ["ward_staff", "regulator"])
def test_only_a_ward_manager_or_governance_may_correct(complete_incident, right, world, role):
    with pytest.raises(PermissionDenied):
        incident_patient_correct(incident=complete_incident, by=world.users[role], patient=right, reason="x")
    assert IncidentVersion.objects.filter(incident=complete_incident).count() == 1


def test_stale_closed_and_voided_incidents(complete_incident, right, manager, nurse, world):
    governance = world.users["provider_governance"]
    with pytest.raises(StaleVersion):
        incident_patient_correct(
            incident=complete_incident, by=manager, patient=right, reason="x", base_version=0
        )
    incident_submit(incident=complete_incident, by=nurse)
    incident_review(incident=complete_incident, by=manager)
    incident_close(
        incident=complete_incident, by=governance, review=closing_review(), skipped=every_follow_up_skipped()
    )
    with pytest.raises(ValidationError) as problem:
        incident_patient_correct(incident=complete_incident, by=manager, patient=right, reason="x")
    assert problem.value.message_dict == {
        "status": ["This incident is closed: only provider governance can correct the patient"]
    }
    incident_patient_correct(incident=complete_incident, by=governance, patient=right, reason="x")
    incident_void(incident=complete_incident, by=governance, reason="A test")
    with pytest.raises(ValidationError) as problem:
        incident_patient_correct(
            incident=complete_incident, by=governance, patient=world.patients["a1"], reason="x"
        )
    assert problem.value.message_dict["status"][0].startswith("This record was voided on")


def test_the_export_and_the_api_name_the_right_patient(complete_incident, right, manager):
    window = {"since": T0 - dt.timedelta(days=1), "at": T0 + dt.timedelta(days=1)}
    incident_patient_correct(incident=complete_incident, by=manager, patient=right, reason="Wrong bed")
    assert {r.patient_key for r in cqc_72h_rows(**window)} == {patient_key(right.pk)}
    from rrp.api.incidents import _summary
    from rrp.api.selectors import latest_versions

    summary = _summary(complete_incident, latest_versions([complete_incident.pk])[complete_incident.pk])
    assert summary["patient_id"] == right.pk


def test_the_page_finds_the_right_patient_and_moves_the_incident(
    complete_incident, patient, right, manager, nurse
):
    client = signed_in_client(manager)
    url = f"/incidents/{complete_incident.pk}/patient/"
    detail = client.get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert url in detail
    assert url not in signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert signed_in_client(nurse).get(url).status_code == 403

    found = client.get(url, {"q": "Right"})
    assert found.status_code == 200 and "Jo Right" in found.content.decode()
    assert AuditEvent.objects.filter(detail__patient_ids=[right.pk], detail__incident_id=complete_incident.pk)

    missing = client.post(url, {"q": "Right", "patient": str(right.pk), "reason": "", "base_version": "1"})
    assert missing.status_code == 400 and "Say why the patient is being corrected" in missing.content.decode()
    # Someone changed the record since the page was opened: refused with 409, nothing saved.
    incident_amend(incident=complete_incident, by=manager, reason="Tidy", outcome="Settled after")
    stale = client.post(
        url, {"q": "Right", "patient": str(right.pk), "reason": "Wrong bed", "base_version": "1"}
    )
    assert stale.status_code == 409
    done = client.post(
        url, {"q": "Right", "patient": str(right.pk), "reason": "Wrong bed", "base_version": "2"}
    )
    assert done.status_code == 302
    listing = signed_in_client(nurse).get("/incidents/").content.decode()
    assert "Jo Right" in listing
    history = client.get(f"/incidents/{complete_incident.pk}/history/").content.decode()
    assert patient.name in history and "Jo Right" in history and "Patient corrected: Wrong bed" in history
