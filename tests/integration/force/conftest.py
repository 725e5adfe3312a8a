"""Fixtures for use-of-force service tests: a patient with an NHS number on ward a1, and a complete
incident."""

from __future__ import annotations

import pytest

from rrp.force.services import incident_record
from rrp.people.models import StaffMember
from tests import factories
from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions


@pytest.fixture
def ward(world):
    return world.wards["a1"]


@pytest.fixture
def patient(world, ward):
    person = factories.patient(
        provider=ward.provider, nhs_number="9434765919", primary_mental_disorder="F20.0", ethnic_category="M"
    )
    factories.stay(patient=person, ward=ward)
    return person


@pytest.fixture
def nurse(world):
    return world.users["ward_staff"]


@pytest.fixture
def roster_nurse(world):
    return StaffMember.objects.get(family_name="Nurse")


@pytest.fixture
def complete_incident(ward, patient, nurse, roster_nurse):
    return incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=typical_interventions(),
        staff=two_staff(roster_nurse),
        **complete_content(),
    )
