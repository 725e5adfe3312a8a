"""The audit log for information governance (issue 13, items 7 and 9): searched by NHS number or name by
those who may see patients, records named in plain words, the second factor logged as its own step, a bad
filter answered on its field, and the system administrator seeing every entry but no patient's name."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.core.models import AuditAction, AuditEvent
from tests.helpers import signed_in_client

NHS_A1 = "9434765919"


def _patients_viewed(world) -> None:
    """Ward staff open patient a1's page, then a1's ward manager opens a2's and searches the list by name."""
    w = world
    w.patients["a1"].nhs_number = NHS_A1
    w.patients["a1"].save(update_fields=["nhs_number"])
    signed_in_client(w.users["ward_staff"]).get(f"/patients/{w.patients['a1'].pk}/")
    manager = signed_in_client(w.users["ward_manager"])
    manager.get(f"/patients/{w.patients['a2'].pk}/")
    manager.get("/patients/", {"q": w.patients["a2"].family_name})


def _rows(html: str) -> list[str]:
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr")[1:]


def test_governance_finds_a_patients_entries_by_nhs_number(world):
    _patients_viewed(world)
    response = signed_in_client(world.users["provider_governance"]).get(
        "/audit/", {"patient": "943 476 5919"}
    )
    assert response.status_code == 200
    rows = _rows(response.content.decode())
    assert len(rows) == 1
    assert world.patients["a1"].name in rows[0] and world.patients["a2"].name not in rows[0]


def test_governance_finds_a_patients_entries_by_name(world):
    _patients_viewed(world)
    patient = world.patients["a2"]
    response = signed_in_client(world.users["provider_governance"]).get("/audit/", {"patient": patient.name})
    rows = _rows(response.content.decode())
    assert len(rows) == 1 and patient.name in rows[0]


def test_a_patient_search_is_itself_audited(world):
    _patients_viewed(world)
    governance = world.users["provider_governance"]
    signed_in_client(governance).get("/audit/", {"patient": NHS_A1})
    event = AuditEvent.objects.get(
        actor_id=governance.pk, action=AuditAction.VIEW, record_type="core.AuditEvent"
    )
    assert event.detail["patient_ids"] == [world.patients["a1"].pk]


def test_a_patient_outside_the_provider_is_not_found(world):
    world.patients["c1"].nhs_number = "9434765870"
    world.patients["c1"].save(update_fields=["nhs_number"])
    response = signed_in_client(world.users["provider_governance"]).get("/audit/", {"patient": "9434765870"})
    assert response.status_code == 400
    assert "No patient of your provider has that NHS number or name" in response.content.decode()


def test_entries_are_written_in_plain_words(world):
    _patients_viewed(world)
    html = signed_in_client(world.users["provider_governance"]).get("/audit/").content.decode()
    rows = "".join(_rows(html))
    assert "people.Patient" not in rows and "accounts.User" not in rows
    assert "Viewed" in rows and "patient record" in rows
    assert world.patients["a1"].name in html and "943 476 5919" in html


def test_the_system_administrator_sees_every_entry_without_patient_identifiers(world):
    _patients_viewed(world)
    html = signed_in_client(world.users["system_admin"]).get("/audit/").content.decode()
    assert len(_rows(html)) >= 3
    for patient in (world.patients["a1"], world.patients["a2"]):
        assert patient.given_name not in html and patient.family_name not in html
    assert NHS_A1 not in html and "943 476 5919" not in html
    assert 'name="patient"' not in html, "no search by patient for a role that sees no patients"


def test_an_invalid_filter_is_answered_on_its_field_and_shows_no_entries(world):
    _patients_viewed(world)
    response = signed_in_client(world.users["provider_governance"]).get("/audit/", {"since": "last tuesday"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter the start date as year-month-day" in html
    assert 'href="#id_since"' in html
    assert "<tbody" not in html, "a search that cannot be run must not show the whole log"


def test_the_second_factor_is_logged_as_its_own_step(world):
    user = world.users["provider_governance"]
    client = Client()
    client.post("/account/sign-in/", {"username": user.username, "password": "correct-horse-battery"})
    steps = list(AuditEvent.objects.filter(actor_id=user.pk).order_by("id").values_list("action", flat=True))
    assert steps == [AuditAction.PASSWORD_ACCEPTED]

    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post("/account/two-factor/", {"code": code})
    steps = list(AuditEvent.objects.filter(actor_id=user.pk).order_by("id").values_list("action", flat=True))
    assert steps == [AuditAction.PASSWORD_ACCEPTED, AuditAction.SIGN_IN]

    html = signed_in_client(world.users["system_admin"]).get("/audit/", {"username": user.username}).content
    assert "Password accepted, awaiting second factor" in html.decode()
    assert "Signed in with the second factor" in html.decode()
