"""Who may work the patient administration feed (issue 18 item 3): the held-message queue, the merge page
and POST /api/adt are provider governance's, for their own provider only; and the ESR staff import."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from rrp.api.services import api_token_create
from rrp.core.csv_import import ImportRejected
from rrp.core.models import AuditEvent
from rrp.people.adt import adt_apply, read_message
from rrp.people.models import FeedMessage, Patient, StaffMember, WardStay
from rrp.people.pas_imports import staff_import
from tests.helpers import signed_in_client
from tests.pas_data import Journey, adt_message

pytestmark = pytest.mark.django_db
ROLES = [
    "ward_staff",
    "ward_manager",
    "provider_governance",
    "commissioner",
    "regulator",
    "national_analyst",
    "system_admin",
]


def _held_on(world, provider_index: int, control_id: str) -> FeedMessage:
    """A transfer for a visit never admitted: held for the provider."""
    provider = world.providers[provider_index]
    ward = next(w for w in world.wards.values() if w.provider_id == provider.pk)
    start = timezone.now() - dt.timedelta(days=3)
    j = Journey(f"Q{control_id}", "", "Held", "Person", dt.date(1990, 1, 1), "F", f"V{control_id}", [])
    text = adt_message("A02", j, ward=ward.code, at=start, control_id=control_id)
    adt_apply(provider=provider, messages=[read_message(text, 1)], by=None)
    return FeedMessage.objects.get(control_id=control_id)


@pytest.mark.parametrize("role", ROLES)
def test_the_held_queue_is_governances_and_shows_only_their_provider(world, role):
    mine, theirs = _held_on(world, 0, "OWN1"), _held_on(world, 1, "OTHER1")
    response = signed_in_client(world.users[role]).get("/patient-feed/held/")
    if role != "provider_governance":
        assert response.status_code == 403
        return
    page = response.content.decode()
    assert response.status_code == 200
    assert mine.control_id in page and "no patient has the identifier QOWN1 yet" in page
    assert theirs.control_id not in page
    assert AuditEvent.objects.filter(record_type="people.FeedMessage", action="view").exists()


def test_try_again_applies_what_can_be_and_only_for_their_provider(world):
    held = _held_on(world, 0, "R1")
    other = _held_on(world, 1, "R2")
    ward = world.wards["a1"]
    j = Journey("QR1", "", "Held", "Person", dt.date(1990, 1, 1), "F", "VR1", [])
    admit = adt_message("A01", j, ward=ward.code, at=held.event_at - dt.timedelta(days=1), control_id="R0")
    # The admission arrives through another route and is applied; the transfer then follows.
    adt_apply(provider=world.providers[0], messages=[read_message(admit, 1)], by=None)
    held.refresh_from_db()
    assert held.status == "applied" and held.resolved_at is not None
    response = signed_in_client(world.users["provider_governance"]).post("/patient-feed/held/try-again/")
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "held"
    assert (
        signed_in_client(world.users["system_admin"]).post("/patient-feed/held/try-again/").status_code == 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_merge_page_is_governances_for_their_own_patients(world, role):
    patient = world.patients["a1"]
    response = signed_in_client(world.users[role]).get(f"/patients/{patient.pk}/merge/")
    assert response.status_code == (200 if role == "provider_governance" else 403)
    outside = world.patients["b1"]
    assert (
        signed_in_client(world.users["provider_governance"]).get(f"/patients/{outside.pk}/merge/").status_code
        == 404
    )


def test_merging_on_the_page_moves_stays_and_keeps_both(world):
    client = signed_in_client(world.users["provider_governance"])
    prior, surviving = world.patients["a1"], world.patients["a2"]
    bad = client.post(f"/patients/{prior.pk}/merge/", {"surviving": "NOPE", "reason": ""})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "No other patient of this provider has that local identifier" not in page  # reason missing first
    assert "Enter why these two records are the same person" in page
    bad = client.post(f"/patients/{prior.pk}/merge/", {"surviving": "NOPE", "reason": "Same NHS number"})
    assert "No other patient of this provider has that local identifier" in bad.content.decode()
    done = client.post(
        f"/patients/{prior.pk}/merge/", {"surviving": surviving.local_identifier, "reason": "Same NHS number"}
    )
    assert done.status_code == 302
    prior.refresh_from_db()
    assert prior.merged_into_id == surviving.pk and Patient.objects.filter(pk=prior.pk).exists()
    assert set(WardStay.objects.filter(patient=surviving).values_list("ward__code", flat=True)) == {
        world.wards["a1"].code,
        world.wards["a2"].code,
    }
    assert "Merged record" in client.get(f"/patients/{prior.pk}/").content.decode()


def _api(user, body: str):
    _, token = api_token_create(user=user, by=None, name="PAS feed")
    return Client().post(
        "/api/adt",
        body,
        content_type="x-application/hl7-v2+er7",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize("role", ROLES)
def test_post_adt_needs_the_feed_permission(world, role, settings):
    settings.DEMO_MODE = True
    ward = world.wards["a1"]
    j = Journey("API1", "", "Ash", "Api", dt.date(1990, 1, 1), "M", "VAPI1", [])
    message = adt_message(
        "A01", j, ward=ward.code, at=timezone.now() - dt.timedelta(hours=3), control_id="API1"
    )
    response = _api(world.users[role], message)
    if role != "provider_governance":
        assert response.status_code == 403
        assert response["Content-Type"].startswith("application/problem+json")
        assert not WardStay.objects.filter(spell__visit_number="VAPI1").exists()
        return
    assert response.status_code == 200 and response["Content-Type"].startswith("x-application/hl7-v2+er7")
    assert "MSA|AA|API1|Applied" in response.content.decode()
    assert WardStay.objects.get(spell__visit_number="VAPI1").ward == ward


def test_post_adt_for_a_ward_of_another_provider_is_held_not_applied(world):
    j = Journey("API2", "", "Ash", "Api", dt.date(1990, 1, 1), "M", "VAPI2", [])
    message = adt_message(
        "A01", j, ward=world.wards["b1"].code, at=timezone.now() - dt.timedelta(hours=3), control_id="API2"
    )
    answer = _api(world.users["provider_governance"], message).content.decode()
    assert "MSA|AA|API2|Held for the information team: no ward of" in answer
    assert not WardStay.objects.filter(spell__visit_number="VAPI2").exists()


def test_post_adt_without_a_token_is_401():
    assert Client().post("/api/adt", "MSH|", content_type="text/plain").status_code == 401


STAFF = (
    "assignment_number,given_name,family_name,job_title,staff_group,start_date,end_date,ward_codes\n"
    "1001-1,Alex,Carer,Healthcare assistant,Additional Clinical Services,2022-01-01,,{a1}\n"
    "1002-1,Jo,Left,Staff nurse,Nursing and Midwifery Registered,2020-01-01,2026-01-31,{a1};{a2}\n"
)


def test_staff_import_adds_keeps_leavers_and_changes_nothing_twice(world):
    provider = world.providers[0]
    text = STAFF.format(a1=world.wards["a1"].code, a2=world.wards["a2"].code)
    first = staff_import(provider=provider, source=io.StringIO(text), by=None)
    assert (first["created"], first["leavers"]) == (2, 1)
    leaver = StaffMember.objects.get(employee_number="1002-1")
    assert (
        leaver.left_on == dt.date(2026, 1, 31)
        and leaver.staff_group == "nursing"
        and leaver.wards.count() == 2
    )
    again = staff_import(provider=provider, source=io.StringIO(text), by=None)
    assert again["unchanged"] == 2 and again["created"] == again["changed"] == 0
    moved = text.replace("Healthcare assistant", "Senior healthcare assistant")
    assert staff_import(provider=provider, source=io.StringIO(moved), by=None)["changed"] == 1


def test_staff_import_names_every_bad_cell_and_saves_nothing(world):
    bad = (
        "assignment_number,given_name,family_name,job_title,staff_group,start_date,ward_codes\n"
        "2001-1,Sam,,Nurse,Wizards,2022-13-01,NOWARD\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        staff_import(provider=world.providers[0], source=io.StringIO(bad), by=None)
    columns = [e.column for e in rejected.value.errors]
    assert columns == ["family_name", "staff_group", "start_date", "ward_codes"]
    assert not StaffMember.objects.filter(employee_number="2001-1").exists()
