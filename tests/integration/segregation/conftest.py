"""Fixtures for seclusion and segregation tests: ward a1's patient and a small roster of staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.people.models import StaffMember
from rrp.segregation.services import episode_start
from tests.integration.segregation.episode_data import lts_kwargs, seclusion_kwargs


def staff(provider, given: str, group: str, title: str) -> StaffMember:
    return StaffMember.objects.create(
        provider=provider, given_name=given, family_name="Roster", job_title=title, staff_group=group
    )


@pytest.fixture
def ward(world):
    return world.wards["a1"]


@pytest.fixture
def patient(world):
    return world.patients["a1"]


@pytest.fixture
def nurse_user(world):
    return world.users["ward_staff"]


@pytest.fixture
def roster(world, ward):
    provider = ward.provider
    return {
        "nurse1": staff(provider, "Nia", "nursing", "Staff nurse"),
        "nurse2": staff(provider, "Noor", "nursing", "Charge nurse"),
        "doctor": staff(provider, "Dev", "medical", "Consultant psychiatrist"),
        "hca": staff(provider, "Hal", "support", "Healthcare assistant"),
        "psychologist": staff(provider, "Pat", "psychology", "Clinical psychologist"),
    }


@pytest.fixture
def started():
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)


@pytest.fixture
def seclusion(ward, patient, nurse_user, roster, started):
    return episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=started,
        authorised_by=roster["nurse1"],
        **seclusion_kwargs(),
    )


@pytest.fixture
def lts(ward, patient, nurse_user, roster):
    """Ward a1's patient in long-term segregation for the last 120 days."""
    return episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=timezone.now() - dt.timedelta(days=120),
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
