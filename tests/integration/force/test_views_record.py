"""Recording an incident through the pages: choosing the patient, the one-page form (the change page),
drafts, submission with the statutory completeness check, bad input, and scope."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.force.models import Incident
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.views_data import typical_post

pytestmark = pytest.mark.django_db


def new_url(ward, patient) -> str:
    return f"/incidents/new/{ward.pk}/{patient.pk}/"


@pytest.fixture
def one_page(nurse, patient, ward) -> str:
    """The one-page record form: now the change page of a record (new records are a task list, see
    test_views_task_list.py); here on an empty draft, whose one version stays the only one when nothing
    is saved."""
    from rrp.force.services import incident_record

    return f"/incidents/{incident_record(ward=ward, patient=patient, by=nurse).pk}/change/"


def test_start_single_ward_lists_patients_on_the_ward_now(world, nurse, patient, ward):
    response = signed_in_client(nurse).get("/incidents/new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert patient.name in body and ward.name in body
    assert world.patients["b1"].name not in body


def test_start_choosing_a_patient_goes_to_the_form(nurse, patient, ward):
    response = signed_in_client(nurse).get("/incidents/new/", {"patient": patient.pk})
    assert response.status_code == 302
    assert response["Location"] == new_url(ward, patient)


def test_start_without_choosing_a_patient_says_so(nurse, patient):
    response = signed_in_client(nurse).get("/incidents/new/", {"patient": ""})
    assert response.status_code == 400
    assert "Choose the patient force was used on" in response.content.decode()


def test_start_finds_a_patient_by_nhs_number(nurse, patient):
    response = signed_in_client(nurse).get("/incidents/new/", {"q": "943 476 5919"})
    assert response.status_code == 200
    assert patient.name in response.content.decode()


def test_start_tells_namesakes_apart_by_the_ward_they_are_on_now(world, nurse, patient, ward):
    """Issue 13: the picker shows NHS number, date of birth and the ward, as the seclusion picker does."""
    namesake = factories.patient(
        provider=ward.provider, given_name=patient.given_name, family_name=patient.family_name
    )
    factories.stay(patient=namesake, ward=world.wards["a2"])
    discharged = factories.patient(
        provider=ward.provider, given_name=patient.given_name, family_name=patient.family_name
    )
    response = signed_in_client(world.users["provider_governance"]).get(
        "/incidents/new/", {"ward": ward.pk, "q": patient.family_name}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f"on {ward.name} now" in body and f"on {world.wards['a2'].name} now" in body
    assert discharged.name in body and "not on a ward now" in body


def test_start_nhs_number_failing_its_check_is_named(nurse, patient):
    response = signed_in_client(nurse).get("/incidents/new/", {"q": "9434765918"})
    assert response.status_code == 400
    assert "not a valid NHS number" in response.content.decode()


def test_start_several_wards_asks_which_ward(world):
    manager = world.users["ward_manager"]
    response = signed_in_client(manager).get("/incidents/new/")
    assert response.status_code == 200
    assert "Choose a ward" in response.content.decode()
    response = signed_in_client(manager).get("/incidents/new/", {"ward": world.wards["a2"].pk})
    assert world.patients["a2"].name in response.content.decode()


def test_form_get_prefills_today_and_the_roster(one_page, nurse, patient, ward, roster_nurse):
    response = signed_in_client(nurse).get(one_page)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{dt.date.today():%Y-%m-%d}"' in body
    assert "Sam Nurse, Staff nurse" in body
    assert patient.nhs_number_display in body


def test_form_submit_typical_incident_records_and_submits(one_page, nurse, patient, ward, roster_nurse):
    response = signed_in_client(nurse).post(one_page, typical_post(roster_nurse))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.status == "submitted"
    version = incident.latest_version
    assert [i.type_code for i in version.interventions.all()] == ["01", "09", "14"]
    assert [s.name for s in version.staff.order_by("id")] == ["Sam Nurse", "Alex Agency"]
    assert version.occurred_at.astimezone(dt.UTC) == dt.datetime(2026, 3, 1, 14, 6, tzinfo=dt.UTC)
    assert version.ended_at.astimezone(dt.UTC) == dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.UTC)
    assert version.deescalation == ["verbal"]
    assert version.patient_died is False and version.care_plan_notification_sent is True
    # Late too: the typical incident of March 2026 is recorded when the test runs.
    assert set(incident.flags.values_list("kind", flat=True)) == {
        "prone_review",
        "rt_monitoring",
        "late_record",
    }


def test_form_asks_to_confirm_a_long_prone_restraint_then_saves_it_flagged(
    one_page, nurse, patient, ward, roster_nurse
):
    """Issue 13: an end date left as the next day made a 24 h 5 min prone restraint; the page names it and
    shows the tick box, and only a ticked box saves it (flagged for the reviewer)."""
    post = typical_post(roster_nurse, **{"iv-0-end_date": "2026-03-02", "iv-0-end_time": "14:11"})
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    body = response.content.decode()
    assert "24 hours 5 minutes is longer than 10 minutes" in body
    assert 'name="durations_confirmed"' in body and 'href="#id_durations_confirmed"' in body
    assert Incident.objects.get().versions.count() == 1
    response = signed_in_client(nurse).post(one_page, {**post, "durations_confirmed": "on"})
    assert response.status_code == 302
    assert Incident.objects.get().flags.filter(kind="long_duration").exists()


def test_form_submit_with_missing_items_names_them_and_saves_nothing(
    one_page, nurse, patient, ward, roster_nurse
):
    post = typical_post(roster_nurse, how_force_used="", outcome="", non_staff_involved="")
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    body = response.content.decode()
    assert "(f) How force was used" in body
    assert "(m) Outcome" in body
    assert "Why anyone who is not on the unit" in body
    assert 'href="#id_how_force_used"' in body
    assert Incident.objects.get().versions.count() == 1


def test_form_save_as_draft_keeps_a_partial_record(one_page, nurse, patient, ward, roster_nurse):
    post = {"iv_count": "1", "other_count": "1", "place_on_ward": "Garden", "action": "draft"}
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.status == "draft"
    assert incident.latest_version.place_on_ward == "Garden"


def test_form_add_another_intervention_adds_a_row_and_saves_nothing(
    one_page, nurse, patient, ward, roster_nurse
):
    post = typical_post(roster_nurse, action="add_intervention")
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="iv-3-type_code"' in body
    assert 'value="Punching another patient"' in body or "Punching another patient" in body
    assert "There is a problem" not in body
    assert Incident.objects.get().versions.count() == 1


def test_form_add_another_person_adds_a_row(one_page, nurse, patient, ward, roster_nurse):
    response = signed_in_client(nurse).post(one_page, typical_post(roster_nurse, action="add_person"))
    assert response.status_code == 200
    assert 'name="other-1-name"' in response.content.decode()


def test_form_end_before_start_is_named_and_saves_nothing(one_page, nurse, patient, ward, roster_nurse):
    post = typical_post(roster_nurse, **{"iv-0-end_time": "13:00"})
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The intervention must end after it started" in body
    assert 'href="#id_iv-0-end_time"' in body
    assert Incident.objects.get().versions.count() == 1


def test_form_row_without_a_type_says_choose_one(one_page, nurse, patient, ward, roster_nurse):
    post = typical_post(roster_nurse, **{"iv-0-type_code": ""})
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    assert "Choose the type of force used" in response.content.decode()
    assert Incident.objects.get().versions.count() == 1


def test_form_retired_or_unknown_type_code_is_refused(one_page, nurse, patient, ward, roster_nurse):
    post = typical_post(roster_nurse, **{"iv-0-type_code": "02"})
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Incident.objects.get().versions.count() == 1


def test_form_bad_time_names_the_field(one_page, nurse, patient, ward, roster_nurse):
    post = typical_post(roster_nurse, **{"iv-1-start_time": "25:99"})
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    assert 'href="#id_iv-1-start_time"' in response.content.decode()
    assert Incident.objects.get().versions.count() == 1


def test_form_roster_member_ticked_without_a_part_is_named(one_page, nurse, patient, ward, roster_nurse):
    post = typical_post(roster_nurse, **{f"roster-{roster_nurse.pk}-part": ""})
    response = signed_in_client(nurse).post(one_page, post)
    assert response.status_code == 400
    assert "Choose the part Sam Nurse took" in response.content.decode()


def test_form_staff_of_another_provider_cannot_be_picked(one_page, world, nurse, patient, ward, roster_nurse):
    other = factories.StaffMember.objects.create(
        provider=world.providers[1],
        given_name="Bea",
        family_name="Elsewhere",
        job_title="Nurse",
        staff_group="nursing",
    )
    post = typical_post(
        roster_nurse, **{f"roster-{other.pk}-involved": "on", f"roster-{other.pk}-part": "legs"}
    )
    response = signed_in_client(nurse).post(one_page, post)
    # Not on this ward's roster, so the tick is ignored: the roster is the only way to pick staff.
    assert response.status_code == 302
    assert "Bea Elsewhere" not in [s.name for s in Incident.objects.get().latest_version.staff.all()]


def test_form_other_providers_ward_or_patient_is_404(world, nurse, patient, ward):
    client = signed_in_client(nurse)
    assert client.get(new_url(world.wards["b1"], world.patients["b1"])).status_code == 404
    assert client.get(new_url(ward, world.patients["b1"])).status_code == 404
    assert (
        client.post(new_url(world.wards["b1"], world.patients["b1"]), {"action": "draft"}).status_code == 404
    )
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("role", ["commissioner", "national_analyst", "regulator", "system_admin"])
def test_form_roles_that_cannot_record_are_refused(world, role, patient, ward):
    client = signed_in_client(world.users[role])
    assert client.get("/incidents/new/").status_code == 403
    assert client.get(new_url(ward, patient)).status_code in (403, 404)


def test_start_search_results_and_form_are_audited(nurse, patient, ward):
    from rrp.core.models import AuditEvent

    client = signed_in_client(nurse)
    client.get("/incidents/new/", {"q": patient.family_name})
    event = AuditEvent.objects.filter(record_type="people.Patient").latest("id")
    assert patient.pk in event.detail["patient_ids"]
    client.get(new_url(ward, patient))
    event = AuditEvent.objects.filter(record_type="people.Patient").latest("id")
    assert event.patient_id == patient.pk and event.action == "view"


def test_form_enter_key_keeps_the_page_and_saves_nothing(one_page, nurse, patient, ward, roster_nurse):
    response = signed_in_client(nurse).post(one_page, typical_post(roster_nurse, action="stay"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="iv-2-type_code"' in body and 'name="iv-3-type_code"' not in body
    assert "There is a problem" not in body
    assert Incident.objects.get().versions.count() == 1
