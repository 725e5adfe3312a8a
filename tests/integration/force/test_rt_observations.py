"""Physical health observations after rapid tranquillisation (NICE QS154): the hourly checklist (pure),
the recording service (validation, scope, audit, append-only) and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.models import PhysicalHealthObservation
from rrp.force.observations import HourState, rt_monitoring_state
from rrp.force.selectors import rt_monitoring_for
from rrp.force.services import InterventionInput, incident_record, rt_observation_record
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.force.incident_data import T0

RT = T0 + dt.timedelta(minutes=20)  # the rapid tranquillisation in the complete incident
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)

GOOD = {
    "pulse": 88,
    "bp_systolic": 124,
    "bp_diastolic": 78,
    "respiratory_rate": 16,
    "temperature": Decimal("36.8"),
    "oxygen_saturation": 97,
    "consciousness": "A",
    "hydration": "adequate",
}


def obs(at: dt.datetime, refused: bool = False) -> SimpleNamespace:
    return SimpleNamespace(observed_at=at, refused=refused)


def states(state) -> list[str]:
    return [str(h.state) for h in state.hours]


# --- The hourly checklist (pure) ---


def test_monitoring_none_without_rapid_tranquillisation():
    assert rt_monitoring_state(starts=[], observations=[], at=RT) is None


def test_monitoring_four_hours_by_default_each_due_on_the_hour():
    state = rt_monitoring_state(starts=[RT], observations=[], at=RT)
    assert [h.due_at for h in state.hours] == [RT + k * HOUR for k in (1, 2, 3, 4)]
    assert states(state) == ["due", "upcoming", "upcoming", "upcoming"]
    assert state.ends_at == RT + 4 * HOUR and state.next_due.number == 1


def test_monitoring_hours_configurable():
    state = rt_monitoring_state(starts=[RT], observations=[], at=RT, hours=6)
    assert len(state.hours) == 6


def test_monitoring_observation_exactly_on_the_hour_counts():
    state = rt_monitoring_state(starts=[RT], observations=[obs(RT + HOUR)], at=RT + HOUR + MINUTE)
    assert states(state)[:2] == ["recorded", "due"]
    assert not state.overdue


def test_monitoring_observation_one_minute_late_leaves_the_hour_overdue():
    state = rt_monitoring_state(starts=[RT], observations=[obs(RT + HOUR + MINUTE)], at=RT + HOUR + MINUTE)
    assert states(state)[:2] == ["overdue", "recorded"]
    assert [h.number for h in state.overdue] == [1]


def test_monitoring_hour_not_overdue_at_the_due_minute_but_overdue_one_minute_after():
    at_due = rt_monitoring_state(starts=[RT], observations=[], at=RT + HOUR)
    late = rt_monitoring_state(starts=[RT], observations=[], at=RT + HOUR + MINUTE)
    assert at_due.hours[0].state == HourState.DUE and not at_due.overdue
    assert late.hours[0].state == HourState.OVERDUE and late.hours[1].state == HourState.DUE


def test_monitoring_observation_at_the_injection_counts_for_the_first_hour():
    state = rt_monitoring_state(starts=[RT], observations=[obs(RT)], at=RT + 30 * MINUTE)
    assert state.hours[0].state == HourState.RECORDED


def test_monitoring_declined_counts_as_done_and_is_shown():
    state = rt_monitoring_state(starts=[RT], observations=[obs(RT + 50 * MINUTE, True)], at=RT + 2 * HOUR)
    assert states(state)[:2] == ["declined", "due"]


def test_monitoring_all_hours_kept_is_complete():
    taken = [obs(RT + k * HOUR - 5 * MINUTE) for k in (1, 2, 3, 4)]
    state = rt_monitoring_state(starts=[RT], observations=taken, at=RT + 5 * HOUR)
    assert states(state) == ["recorded"] * 4 and state.complete and state.next_due is None


def test_monitoring_a_second_injection_extends_the_period():
    state = rt_monitoring_state(starts=[RT, RT + 2 * HOUR], observations=[], at=RT)
    assert len(state.hours) == 6 and state.ends_at == RT + 6 * HOUR


# --- Recording (service) ---


@pytest.mark.django_db
def test_observation_recorded_and_audited(complete_incident, nurse):
    observation = rt_observation_record(
        incident=complete_incident,
        by=nurse,
        observed_at=RT + 50 * MINUTE + 30 * dt.timedelta(seconds=1),
        **GOOD,
    )
    assert observation.observed_at == RT + 50 * MINUTE  # kept to the minute
    assert observation.recorded_by == nurse and observation.temperature == Decimal("36.8")
    event = AuditEvent.objects.get(action=AuditAction.CREATE, record_type="force.PhysicalHealthObservation")
    assert (
        event.patient_id == complete_incident.patient_id
        and event.detail["incident_id"] == complete_incident.pk
    )
    page = rt_monitoring_for(
        complete_incident,
        interventions=list(complete_incident.latest_version.interventions.all()),
        at=RT + 61 * MINUTE,
    )
    assert page.observations == [observation] and page.state.hours[0].state == HourState.RECORDED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pulse", 19, "Pulse must be between 20 and 250"),
        ("pulse", 251, "Pulse must be between 20 and 250"),
        ("bp_systolic", 300, "Systolic blood pressure must be between"),
        ("bp_diastolic", 130, "Diastolic blood pressure must be lower than systolic"),
        ("respiratory_rate", 2, "Respiratory rate must be between 4 and 60"),
        ("temperature", Decimal("45.0"), "Temperature must be between 30.0 and 44.0"),
        ("oxygen_saturation", 101, "Oxygen saturation must be between 50 and 100"),
        ("consciousness", "X", "Choose alert, voice, pain or unresponsive"),
        ("hydration", "soggy", "Choose a level of hydration"),
        ("pulse", None, "Enter the pulse"),
        ("consciousness", "", "Choose the level of consciousness"),
    ],
)
def test_observation_invalid_value_named_and_nothing_saved(complete_incident, nurse, field, value, message):
    with pytest.raises(ValidationError) as problem:
        rt_observation_record(
            incident=complete_incident, by=nurse, observed_at=RT + HOUR, **(GOOD | {field: value})
        )
    assert any(message in m for m in problem.value.message_dict[field])
    assert PhysicalHealthObservation.objects.count() == 0


@pytest.mark.django_db
def test_observation_before_the_injection_refused(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        rt_observation_record(incident=complete_incident, by=nurse, observed_at=RT - MINUTE, **GOOD)
    assert problem.value.message_dict["observed_at"] == [
        "The observations cannot be before the rapid tranquillisation started"
    ]
    rt_observation_record(incident=complete_incident, by=nurse, observed_at=RT, **GOOD)  # at the start: fine


@pytest.mark.django_db
def test_observation_in_the_future_refused(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        rt_observation_record(
            incident=complete_incident, by=nurse, observed_at=timezone.now() + 2 * MINUTE, **GOOD
        )
    assert problem.value.message_dict["observed_at"] == ["The observations cannot be in the future"]


@pytest.mark.django_db
def test_observation_time_required(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        rt_observation_record(incident=complete_incident, by=nurse, observed_at=None, **GOOD)
    assert "observed_at" in problem.value.message_dict


@pytest.mark.django_db
def test_observation_declined_needs_a_note_then_needs_no_values(complete_incident, nurse):
    with pytest.raises(ValidationError) as problem:
        rt_observation_record(incident=complete_incident, by=nurse, observed_at=RT + HOUR, refused=True)
    assert set(problem.value.message_dict) == {"refused_note"}
    observation = rt_observation_record(
        incident=complete_incident,
        by=nurse,
        observed_at=RT + HOUR,
        refused=True,
        refused_note="Declined; breathing regular from the doorway",
        respiratory_rate=14,
        consciousness="A",
    )
    assert observation.refused and observation.pulse is None


@pytest.mark.django_db
def test_observation_refused_on_an_incident_without_rapid_tranquillisation(ward, patient, nurse):
    incident = incident_record(
        ward=ward, patient=patient, by=nurse, interventions=[InterventionInput("07", T0, T0 + MINUTE)]
    )
    with pytest.raises(ValidationError) as problem:
        rt_observation_record(incident=incident, by=nurse, observed_at=T0 + HOUR, **GOOD)
    assert "incident" in problem.value.message_dict


@pytest.mark.django_db
def test_observation_nothing_saved_when_audit_write_fails(complete_incident, nurse):
    failing = mock.patch("rrp.force.services.audit_record", side_effect=IntegrityError("audit unavailable"))
    with failing, pytest.raises(IntegrityError):
        rt_observation_record(incident=complete_incident, by=nurse, observed_at=RT + HOUR, **GOOD)
    assert PhysicalHealthObservation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["regulator", "commissioner", "national_analyst"])
def test_observation_refused_outside_ward_roles(world, complete_incident, role):
    with pytest.raises(PermissionDenied):
        rt_observation_record(incident=complete_incident, by=world.users[role], observed_at=RT + HOUR, **GOOD)
    assert PhysicalHealthObservation.objects.count() == 0


@pytest.fixture
def other_provider_nurse(world):
    return factories.user(role=Role.WARD_STAFF, provider=world.providers[1], wards=[world.wards["b1"]])


@pytest.mark.django_db
def test_observation_refused_to_another_provider(complete_incident, other_provider_nurse):
    with pytest.raises(PermissionDenied):
        rt_observation_record(
            incident=complete_incident, by=other_provider_nurse, observed_at=RT + HOUR, **GOOD
        )


@pytest.mark.django_db
def test_observations_are_append_only(complete_incident, nurse):
    observation = rt_observation_record(incident=complete_incident, by=nurse, observed_at=RT + HOUR, **GOOD)
    observation.pulse = 90
    with pytest.raises(Exception):  # noqa: B017 (AppendOnlyModel refuses; the type is the core's)
        observation.save()
    with pytest.raises(Exception):  # noqa: B017 (the database trigger refuses a raw update)
        PhysicalHealthObservation.objects.filter(pk=observation.pk)._raw_delete(using="default")


# --- Pages ---


def _post(**values) -> dict[str, str]:
    data = {
        "observed_date": "2026-03-01",
        "observed_time": "15:10",
        "pulse": "88",
        "bp_systolic": "124",
        "bp_diastolic": "78",
        "respiratory_rate": "16",
        "temperature": "36.8",
        "oxygen_saturation": "97",
        "consciousness": "A",
        "hydration": "adequate",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_incident_page_shows_the_checklist_and_overdue_hours(complete_incident, nurse):
    body = signed_in_client(nurse).get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert "Physical health observations after rapid tranquillisation" in body
    assert "Observations overdue" in body and "Record observations" in body


@pytest.mark.django_db
def test_incident_page_has_no_checklist_without_rapid_tranquillisation(ward, patient, nurse):
    incident = incident_record(ward=ward, patient=patient, by=nurse)
    body = signed_in_client(nurse).get(f"/incidents/{incident.pk}/").content.decode()
    assert "after rapid tranquillisation" not in body
    assert signed_in_client(nurse).get(f"/incidents/{incident.pk}/observations/new/").status_code == 404


@pytest.mark.django_db
def test_observation_form_records_and_returns_to_the_incident(complete_incident, nurse):
    client = signed_in_client(nurse)
    assert client.get(f"/incidents/{complete_incident.pk}/observations/new/").status_code == 200
    response = client.post(f"/incidents/{complete_incident.pk}/observations/new/", _post())
    assert response.status_code == 302 and response["Location"].endswith("#rt-monitoring")
    observation = PhysicalHealthObservation.objects.get()
    assert timezone.localtime(observation.observed_at).strftime("%H:%M") == "15:10"
    body = client.get(f"/incidents/{complete_incident.pk}/").content.decode()
    assert "124/78" in body


@pytest.mark.django_db
def test_observation_form_errors_name_the_field(complete_incident, nurse):
    response = signed_in_client(nurse).post(
        f"/incidents/{complete_incident.pk}/observations/new/", _post(pulse="400", observed_time="14:00")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pulse must be between 20 and 250" in body and 'href="#id_pulse"' in body
    assert "cannot be before the rapid tranquillisation started" in body
    assert PhysicalHealthObservation.objects.count() == 0


@pytest.mark.django_db
def test_observation_pages_404_for_another_provider(complete_incident, other_provider_nurse):
    client = signed_in_client(other_provider_nurse)
    assert client.get(f"/incidents/{complete_incident.pk}/observations/new/").status_code == 404
    assert client.post(f"/incidents/{complete_incident.pk}/observations/new/", _post()).status_code == 404
    assert PhysicalHealthObservation.objects.count() == 0


@pytest.mark.django_db
def test_observation_form_refused_to_read_only_roles(world, complete_incident):
    response = signed_in_client(world.users["regulator"]).get(
        f"/incidents/{complete_incident.pk}/observations/new/"
    )
    assert response.status_code in (403, 404)


@pytest.mark.django_db
def test_monitoring_period_read_from_settings(settings, complete_incident):
    settings.RRP_RT_MONITORING_HOURS = 6
    page = rt_monitoring_for(
        complete_incident, interventions=list(complete_incident.latest_version.interventions.all()), at=RT
    )
    assert len(page.state.hours) == 6 and page.state.ends_at == RT + 6 * HOUR
