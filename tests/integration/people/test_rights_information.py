"""Information about the use of force (Use of Force Act s4; issue 15 item 4): given to the patient on
admission or to a person they chose, in a format, or refused or not possible with the reason; scoped and
audited; and the per-ward completeness measure (admissions with it recorded within 7 days)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rrp.core.models import AuditEvent
from rrp.measures.catalogue import measure
from rrp.measures.series import measure_series
from rrp.people.models import RightsInformation
from rrp.people.services import rights_information_record
from tests import factories
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db


def record(world, patient_key="a1", by="ward_staff", **changes):
    fields = {
        "occasion": "admission",
        "recipient": "patient",
        "outcome": "given",
        "format": "easy_read",
        "given_at": timezone.now() - dt.timedelta(hours=1),
        **changes,
    }
    return rights_information_record(patient=world.patients[patient_key], by=world.users[by], **fields)


def test_given_on_admission_belongs_to_the_admission_and_is_audited(world):
    info = record(world)
    patient = world.patients["a1"]
    assert info.spell == patient.spells.get()
    assert AuditEvent.objects.filter(record_type="people.RightsInformation", patient_id=patient.pk).exists()


def test_refused_or_to_a_chosen_person_needs_the_reason_or_name(world):
    with pytest.raises(ValidationError) as problem:
        record(world, outcome="refused", format="")
    assert set(problem.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as problem:
        record(world, recipient="chosen_person", format="")
    assert set(problem.value.message_dict) == {"chosen_person", "format"}
    with pytest.raises(ValidationError) as problem:
        record(world, given_at=timezone.now() + dt.timedelta(days=1))
    assert set(problem.value.message_dict) == {"given_at"}
    record(world, outcome="not_possible", format="", reason="Too unwell; offer again on Monday")
    record(world, recipient="chosen_person", chosen_person="Jo Smith, sister", format="verbal")
    assert RightsInformation.objects.count() == 2


def test_only_in_scope(world):
    with pytest.raises(PermissionDenied):
        record(world, patient_key="b1")
    with pytest.raises(PermissionDenied):
        record(world, by="regulator")
    assert not RightsInformation.objects.exists()


def test_page_records_and_the_patient_page_lists_it(world):
    patient = world.patients["a1"]
    client = signed_in_client(world.users["ward_staff"])
    url = f"/patients/{patient.pk}/rights-information/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"occasion": "admission", "recipient": "patient", "outcome": "given"})
    assert bad.status_code == 400 and "Select how the information was given" in bad.content.decode()
    ok = client.post(
        url,
        {
            "occasion": "admission",
            "recipient": "patient",
            "outcome": "given",
            "format": "easy_read",
            "given_date": timezone.localdate().isoformat(),
            "given_time": "00:00",
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    assert "Easy read leaflet" in client.get(f"/patients/{patient.pk}/").content.decode()
    assert (
        signed_in_client(world.users["ward_staff"])
        .get(f"/patients/{world.patients['b1'].pk}/rights-information/new/")
        .status_code
        == 404
    )


def test_completeness_per_ward_within_7_days(world):
    ward = world.wards["a2"]
    admitted = timezone.make_aware(dt.datetime(2026, 3, 3, 10))
    told, late = (factories.patient(provider=ward.provider) for _ in range(2))
    for person in (told, late):
        factories.stay(patient=person, ward=ward, started_at=admitted)
    nurse = world.users["ward_manager"]
    common = {"occasion": "admission", "recipient": "patient", "outcome": "given", "format": "written"}
    rights_information_record(patient=told, by=nurse, given_at=admitted + dt.timedelta(days=2), **common)
    rights_information_record(patient=late, by=nurse, given_at=admitted + dt.timedelta(days=9), **common)
    series = measure_series(
        measure("rights-information-recorded"),
        ward_ids=[ward.pk],
        since=dt.date(2026, 3, 1),
        until=dt.date(2026, 3, 31),
    )
    (march,) = series.itertuples()
    assert (march.numerator, march.denominator, march.value) == (1, 2, 50.0)
