"""Seed a probe database (run in a subprocess by server.py, after `migrate`): the shared synthetic world,
a patient on ward a1, incidents for writers to race on, one API token per writer. Prints what the probe
needs as JSON on its last line."""

from __future__ import annotations

import json
import sys

import django


def main(writers: int, shared: int) -> None:
    django.setup()
    from rrp.api.services import api_token_create
    from rrp.force.services import incident_record
    from rrp.people.models import StaffMember
    from tests import factories
    from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions

    world = factories.build_world()
    ward = world.wards["a1"]
    patient = factories.patient(
        provider=ward.provider, nhs_number="9434765919", primary_mental_disorder="F20.0"
    )
    factories.stay(patient=patient, ward=ward)
    staff = world.users["ward_staff"]
    nurse = StaffMember.objects.get(family_name="Nurse")
    incidents = [
        incident_record(
            ward=ward,
            patient=patient,
            by=staff,
            interventions=typical_interventions(),
            staff=two_staff(nurse),
            **complete_content(),
        ).pk
        for _ in range(shared)
    ]
    tokens = [api_token_create(user=staff, by=None)[1] for _ in range(writers)]
    print(
        json.dumps(
            {
                "ward_id": ward.pk,
                "patient_id": patient.pk,
                "incidents": incidents,
                "tokens": tokens,
                "username": staff.username,
                "password": "correct-horse-battery",
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
