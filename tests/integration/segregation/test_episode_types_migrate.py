"""Issue 13: seclusion and segregation recorded as types of force (05, 06) before the task list are
moved onto their episodes by `rrp episode_types_migrate`: linked, the 05/06 rows left out by a new
version with a reason, idempotent, audited, and anything it cannot match listed, not guessed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rrp.core.models import AuditAction, AuditEvent
from rrp.force.services import InterventionInput, incident_record
from rrp.segregation.services import episode_start
from tests.integration.segregation.episode_data import seclusion_kwargs


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("episode_types_migrate", *args, stdout=out)
    return out.getvalue()


def _old_incident(ward, patient, by, started, *codes):
    return incident_record(
        ward=ward,
        patient=patient,
        by=by,
        interventions=[
            InterventionInput(code, started + dt.timedelta(minutes=n), started + dt.timedelta(minutes=n + 5))
            for n, code in enumerate(codes)
        ],
        durations_confirmed=True,
    )


def test_an_old_seclusion_type_moves_onto_its_episode_once(world, ward, patient, roster, started):
    governance = world.users["provider_governance"]
    doctor = roster["doctor"]
    incident = _old_incident(ward, patient, governance, started - dt.timedelta(days=2), "07", "05")
    episode = episode_start(
        ward=ward,
        patient=patient,
        by=governance,
        started_at=started - dt.timedelta(days=2) + dt.timedelta(minutes=10),
        authorised_by=doctor,
        authorised_by_name=doctor.name,
        **seclusion_kwargs(),
    )
    no_episode = _old_incident(ward, patient, governance, started - dt.timedelta(days=9), "07", "05")

    preview = _run("--by", governance.username, "--dry-run")
    assert f"Incident {incident.pk}: episode {episode.pk} would be linked" in preview
    assert incident.versions.count() == 1 and episode.versions.count() == 1

    output = _run("--by", governance.username)

    assert f"Incident {incident.pk}: episode {episode.pk} linked to it" in output
    assert f"Incident {no_episode.pk}: left as it is, no episode found for the seclusion" in output
    assert episode.versions.order_by("-number").first().incident_id == incident.pk
    latest = incident.versions.order_by("-number").first()
    assert (latest.number, [i.type_code for i in latest.interventions.all()]) == (2, ["07"])
    assert f"episode {episode.pk}" in latest.change_reason
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, record_id=str(incident.pk), actor_id=governance.pk
    ).exists()
    assert no_episode.versions.count() == 1
    # Idempotent: nothing more to do, the one it cannot match is listed again.
    again = _run("--by", governance.username)
    assert again.startswith(f"Incident {no_episode.pk}: left as it is")
    assert "0 incidents changed, 0 episodes linked, 1 left" in again
    assert incident.versions.count() == 2 and episode.versions.count() == 2


def test_only_provider_governance_may_run_it(world):
    with pytest.raises(CommandError, match="Only provider governance") as refused:
        _run("--by", world.users["ward_manager"].username)
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="no user is called"):
        _run("--by", "nobody")
