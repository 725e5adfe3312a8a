"""A cancelled admission or transfer (HL7 A11/A12) is kept, marked cancelled, and counts nowhere (decision
0053): not in who may see a patient on a ward, the patients offered on a ward, the wards a person's
oversight records belong to, the LTS oversight figures, or the version of a ward's cached charts. The
default manager reads only standing stays; these are the joins through a patient's or spell's stays,
which a default manager does not filter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.organisations.models import Ward
from rrp.people.models import HospitalSpell, Patient, WardStay
from rrp.people.selectors import patients_for
from rrp.reports.chart_cache import records_version
from rrp.segregation.oversight import may_record_about
from rrp.segregation.oversight_selectors import oversight_figures
from rrp.segregation.selectors import patients_for_ward
from tests import factories
from tests.integration.segregation.test_oversight_cetrs import record

pytestmark = pytest.mark.django_db


def _cancel(stay: WardStay) -> None:
    WardStay.all_rows.filter(pk=stay.pk).update(cancelled_at=timezone.now())


@pytest.fixture
def moved_back(world) -> Patient:
    """A patient of provider A on ward a2 whose transfer to ward a1 was cancelled (A12)."""
    patient = factories.patient(provider=world.providers[0])
    a1, a2 = world.wards["a1"], world.wards["a2"]
    stay = factories.stay(patient=patient, ward=a2, started_at=timezone.now() - dt.timedelta(days=5))
    wrong = WardStay.objects.create(
        spell=stay.spell, patient=patient, ward=a1, started_at=timezone.now() - dt.timedelta(days=2)
    )
    _cancel(wrong)
    return patient


def test_ward_staff_do_not_see_a_patient_whose_only_stay_on_their_ward_was_cancelled(world, moved_back):
    nurse = world.users["ward_staff"]  # ward a1 only
    assert not patients_for(nurse).filter(pk=moved_back.pk).exists()
    assert patients_for(world.users["ward_manager"]).filter(pk=moved_back.pk).exists()  # a1 and a2


def test_the_patients_offered_on_a_ward_leave_out_a_cancelled_stay(world, moved_back):
    governance = world.users["provider_governance"]
    assert moved_back not in patients_for_ward(governance, world.wards["a1"])
    assert moved_back in patients_for_ward(governance, world.wards["a2"])


def test_oversight_records_are_not_tied_to_a_ward_by_a_cancelled_stay(world, moved_back):
    assert not may_record_about(world.users["ward_staff"], moved_back)
    assert may_record_about(world.users["ward_manager"], moved_back)


def test_lts_oversight_figures_leave_out_a_person_whose_stay_on_the_wards_was_cancelled(world):
    patient = world.patients["a1"]
    Patient.objects.filter(pk=patient.pk).update(autism="Y")
    patient.refresh_from_db()
    record(patient, world.users["ward_staff"])  # a C(E)TR (no episode) with a recommendation overdue
    provider, wards = world.providers[0], Ward.objects.filter(pk=world.wards["a1"].pk)
    assert oversight_figures(provider, wards).recommendations_overdue == 1
    for stay in WardStay.objects.filter(patient=patient):
        _cancel(stay)
    HospitalSpell.all_rows.filter(patient=patient).update(cancelled_at=timezone.now())
    assert oversight_figures(provider, wards).recommendations_overdue == 0


def test_a_wards_chart_version_ignores_the_spell_of_a_cancelled_stay(world, moved_back):
    a1 = world.wards["a1"]
    today = timezone.localdate()
    window = {"since": today - dt.timedelta(days=60), "until": today}
    before = records_version([a1.pk], **window)
    # Only ward a2 changes: the spell's stay on a1 was cancelled, so a1's charts read nothing of it.
    WardStay.objects.filter(patient=moved_back, ward=world.wards["a2"]).update(
        started_at=timezone.now() - dt.timedelta(days=6)
    )
    assert records_version([a1.pk], **window) == before
