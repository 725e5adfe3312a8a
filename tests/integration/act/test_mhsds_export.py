"""The MHSDS restrictive-intervention tables: one MHS505 row per incident and one MHS515 row per type of
force, every code valid, checked before writing, refused (exit 2, nothing written) with reasons for a
month with an invalid record, and byte-identical when the same month is exported twice."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from rrp.act.mhsds import MHS505, MHS515, MHS516, TABLES, VALID_REASONS, VALID_TYPES, mhsds_month
from rrp.cli.main import to_management_argv
from rrp.core.models import AuditAction, AuditEvent
from rrp.force.models import InterventionRecord
from rrp.force.services import InterventionInput, incident_record, incident_void
from rrp.segregation.services import episode_start
from tests import factories
from tests.integration.force.incident_data import T0, complete_content, typical_interventions

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 3, 1)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def ward(world):
    return world.wards["a1"]


@pytest.fixture
def provider(ward):
    return ward.provider


@pytest.fixture
def patient(ward):
    """A patient on ward a1 since January 2026, so the March incidents fall in a spell and a ward stay."""
    person = factories.patient(provider=ward.provider, nhs_number="4010232137")
    factories.stay(patient=person, ward=ward, started_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    return person


@pytest.fixture
def nurse(world):
    return world.users["ward_staff"]


def record(ward, patient, nurse, *, at=T0, interventions=None, **changes):
    """A complete incident moved to start at `at` (its interventions with it unless given)."""
    shift = at - T0
    content = complete_content()
    for name in ("occurred_at", "ended_at", "care_plan_notified_at"):
        content[name] += shift
    if interventions is None:
        interventions = [
            dataclasses.replace(i, started_at=i.started_at + shift, ended_at=i.ended_at + shift)
            for i in typical_interventions()
        ]
    return incident_record(
        ward=ward, patient=patient, by=nurse, interventions=interventions, **{**content, **changes}
    )


def export(provider, tmp_path, month="2026-03"):
    call_command("export_mhsds", "--provider", provider.ods_code, "--month", month, "--output", str(tmp_path))


def read(tmp_path, provider, table, month="2026-03"):
    with open(tmp_path / f"{provider.ods_code}_{month}_{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_cli_maps_export_mhsds():
    assert to_management_argv(["export", "mhsds", "--month", "2026-03"]) == [
        "export_mhsds",
        "--month",
        "2026-03",
    ]


def test_export_one_incident_row_and_one_type_row_per_type_used(ward, provider, patient, nurse, tmp_path):
    first = record(ward, patient, nurse)
    second = record(
        ward,
        patient,
        nurse,
        at=T0 + dt.timedelta(days=3),
        ended_at=T0 + dt.timedelta(days=3, minutes=20),
        interventions=[
            InterventionInput("07", T0 + dt.timedelta(days=3), T0 + dt.timedelta(days=3, minutes=5))
        ],
    )
    export(provider, tmp_path)
    incidents = read(tmp_path, provider, MHS505)
    types = read(tmp_path, provider, MHS515)
    assert [row["RestrictiveIntIncID"] for row in incidents] == [f"RRPI{first.pk}", f"RRPI{second.pk}"]
    assert [(row["RestrictiveIntIncID"], row["RestrictiveIntType"]) for row in types] == [
        (f"RRPI{first.pk}", "01"),
        (f"RRPI{first.pk}", "09"),
        (f"RRPI{first.pk}", "14"),
        (f"RRPI{second.pk}", "07"),
    ]
    assert all(row["RestrictiveIntType"] in VALID_TYPES for row in types)
    assert all(row["RestrictiveIntReason"] in VALID_REASONS for row in incidents)
    # Dates and times as the MHSDS carries them, in UK local time (14:05 UTC on 1 March is 14:05 GMT).
    assert incidents[0]["StartDateRestrictiveIntInc"] == "2026-03-01"
    assert incidents[0]["StartTimeRestrictiveIntInc"] == "14:05:00"
    assert incidents[0]["EndTimeRestrictiveIntInc"] == "14:45:00"
    assert incidents[0]["RestrictiveIntReason"] == "10"
    assert incidents[0]["HospProvSpellID"].startswith("RRPS")
    assert types[0]["RestraintInjuryPatient"] == "N"
    with open(tmp_path / f"{provider.ods_code}_2026-03_{MHS505}.csv", encoding="utf-8") as handle:
        assert handle.readline().strip() == ",".join(TABLES[MHS505])
    report = (tmp_path / f"{provider.ods_code}_2026-03_validation-report.txt").read_text()
    assert "Problems: none" in report and f"{MHS515}: 4" in report
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, detail__export="mhsds")
    assert event.detail["incident_ids"] == [first.pk, second.pk]


def test_export_same_month_twice_gives_identical_files(ward, provider, patient, nurse, tmp_path):
    record(ward, patient, nurse, police_requested_at=T0 + 2 * MINUTE, police_arrived_at=T0 + 30 * MINUTE)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    export(provider, first)
    export(provider, second)
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 4 and names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_export_police_request_is_an_mhs516_row_on_the_ward_stay(ward, provider, patient, nurse, tmp_path):
    record(
        ward,
        patient,
        nurse,
        police_requested_at=T0 + 2 * MINUTE,
        police_arrived_at=T0 + 30 * MINUTE,
        police_used_force=True,
    )
    export(provider, tmp_path)
    [row] = read(tmp_path, provider, MHS516)
    stay = patient.ward_stays.get()
    assert row == {
        "WardStayID": f"RRPW{stay.pk}",
        "PoliceAssistReqDate": "2026-03-01",
        "PoliceAssistReqTime": "14:07:00",
        "PoliceAssistArrDate": "2026-03-01",
        "PoliceAssistArrTime": "14:35:00",
        "PoliceRestraintForceUsedInd": "Y",
    }


def test_export_leaves_out_voided_incidents_and_other_months(world, ward, provider, patient, nurse, tmp_path):
    kept = record(ward, patient, nurse)
    voided = record(ward, patient, nurse, at=T0 + MINUTE)
    incident_void(incident=voided, by=world.users["provider_governance"], reason="Entered twice")
    april = T0 + dt.timedelta(days=40)
    record(
        ward,
        patient,
        nurse,
        at=april,
        ended_at=april + 10 * MINUTE,
        interventions=[InterventionInput("07", april, april + 5 * MINUTE)],
    )
    tables = mhsds_month(provider=provider, month=MONTH)
    assert [row["RestrictiveIntIncID"] for row in tables.rows[MHS505]] == [f"RRPI{kept.pk}"]


def test_export_seclusion_episodes_counted_once(ward, provider, patient, nurse, world, tmp_path):
    """A seclusion linked to an incident that records seclusion is not counted again; one linked to an
    incident without it is a type row of that incident; one linked to none is an incident of its own."""
    with_seclusion = record(
        ward,
        patient,
        nurse,
        interventions=[
            InterventionInput("07", T0, T0 + 5 * MINUTE),
            InterventionInput("05", T0 + 5 * MINUTE, T0 + 40 * MINUTE),
        ],
    )
    day2 = T0 + dt.timedelta(days=2)
    without = record(
        ward,
        patient,
        nurse,
        at=day2,
        ended_at=day2 + 10 * MINUTE,
        interventions=[InterventionInput("07", day2, day2 + 5 * MINUTE)],
    )
    manager = world.users["ward_manager"]
    common = {
        "ward": ward,
        "patient": patient,
        "kind": "seclusion",
        "by": manager,
        "place": "Seclusion room",
        "reason": "Assault on staff",
        "end_plan": "Review hourly",
        "authorised_by_name": "Dr Example",
        "end_reason": "Settled",
    }
    same = episode_start(
        **common, started_at=T0 + 5 * MINUTE, ended_at=T0 + 40 * MINUTE, incident=with_seclusion
    )
    linked = episode_start(
        **common, started_at=day2 + 6 * MINUTE, ended_at=day2 + 300 * MINUTE, incident=without
    )
    day5 = T0 + dt.timedelta(days=5)
    alone = episode_start(**common, started_at=day5, ended_at=day5 + 120 * MINUTE)
    tables = mhsds_month(provider=provider, month=MONTH)
    assert tables.problems == []
    assert [row["RestrictiveIntIncID"] for row in tables.rows[MHS505]] == [
        f"RRPI{with_seclusion.pk}",
        f"RRPI{without.pk}",
        f"RRPE{alone.pk}",
    ]
    types = [
        (r["RestrictiveIntTypeID"], r["RestrictiveIntIncID"], r["RestrictiveIntType"])
        for r in tables.rows[MHS515]
    ]
    assert (f"RRPE{same.pk}", f"RRPI{with_seclusion.pk}", "05") not in types
    assert [t for t in types if t[2] == "05"] == [
        (f"RRPI{with_seclusion.pk}T2", f"RRPI{with_seclusion.pk}", "05"),
        (f"RRPE{linked.pk}", f"RRPI{without.pk}", "05"),
        (f"RRPE{alone.pk}", f"RRPE{alone.pk}", "05"),
    ]
    # The incident lasts until the seclusion begun in it ends; the lone episode's reason is "not known".
    by_id = {r["RestrictiveIntIncID"]: r for r in tables.rows[MHS505]}
    assert by_id[f"RRPI{without.pk}"]["EndTimeRestrictiveIntInc"] == "19:05:00"
    assert by_id[f"RRPE{alone.pk}"]["RestrictiveIntReason"] == "99"


def test_export_refuses_month_with_invalid_records_and_writes_nothing(
    ward, provider, patient, nurse, tmp_path
):
    good = record(ward, patient, nurse)
    no_reason = record(ward, patient, nurse, at=T0 + MINUTE, reason_code="", reason_text="")
    # A type outside its incident, as an old import could have left it (the services refuse it now).
    outside = record(ward, patient, nurse, at=T0 + 2 * MINUTE)
    InterventionRecord.objects.create(
        version=outside.latest_version, type_code="16", started_at=T0 + dt.timedelta(hours=5)
    )
    with pytest.raises(CommandError) as refused:
        export(provider, tmp_path)
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "nothing was written" in message
    assert (
        f"Incident {no_reason.pk}: {MHS505} RestrictiveIntReason: missing: this item is mandatory" in message
    )
    assert f"Incident {outside.pk}: {MHS515} StartDateRestrictiveIntType: a type starts" not in message
    assert (
        f"Incident {outside.pk}: {MHS515} EndDateRestrictiveIntType: a type ends after its incident ends"
        in message
    )
    assert f"Incident {good.pk}" not in message
    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_refuses_incident_outside_any_hospital_spell(world, provider, nurse, tmp_path):
    ward = world.wards["a1"]
    newcomer = factories.patient(provider=provider)
    factories.stay(patient=newcomer, ward=ward, started_at=T0 + dt.timedelta(days=20))
    incident = record(ward, newcomer, nurse)
    tables = mhsds_month(provider=provider, month=MONTH)
    assert [str(p) for p in tables.problems] == [
        f"Incident {incident.pk}: {MHS505} HospProvSpellID: missing: this item is mandatory",
        f"Incident {incident.pk}: {MHS505} HospProvSpellID: the patient has no hospital spell holding the "
        "incident's start",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--provider", "NOPE", "--month", "2026-03"], "--provider: no provider has the ODS code 'NOPE'"),
        (["--month", "March 2026"], "--month: 'March 2026' is not a month in the form YYYY-MM"),
    ],
)
def test_export_bad_options_exit_2(provider, tmp_path, args, message):
    options = {"--provider": provider.ods_code, "--month": "2026-03", "--output": str(tmp_path)}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=message) as bad:
        call_command("export_mhsds", *[x for pair in options.items() for x in pair])
    assert bad.value.returncode == 2


def test_export_missing_folder_exit_2(provider, tmp_path):
    with pytest.raises(CommandError, match="--output: no folder") as bad:
        export(provider, tmp_path / "absent")
    assert bad.value.returncode == 2
