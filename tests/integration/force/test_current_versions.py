"""Force's vocabulary for "the current version of an incident": the querysets every count, list and
extract outside force reads records through."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.force.models import Incident, IncidentStatusChange, IncidentVersion, InterventionRecord
from rrp.force.selectors import recorded_types
from rrp.force.services import InterventionInput, incident_amend
from tests.integration.force.incident_data import T0


def test_current_versions_and_their_rows_are_the_latest_of_each_incident(complete_incident, nurse):
    amended = incident_amend(
        incident=complete_incident,
        by=nurse,
        reason="Only a standing restraint was used",
        interventions=[InterventionInput("07", T0, T0 + dt.timedelta(minutes=5), False)],
        outcome="Settled after five minutes",
    )

    assert list(IncidentVersion.objects.filter(incident=complete_incident).current()) == [amended]
    current = InterventionRecord.objects.filter(version__incident=complete_incident).current()
    assert [i.type_code for i in current] == ["07"]
    row = Incident.objects.with_current_version(outcome="outcome").get(pk=complete_incident.pk)
    assert (row.current_version_id, row.outcome) == (amended.pk, "Settled after five minutes")
    assert recorded_types([complete_incident.pk]) == {(complete_incident.pk, "07")}
    assert recorded_types([]) == set()


def test_not_closed_leaves_out_closed_incidents(complete_incident, nurse):
    assert list(Incident.objects.not_closed()) == [complete_incident]

    IncidentStatusChange.objects.create(
        incident=complete_incident, at=timezone.now(), by=nurse, from_status="reviewed", to_status="closed"
    )

    assert not Incident.objects.not_closed().exists()
