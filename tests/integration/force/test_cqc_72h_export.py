"""The proposed CQC "notify within 72 hours" export: off by default, one row per incident and category of
force started in the window, pseudonymised, audited."""

from __future__ import annotations

import csv
import datetime as dt
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from rrp.cli.main import to_management_argv
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.export import ExportSwitchedOff, cqc_72h_export, patient_key
from rrp.force.services import InterventionInput, incident_amend, incident_record
from rrp.organisations.models import Ward
from tests import factories
from tests.integration.force.incident_data import T0

pytestmark = pytest.mark.django_db
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def switched_on(settings):
    settings.RRP_CQC_72H_EXPORT = True


def read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cli_maps_export_cqc_72h():
    assert to_management_argv(["export", "cqc-72h", "--output", "x.csv"]) == [
        "export_cqc_72h",
        "--output",
        "x.csv",
    ]


def test_export_off_by_default_refuses_and_writes_nothing(complete_incident, tmp_path):
    assert django_settings.RRP_CQC_72H_EXPORT is False
    output = tmp_path / "cqc.csv"
    with pytest.raises(CommandError, match=r"switched off.*RRP_CQC_72H_EXPORT=1"):
        call_command("export_cqc_72h", "--output", str(output))
    with pytest.raises(ExportSwitchedOff):
        cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=2))
    assert not output.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_one_row_per_incident_and_category(switched_on, complete_incident, tmp_path):
    output = tmp_path / "cqc.csv"
    count = cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=2))
    rows = read(output)
    assert count == 2 and [r["category"] for r in rows] == ["physical", "chemical"]
    physical, chemical = rows
    assert physical == {
        "incident_id": str(complete_incident.pk),
        "provider_ods": complete_incident.provider.ods_code,
        "ward_code": complete_incident.ward.code,
        "patient_key": patient_key(complete_incident.patient_id),
        "category": "physical",
        "type_codes": "01 09",
        "started_at": (T0 + MINUTE).isoformat(),
        "ended_at": (T0 + 25 * MINUTE).isoformat(),
        "in_care_plan": "no",
        "incident_status": "draft",
        "hours_since_start": "2.0",
    }
    assert (chemical["type_codes"], chemical["in_care_plan"]) == ("14", "yes")
    assert chemical["started_at"] == (T0 + 20 * MINUTE).isoformat() and chemical["hours_since_start"] == "1.7"


def test_export_seclusion_and_segregation_are_one_isolation_row(switched_on, ward, patient, nurse, tmp_path):
    incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=[
            InterventionInput("05", T0, T0 + 60 * MINUTE, True),
            InterventionInput("06", T0 + 60 * MINUTE, None, None),
        ],
    )
    output = tmp_path / "cqc.csv"
    cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=3))
    (row,) = read(output)
    assert (row["category"], row["type_codes"], row["ended_at"], row["in_care_plan"]) == (
        "isolation",
        "05 06",
        "",
        "not recorded",
    )


@pytest.mark.parametrize(
    ("since", "at", "categories"),
    [
        (T0, T0 + dt.timedelta(hours=2), ["physical", "chemical"]),
        (T0 + MINUTE, T0 + dt.timedelta(hours=2), ["physical", "chemical"]),  # start exactly on `since`
        (T0 + 2 * MINUTE, T0 + dt.timedelta(hours=2), ["chemical"]),  # physical started a minute before
        (T0, T0 + 19 * MINUTE, ["physical"]),  # the injection is after the export instant
        (T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=2), []),
    ],
)
def test_export_window(switched_on, complete_incident, tmp_path, since, at, categories):
    output = tmp_path / "cqc.csv"
    cqc_72h_export(output=output, since=since, at=at)
    assert [r["category"] for r in read(output)] == categories


def test_export_uses_the_latest_version(switched_on, complete_incident, nurse, tmp_path):
    incident_amend(
        incident=complete_incident,
        by=nurse,
        reason="It was a seated restraint only",
        interventions=[InterventionInput("11", T0 + MINUTE, T0 + 5 * MINUTE, False)],
    )
    output = tmp_path / "cqc.csv"
    cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=2))
    assert [(r["category"], r["type_codes"]) for r in read(output)] == [("physical", "11")]


def test_export_has_no_patient_identifiers(switched_on, complete_incident, patient, tmp_path):
    output = tmp_path / "cqc.csv"
    cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=2))
    text = output.read_text(encoding="utf-8")
    for identifier in (patient.given_name, patient.family_name, patient.nhs_number, "943 476 5919"):
        assert identifier and identifier not in text
    assert "name" not in text.splitlines()[0] and "nhs" not in text.splitlines()[0].lower()
    assert str(patient.pk) not in {r["patient_key"] for r in read(output)}


def test_export_audited_with_the_incidents_it_contains(switched_on, complete_incident, tmp_path):
    cqc_72h_export(output=tmp_path / "cqc.csv", since=T0, at=T0 + dt.timedelta(hours=2))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["incident_ids"] == [complete_incident.pk] and event.detail["rows"] == 2
    assert event.detail["export"] == "cqc_72h"


def test_export_writes_no_file_when_audit_write_fails(switched_on, complete_incident, tmp_path):
    output = tmp_path / "cqc.csv"
    failing = mock.patch("rrp.force.export.audit_record", side_effect=IntegrityError("audit unavailable"))
    with failing, pytest.raises(IntegrityError):
        cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=2))
    assert not output.exists()


@pytest.fixture
def recent_incidents(world, ward, patient, nurse):
    """One incident an hour ago on ward a1 (provider A), one on ward b1 (provider B), one four days ago."""
    now = timezone.now().replace(second=0, microsecond=0)
    recent = incident_record(
        ward=ward, patient=patient, by=nurse, interventions=[InterventionInput("07", now - 60 * MINUTE)]
    )
    b_nurse = factories.user(role="ward_staff", provider=world.providers[1], wards=[world.wards["b1"]])
    other = incident_record(
        ward=world.wards["b1"],
        patient=world.patients["b1"],
        by=b_nurse,
        interventions=[InterventionInput("04", now - 30 * MINUTE)],
    )
    old = incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=[InterventionInput("16", now - dt.timedelta(days=4))],
    )
    return recent, other, old


def test_command_default_window_is_72_hours(switched_on, recent_incidents, tmp_path, capsys):
    recent, other, _old = recent_incidents
    output = tmp_path / "cqc.csv"
    call_command("export_cqc_72h", "--output", str(output))
    assert sorted(int(r["incident_id"]) for r in read(output)) == sorted([recent.pk, other.pk])
    assert "Wrote 2 uses of force" in capsys.readouterr().out


def test_command_provider_and_since(switched_on, world, recent_incidents, tmp_path):
    recent, _other, old = recent_incidents
    output = tmp_path / "cqc.csv"
    since = (timezone.now() - dt.timedelta(days=5)).date().isoformat()
    call_command(
        "export_cqc_72h", "--provider", world.providers[0].ods_code, "--since", since, "--output", str(output)
    )
    assert sorted(int(r["incident_id"]) for r in read(output)) == sorted([recent.pk, old.pk])
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.provider_id == world.providers[0].pk


def test_command_bad_arguments_named(switched_on, tmp_path):
    with pytest.raises(CommandError, match="--since: 'yesterday'"):
        call_command("export_cqc_72h", "--since", "yesterday", "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="--provider: no provider has the ODS code 'ZZZ'"):
        call_command("export_cqc_72h", "--provider", "ZZZ", "--output", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="--output: no folder"):
        call_command("export_cqc_72h", "--output", str(tmp_path / "missing" / "x.csv"))
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_neutralises_a_formula_in_a_ward_code(switched_on, complete_incident, tmp_path):
    """Issue 12, What was seen 5: a cell that would start a formula in a spreadsheet gets a quote in front;
    RRP's own figures stay numbers."""
    Ward.objects.filter(pk=complete_incident.ward_id).update(code="=1+2")
    output = tmp_path / "cqc.csv"
    cqc_72h_export(output=output, since=T0, at=T0 + dt.timedelta(hours=2))
    physical = read(output)[0]
    assert physical["ward_code"] == "'=1+2"
    assert (physical["incident_id"], physical["hours_since_start"]) == (str(complete_incident.pk), "2.0")
