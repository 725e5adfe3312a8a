"""Records for the measure series tests: incidents, bed days and seclusion episodes written through the
services (as the wards would), on the shared ``world``'s wards."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.figures.store import mark_changed
from rrp.force.services import InterventionInput, incident_record
from rrp.organisations.models import BedDaysSource, MonthlyBedDays
from tests import factories

SINCE, UNTIL = dt.date(2025, 1, 1), dt.date(2025, 3, 31)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def record(world, ward_key: str, *types_and_starts, patient=None):
    """One incident on a ward with interventions given as (type code, start, minutes)."""
    return incident_record(
        ward=world.wards[ward_key],
        patient=patient or world.patients[ward_key],
        by=world.users["provider_governance"]
        if ward_key.startswith("a")
        else factories.user(role=Role.PROVIDER_GOVERNANCE, provider=world.wards[ward_key].provider),
        interventions=[
            InterventionInput(
                type_code=code, started_at=start, ended_at=start + dt.timedelta(minutes=minutes)
            )
            for code, start, minutes in types_and_starts
        ],
        durations_confirmed=True,  # the measures count long restraints too (prone over 10 minutes)
    )


def bed_days(ward, month: dt.date, value: int) -> None:
    MonthlyBedDays.objects.create(
        ward=ward, month=month, bed_days=value, source=BedDaysSource.MANUAL, recorded_at=timezone.now()
    )
    mark_changed([(ward.pk, month)])  # as organisations.services does


def seclusion_episode(world, ward_key: str, start: dt.datetime, hours: float, incident=None):
    from rrp.segregation.services import episode_start

    return episode_start(
        ward=world.wards[ward_key],
        patient=world.patients[ward_key],
        kind="seclusion",
        by=world.users["provider_governance"],
        started_at=start,
        ended_at=start + dt.timedelta(hours=hours),
        end_reason="Calm and talking",
        authorised_by_name="Dr Example",
        place="Seclusion room 1",
        reason="Severe behavioural disturbance likely to harm others",
        end_plan="End when calm",
        incident=incident,
    )
