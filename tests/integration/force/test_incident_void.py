"""Issue 13 item 5: provider governance voids an incident or marks it a duplicate: a new row with a
reason, kept for good, struck through on the pages, left out of exports (and measures:
tests/integration/measures/test_monthly_figures.py), audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.core.models import AppendOnlyError, AuditAction, AuditEvent
from rrp.force.export import cqc_72h_rows
from rrp.force.models import IncidentVoid
from rrp.force.services import incident_record, incident_void
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import T0, complete_content, two_staff, typical_interventions


@pytest.fixture
def governance(world):
    return world.users["provider_governance"]


@pytest.fixture
def second(ward, patient, nurse, roster_nurse):
    return incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=typical_interventions(),
        staff=two_staff(roster_nurse),
        **complete_content(),
    )


def test_governance_voids_with_a_reason_kept_and_audited(complete_incident, governance):
    void = incident_void(incident=complete_incident, by=governance, reason="  Entered on the training ward  ")
    assert (void.kind, void.reason, void.duplicate_of) == ("void", "Entered on the training ward", None)
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, record_id=str(complete_incident.pk)).last()
    assert event.detail["voided"] == "void" and event.detail["reason"] == "Entered on the training ward"
    with pytest.raises(AppendOnlyError):
        void.delete()
    with pytest.raises(AppendOnlyError):
        IncidentVoid.objects.filter(pk=void.pk).update(reason="changed")


def test_a_duplicate_names_the_incident_it_duplicates(complete_incident, second, governance):
    void = incident_void(
        incident=second, by=governance, reason="Entered twice", duplicate_of=complete_incident
    )
    assert void.kind == "duplicate" and void.duplicate_of == complete_incident


@pytest.mark.parametrize("role", ["ward_staff", "ward_manager", "regulator"])
def test_only_governance_may_void(complete_incident, world, role):
    with pytest.raises(PermissionDenied):
        incident_void(incident=complete_incident, by=world.users[role], reason="Mine")
    assert not IncidentVoid.objects.exists()


def test_bad_voids_are_refused_naming_the_field(complete_incident, second, governance, world):
    def refused(**kw) -> dict[str, list[str]]:
        with pytest.raises(ValidationError) as problem:
            incident_void(by=governance, **kw)
        return problem.value.message_dict

    assert refused(incident=complete_incident, reason=" ") == {
        "reason": ["Say why this incident is being voided"]
    }
    assert "duplicate_of" in refused(incident=complete_incident, reason="x", duplicate_of=complete_incident)
    other = factories.patient(provider=world.providers[1])
    elsewhere = incident_record(
        ward=world.wards["b1"],
        patient=other,
        by=factories.user(role="provider_governance", provider=world.providers[1]),
    )
    assert refused(incident=complete_incident, reason="x", duplicate_of=elsewhere) == {
        "duplicate_of": ["Choose an incident of the same provider"]
    }
    incident_void(incident=second, by=governance, reason="Test")
    assert refused(incident=second, reason="Again") == {"incident": ["This incident is already voided"]}
    assert "duplicate_of" in refused(incident=complete_incident, reason="x", duplicate_of=second)


def test_a_voided_incident_is_left_out_of_the_cqc_export(complete_incident, second, governance):
    window = {"since": T0 - dt.timedelta(days=1), "at": T0 + dt.timedelta(days=1)}
    assert {r.incident_id for r in cqc_72h_rows(**window)} == {complete_incident.pk, second.pk}
    incident_void(incident=second, by=governance, reason="Entered twice", duplicate_of=complete_incident)
    assert {r.incident_id for r in cqc_72h_rows(**window)} == {complete_incident.pk}


def test_the_pages_strike_it_through_and_say_why(complete_incident, governance, nurse):
    client = signed_in_client(governance)
    page = client.get(f"/incidents/{complete_incident.pk}/void/")
    assert page.status_code == 200
    response = client.post(f"/incidents/{complete_incident.pk}/void/", {"kind": "void", "reason": ""})
    assert (
        response.status_code == 400 and "Say why this incident is being voided" in response.content.decode()
    )
    response = client.post(
        f"/incidents/{complete_incident.pk}/void/", {"kind": "void", "reason": "A test record"}
    )
    assert response.status_code == 302
    detail = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert f"<s>Incident {complete_incident.pk}</s>" in detail and "A test record" in detail
    listing = signed_in_client(nurse).get("/incidents/").content.decode()
    assert f"<s>Incident {complete_incident.pk}</s>" in listing
    assert signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/void/").status_code == 403


def test_a_voided_incident_is_kept_as_it_is(complete_incident, governance, nurse):
    from rrp.force.services import incident_amend, incident_submit

    incident_void(incident=complete_incident, by=governance, reason="A test record")
    with pytest.raises(ValidationError) as refused:
        incident_submit(incident=complete_incident, by=nurse)
    voided_on = "This record was voided on"
    assert list(refused.value.message_dict) == ["status"]
    assert refused.value.message_dict["status"][0].startswith(voided_on)
    with pytest.raises(ValidationError) as refused:
        incident_amend(incident=complete_incident, by=governance, reason="Tidy", outcome="Changed")
    assert refused.value.message_dict["status"][0].endswith("and cannot be changed")
    body = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert "Submit for review" not in body and "Change this record" not in body


def test_a_duplicate_of_an_incident_not_seen_is_refused_on_its_field(complete_incident, governance):
    """The void page names the incident kept only among those the person can see: a number that is no
    incident of theirs is refused on its field with nothing voided, as a service refusal is."""
    client = signed_in_client(governance)
    response = client.post(
        f"/incidents/{complete_incident.pk}/void/",
        {"kind": "duplicate", "reason": "Entered twice", "duplicate_of": str(complete_incident.pk + 10_000)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No incident you can see has this number" in html
    assert 'href="#id_duplicate_of"' in html, "the error summary links to the field"
    assert not IncidentVoid.objects.exists()
