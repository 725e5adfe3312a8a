"""rrp import incidents: all or nothing, every error by row and column, idempotent by source id,
a changed incident gets a new version, and the same through the API."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from rrp.api.services import api_token_create
from rrp.core.csv_import import ImportRejected
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.codes import IncidentStatus
from rrp.force.imports import ALL_COLUMNS, incidents_import
from rrp.force.models import CqcNotificationTask, Incident, IncidentFlag, IncidentVersion, InterventionRecord
from rrp.force.services import incident_close, incident_review, incident_submit
from tests.integration.api.conftest import ApiClient
from tests.integration.force.incident_data import closing_review, every_follow_up_skipped

BASE = {
    "source_system": "Datix",
    "patient_nhs_number": "943 476 5919",
    "reason_code": "10",
    "reason_text": "Punching another patient",
    "place_on_ward": "Lounge",
    "occurred_at": "2026-03-01 14:05",
    "ended_at": "2026-03-01 14:45",
    "how_force_used": "Held prone, turned supine, then IM lorazepam",
    "outcome": "Settled",
    "patient_died": "N",
    "patient_serious_injury": "N",
    "injury_patient": "N",
    "injury_staff": "N",
    "injury_others": "N",
    "abuse_alleged": "N",
    "non_staff_involved": "N",
    "deescalation": "verbal;time_and_space",
    "deescalation_text": "Offered quiet room",
    "care_plan_notification_sent": "Y",
    "care_plan_notified_to": "Mother",
    "care_plan_notified_at": "2026-03-01 16:00",
    "staff": "Sam Nurse|Staff nurse|head;Alex Agency|Healthcare assistant (agency)|left_arm",
}
INTERVENTIONS = [
    ("01", "2026-03-01 14:06", "2026-03-01 14:15", "N"),
    ("09", "2026-03-01 14:15", "2026-03-01 14:30", "N"),
    ("14", "2026-03-01 14:25", "2026-03-01 14:26", "Y"),
]


def rows_for(source_id: str, ward_code: str, **changes: str) -> list[dict[str, str]]:
    out = []
    for code, start, end, plan in INTERVENTIONS:
        out.append(
            {
                **BASE,
                "source_id": source_id,
                "ward_code": ward_code,
                "intervention_type": code,
                "intervention_started_at": start,
                "intervention_ended_at": end,
                "intervention_in_care_plan": plan,
                **changes,
            }
        )
    return out


def to_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=columns or ALL_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return handle.getvalue()


@pytest.fixture
def governance(world):
    return world.users["provider_governance"]


@pytest.fixture
def good_file(ward, patient, other_patient):
    return to_csv(
        [
            *rows_for("INC-1", ward.code),
            *rows_for(
                "INC-2",
                ward.code,
                patient_nhs_number="",
                patient_local_identifier=other_patient.local_identifier,
            ),
        ]
    )


@pytest.fixture
def other_patient(world):
    return world.patients["a1"]


def run(text: str, by) -> dict[str, int]:
    return incidents_import(source=io.StringIO(text, newline=""), by=by)


def test_import_good_file_creates_draft_incidents_with_versions(
    good_file, governance, ward, patient, other_patient, roster_nurse
):
    counts = run(good_file, governance)
    assert counts == {"rows": 6, "created": 2, "amended": 0, "unchanged": 0}
    incident = Incident.objects.get(source_id="INC-1")
    assert (incident.ward, incident.patient, incident.source_system, incident.status) == (
        ward,
        patient,
        "Datix",
        IncidentStatus.DRAFT,
    )
    assert Incident.objects.get(source_id="INC-2").patient == other_patient
    version = incident.versions.get()
    assert version.number == 1 and version.recorded_by == governance
    assert version.occurred_at == dt.datetime(2026, 3, 1, 14, 5, tzinfo=dt.UTC)  # GMT in March
    assert (
        version.deescalation == ["verbal", "time_and_space"] and version.care_plan_notification_sent is True
    )
    assert version.patient_snapshot["primary_mental_disorder"] == "F20.0"
    assert [i.type_code for i in version.interventions.all()] == ["01", "09", "14"]
    staff = list(version.staff.order_by("id"))
    assert [(s.staff_member, s.name, s.part) for s in staff] == [
        (roster_nurse, "Sam Nurse", "head"),
        (None, "Alex Agency", "left_arm"),
    ]
    from rrp.force.services import incident_missing_items

    assert incident_missing_items(incident) == []


def test_import_raises_the_same_triggers_as_the_services(good_file, governance):
    run(good_file, governance)
    incident = Incident.objects.get(source_id="INC-1")
    assert set(IncidentFlag.objects.filter(incident=incident).values_list("kind", flat=True)) == {
        "prone_review",
        "rt_monitoring",
    }
    assert not CqcNotificationTask.objects.exists()


def test_import_audits_one_import_event_and_each_create(good_file, governance):
    run(good_file, governance)
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, actor_id=governance.pk).count() == 1
    creates = AuditEvent.objects.filter(action=AuditAction.CREATE, record_type="force.Incident")
    assert sorted(int(e.record_id) for e in creates) == sorted(Incident.objects.values_list("pk", flat=True))
    assert all(e.patient_id and e.provider_id and e.detail["imported"] for e in creates)


def test_import_reimporting_unchanged_file_changes_nothing(good_file, governance):
    run(good_file, governance)
    counts = run(good_file, governance)
    assert counts == {"rows": 6, "created": 0, "amended": 0, "unchanged": 2}
    assert IncidentVersion.objects.count() == 2 and InterventionRecord.objects.count() == 6


def test_import_changed_row_makes_a_new_version(good_file, governance, ward):
    run(good_file, governance)
    changed = to_csv(
        rows_for("INC-1", ward.code, outcome="Moved to seclusion", police_requested_at="2026-03-01 14:20")
    )
    counts = run(changed, governance)
    assert counts == {"rows": 3, "created": 0, "amended": 1, "unchanged": 0}
    incident = Incident.objects.get(source_id="INC-1")
    latest = incident.latest_version
    assert (
        latest.number == 2
        and latest.change_reason == "Imported update"
        and latest.outcome == "Moved to seclusion"
    )
    assert latest.patient_snapshot == incident.versions.get(number=1).patient_snapshot
    assert latest.interventions.count() == 3
    assert CqcNotificationTask.objects.get(incident=incident).reasons == ["police"]
    assert IncidentFlag.objects.filter(incident=incident).count() == 2  # flags once per kind
    assert (
        AuditEvent.objects.filter(action=AuditAction.CHANGE, record_id=str(incident.pk))
        .get()
        .detail["reason"]
        == "Imported update"
    )
    assert run(changed, governance)["unchanged"] == 1


def test_import_changed_intervention_makes_a_new_version(good_file, governance, ward):
    run(good_file, governance)
    rows = rows_for("INC-1", ward.code)[:2]
    assert run(to_csv(rows), governance)["amended"] == 1
    assert Incident.objects.get(source_id="INC-1").latest_version.interventions.count() == 2


def test_import_bad_file_reports_every_error_by_row_and_column_and_saves_nothing(ward, world, governance):
    rows = rows_for("INC-1", ward.code)
    rows[0]["intervention_type"] = "02"
    rows[1]["intervention_ended_at"] = "2026-03-01 14:00"
    rows[2]["outcome"] = "Something else"  # incident columns differ between rows of one incident
    rows += rows_for("INC-2", "NOWARD")
    rows += rows_for("INC-3", world.wards["b1"].code)  # another provider's ward
    rows += rows_for(
        "INC-4",
        ward.code,
        patient_nhs_number="1234567890",
        reason_code="42",
        patient_died="maybe",
        staff="Just a name",
        occurred_at="01/03/2026",
    )
    rows += rows_for("", ward.code, intervention_started_at="")[:1]
    with pytest.raises(ImportRejected) as rejected:
        run(to_csv(rows), governance)
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert {
        (2, "intervention_type"),
        (3, "intervention_ended_at"),
        (4, "outcome"),
        (5, "ward_code"),
        (8, "ward_code"),
        (11, "patient_nhs_number"),
        (11, "reason_code"),
        (11, "patient_died"),
        (11, "staff"),
        (11, "occurred_at"),
        (14, "source_id"),
        (14, "intervention_started_at"),
    } <= found
    messages = {(e.row, e.column): str(e) for e in rejected.value.errors}
    assert "no longer a valid MHSDS" in messages[(2, "intervention_type")]
    assert "differs from row 2" in messages[(4, "outcome")]
    assert Incident.objects.count() == 0 and AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 0


def test_import_header_problems_are_reported_on_row_one(governance):
    text = "source_system,source_id,ward_code,colour\nDatix,1,W,red\n"
    with pytest.raises(ImportRejected) as rejected:
        run(text, governance)
    assert {(e.row, e.column) for e in rejected.value.errors} == {
        (1, "intervention_type"),
        (1, "intervention_started_at"),
        (1, "patient_nhs_number"),
        (1, "colour"),
    }


@pytest.mark.parametrize("role", ["regulator", "commissioner"])
def test_import_by_read_only_role_finds_no_ward(good_file, world, role):
    with pytest.raises(ImportRejected) as rejected:
        run(good_file, world.users[role])
    assert {e.column for e in rejected.value.errors} == {"ward_code"}


def test_import_closed_incident_change_needs_provider_governance(good_file, governance, world, ward):
    run(good_file, governance)
    incident = Incident.objects.get(source_id="INC-1")
    incident_submit(incident=incident, by=world.users["ward_staff"])
    incident_review(incident=incident, by=governance)
    incident_close(
        incident=incident, by=governance, review=closing_review(), skipped=every_follow_up_skipped()
    )
    changed = to_csv(rows_for("INC-1", ward.code, outcome="Changed"))
    with pytest.raises(ImportRejected) as rejected:
        run(changed, world.users["ward_manager"])
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "source_id")]
    assert run(changed, governance)["amended"] == 1


def test_import_command_reports_counts_and_errors(tmp_path, good_file, governance):
    path = tmp_path / "incidents.csv"
    path.write_text(good_file, encoding="utf-8")
    out = io.StringIO()
    call_command("import_incidents", str(path), "--user", governance.username, stdout=out)
    assert "2 new incidents" in out.getvalue()
    path.write_text(good_file.replace("Lounge", "Garden", 1), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command(
            "import_incidents", str(path), "--user", governance.username, stdout=io.StringIO(), stderr=err
        )
    assert "Row 3, column place_on_ward" in err.getvalue()


def test_import_command_missing_file(governance):
    with pytest.raises(CommandError, match="No file"):
        call_command("import_incidents", "/nonexistent.csv", "--user", governance.username)


def test_import_through_api(good_file, governance):
    _, token = api_token_create(user=governance, by=None)
    client = ApiClient(token)
    response = client.upload("/api/incidents/import", good_file)
    assert response.status_code == 200, response.content
    assert response.json() == {"rows": 6, "created": 2, "amended": 0, "unchanged": 0}
    assert client.upload("/api/incidents/import", good_file).json()["unchanged"] == 2


def test_import_through_api_rejects_with_row_and_column_problems(good_file, governance):
    _, token = api_token_create(user=governance, by=None)
    bad = good_file.replace("2026-03-01 14:06", "soon", 1)
    response = ApiClient(token).upload("/api/incidents/import", bad)
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:rrp:problem:import-rejected"
    assert problem["errors"] == [
        {
            "field": "intervention_started_at",
            "message": problem["errors"][0]["message"],
            "row": 2,
            "column": "intervention_started_at",
            "value": "soon",
        }
    ]
    assert Incident.objects.count() == 0


def test_import_through_api_read_only_role_is_403(good_file, world):
    _, token = api_token_create(user=world.users["regulator"], by=None)
    assert ApiClient(token).upload("/api/incidents/import", good_file).status_code == 403


@pytest.mark.parametrize(
    ("type_code", "started", "ended"),
    [
        ("02", dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC), None),
        ("99", dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC), None),
        ("01", None, None),
        ("01", dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.UTC)),
    ],
)
def test_import_intervention_rules_say_what_the_service_says(type_code, started, ended):
    from rrp.force.imports import INTERVENTION_FIELD_COLUMNS, intervention_problems
    from rrp.force.services import InterventionInput, _validate_interventions

    found: dict[str, list[str]] = {}
    _validate_interventions([InterventionInput(type_code, started, ended)], found)
    expected = sorted((INTERVENTION_FIELD_COLUMNS[k.split(".")[1]], m) for k, ms in found.items() for m in ms)
    assert sorted(intervention_problems(type_code, started, ended)) == expected


def test_import_content_and_staff_rules_say_what_the_service_says(ward):
    from rrp.force.imports import content_problems, staff_problems
    from rrp.force.services import StaffInput, _validate_content, _validate_staff

    t = dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC)
    content = {
        "reason_code": "42",
        "deescalation": ["verbal", "shouting"],
        "non_staff_types": ["alien"],
        "occurred_at": t,
        "ended_at": t - dt.timedelta(hours=1),
        "police_requested_at": t,
        "police_arrived_at": t - dt.timedelta(minutes=5),
    }
    found: dict[str, list[str]] = {}
    _validate_content(content, found)
    assert sorted(content_problems(content)) == sorted((k, m) for k, ms in found.items() for m in ms)
    staff = [("", "Nurse", "head"), ("Sam", "Nurse", "juggler")]
    found = {}
    _validate_staff([StaffInput(part=p, name=n, job_title=j) for n, j, p in staff], ward, found)
    assert sorted(staff_problems(staff)) == sorted(m for ms in found.values() for m in ms)


def test_import_refuses_a_time_the_clocks_skipped(ward, patient, governance):
    rows = rows_for("INC-1", ward.code, occurred_at="2026-03-29 01:30")
    with pytest.raises(ImportRejected) as rejected:
        run(to_csv(rows), governance)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "occurred_at")]
    assert "clocks went forward" in rejected.value.errors[0].reason


def test_import_reads_summer_time_and_offsets(ward, patient, governance):
    rows = rows_for(
        "INC-1",
        ward.code,
        occurred_at="2026-07-01 14:05",
        ended_at="2026-07-01T14:45:00+00:00",
        care_plan_notified_at="2026-07-01 16:00",
    )
    for row in rows:  # the interventions on the same day, in the incident's summer-time hour
        for column in ("intervention_started_at", "intervention_ended_at"):
            row[column] = row[column].replace("2026-03-01 14:", "2026-07-01 14:")
    run(to_csv(rows), governance)
    version = Incident.objects.get().latest_version
    assert version.occurred_at == dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)
    assert version.ended_at == dt.datetime(2026, 7, 1, 14, 45, tzinfo=dt.UTC)


def test_import_accepts_the_minimum_columns(ward, patient, governance):
    text = (
        "source_system,source_id,ward_code,patient_nhs_number,intervention_type,intervention_started_at\n"
        f"Ulysses,77,{ward.code},9434765919,09,2026-03-01 10:00\n"
    )
    assert run(text, governance)["created"] == 1
    version = Incident.objects.get(source_system="Ulysses").latest_version
    assert (
        version.outcome == ""
        and version.patient_died is None
        and version.interventions.get().type_code == "09"
    )


def test_import_makes_stored_monthly_figures_of_old_and_new_months_stale(good_file, governance, ward):
    from rrp.measures.catalogue import measure
    from rrp.measures.series import measure_series

    rate = measure("restrictive-interventions-per-1000-obd")
    window = {"ward_ids": [ward.pk], "since": dt.date(2026, 3, 1), "until": dt.date(2026, 4, 30)}

    def counts(**kw) -> list[float]:
        return measure_series(rate, **window, **kw)["numerator"].tolist()

    assert counts() == [0, 0]  # the store holds March and April before the import
    run(good_file, governance)
    assert counts() == counts(stored=False) == [6, 0]
    moved = [
        {
            **row,
            "occurred_at": "2026-04-02 09:00",
            "ended_at": "2026-04-02 09:05",
            "care_plan_notified_at": "2026-04-02 10:00",
            "intervention_started_at": "2026-04-02 09:00",
            "intervention_ended_at": "2026-04-02 09:05",
        }
        for row in rows_for("INC-1", ward.code)
    ]
    assert run(to_csv(moved), governance)["amended"] == 1
    assert counts() == counts(stored=False) == [3, 3]


def test_import_just_after_midnight_on_the_1st_in_summer_refreshes_that_month(governance, ward, patient):
    """00:30 on 1 June in the UK is 23:30 on 31 May in UTC: June's stored figures must still go stale."""
    from rrp.measures.catalogue import measure
    from rrp.measures.series import measure_series

    window = {"ward_ids": [ward.pk], "since": dt.date(2026, 6, 1), "until": dt.date(2026, 6, 30)}
    rate = measure("restrictive-interventions-per-1000-obd")
    assert measure_series(rate, **window)["numerator"].tolist() == [0]
    rows = [
        {
            **row,
            "occurred_at": "2026-06-01 00:25",
            "ended_at": "2026-06-01 00:45",
            "care_plan_notified_at": "2026-06-01 02:00",
            "intervention_started_at": "2026-06-01 00:30",
            "intervention_ended_at": "2026-06-01 00:40",
        }
        for row in rows_for("INC-9", ward.code)[:1]
    ]
    try:
        created = run(to_csv(rows), governance)["created"]
    except ImportRejected as rejected:
        raise AssertionError([str(e) for e in rejected.errors]) from None
    assert created == 1

    assert measure_series(rate, **window)["numerator"].tolist() == [1]
