"""The completeness flag stored on each incident version agrees with force.completeness.missing_items:
set by the services, the CSV import and the migration that filled existing rows; and the
statutory-record-complete measure counts it (with the patient's own name and NHS number) in one query."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rrp.core.db import _create, _drop
from rrp.force.completeness import PATIENT_RECORD_ITEMS, missing_items
from rrp.force.imports import incidents_import
from rrp.force.models import Incident, IncidentVersion
from rrp.force.services import incident_amend, incident_record
from rrp.measures.catalogue import measure
from rrp.measures.series import measure_series
from tests.integration.force.incident_data import complete_content, two_staff, typical_interventions
from tests.integration.force.test_import_incidents import rows_for, to_csv

pytestmark = pytest.mark.django_db


def version_items_missing(version: IncidentVersion) -> list[str]:
    """missing_items for the version, leaving out the items on the patient's record, (e) and (g)."""
    missing = missing_items(
        version=version,
        interventions=list(version.interventions.all()),
        staff=list(version.staff.all()),
        patient=version.incident.patient,
    )
    return [item for item in missing if item[1] not in PATIENT_RECORD_ITEMS]


def assert_flags_agree() -> int:
    versions = list(IncidentVersion.objects.select_related("incident__patient"))
    for version in versions:
        assert version.statutory_items_complete == (not version_items_missing(version)), version
    return len(versions)


def test_flag_true_for_a_complete_incident_false_for_a_draft(ward, patient, nurse, roster_nurse):
    complete = incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=typical_interventions(),
        staff=two_staff(roster_nurse),
        **complete_content(),
    )
    draft = incident_record(
        ward=ward, patient=patient, by=nurse, interventions=typical_interventions(), reason_code="10"
    )

    assert complete.latest_version.statutory_items_complete is True
    assert draft.latest_version.statutory_items_complete is False
    assert (
        missing_items(
            version=complete.latest_version,
            interventions=complete.latest_version.interventions.all(),
            staff=complete.latest_version.staff.all(),
            patient=patient,
        )
        == []
    )
    assert assert_flags_agree() == 2


@pytest.mark.parametrize(
    ("changes", "complete"),
    [
        ({"outcome": ""}, False),
        ({"ended_at": None}, False),
        ({"care_plan_notification_sent": None}, False),
        ({"non_staff_involved": True}, False),  # then who and why are needed
        ({"reason_code": "16", "reason_text": ""}, None),  # depends on whether 16 needs text
        ({"deescalation": [], "deescalation_text": ""}, False),
        ({"camera_references": "BWC-1"}, True),  # not a statutory item
    ],
)
def test_each_amendment_sets_the_flag_of_its_new_version(complete_incident, nurse, changes, complete):
    version = incident_amend(incident=complete_incident, by=nurse, reason="Correcting", **changes)

    assert version.statutory_items_complete == (not version_items_missing(version))
    if complete is not None:
        assert version.statutory_items_complete is complete
    assert IncidentVersion.objects.get(incident=complete_incident, number=1).statutory_items_complete


def test_flag_follows_replaced_interventions_and_staff(complete_incident, nurse):
    without_staff = incident_amend(incident=complete_incident, by=nurse, reason="Wrong staff", staff=[])
    assert without_staff.statutory_items_complete is False
    open_ended = incident_amend(
        incident=complete_incident,
        by=nurse,
        reason="Still going",
        staff=[],
        interventions=[type(typical_interventions()[0])("01", complete_content()["occurred_at"], None, True)],
    )
    assert open_ended.statutory_items_complete is False
    assert assert_flags_agree() == 3


def test_patient_record_items_are_read_from_the_patient_at_query_time(world, nurse, roster_nurse):
    ward, patient = world.wards["a1"], world.patients["a1"]  # no NHS number yet
    incident = incident_record(
        ward=ward,
        patient=patient,
        by=nurse,
        interventions=typical_interventions(),
        staff=two_staff(roster_nurse),
        **complete_content(),
    )
    version = incident.latest_version
    assert version.statutory_items_complete is True
    assert missing_items(
        version=version, interventions=version.interventions.all(), staff=version.staff.all(), patient=patient
    ) == ["(g) Patient's NHS number"]

    def share() -> tuple[float, float]:
        series = measure_series(
            measure("statutory-record-complete"),
            ward_ids=[ward.pk],
            since=dt.date(2026, 3, 1),
            until=dt.date(2026, 3, 31),
            period="month",
        )
        return series.iloc[0].numerator, series.iloc[0].denominator

    assert share() == (0, 1)
    patient.nhs_number = "9434765919"
    patient.save(update_fields=["nhs_number"])
    # Completed on the patient's record, with no new version: now it counts.
    assert share() == (1, 1)


def test_complete_share_is_one_query_whatever_the_number_of_wards(world, nurse, roster_nurse, patient):
    incident_record(
        ward=world.wards["a1"],
        patient=patient,
        by=nurse,
        interventions=typical_interventions(),
        staff=two_staff(roster_nurse),
        **complete_content(),
    )
    definition = measure("statutory-record-complete")
    window = {"since": dt.date(2026, 1, 1), "until": dt.date(2026, 6, 30), "period": "month"}
    with CaptureQueriesContext(connection) as one:
        measure_series(definition, ward_ids=[world.wards["a1"].pk], **window)
    with CaptureQueriesContext(connection) as every:
        measure_series(definition, ward_ids=[w.pk for w in world.wards.values()], **window)

    assert len(one) == len(every)
    assert sum("force_incidentversion" in q["sql"] for q in every.captured_queries) == 1


def test_import_sets_the_flag_by_the_same_check(world, ward, patient):
    governance = world.users["provider_governance"]
    text = to_csv(
        [
            *rows_for("INC-1", ward.code),
            *rows_for("INC-2", ward.code, outcome="", staff=""),
            *rows_for("INC-3", ward.code, intervention_ended_at=""),
        ]
    )
    incidents_import(source=io.StringIO(text, newline=""), by=governance)

    flags = dict(
        IncidentVersion.objects.values_list("incident__source_id", "statutory_items_complete").order_by("pk")
    )
    assert flags == {"INC-1": True, "INC-2": False, "INC-3": False}
    assert assert_flags_agree() == 3
    # An imported amendment completing INC-2 writes a complete version.
    incidents_import(source=io.StringIO(to_csv(rows_for("INC-2", ward.code)), newline=""), by=governance)
    latest = Incident.objects.get(source_id="INC-2").latest_version
    assert latest.number == 2 and latest.statutory_items_complete is True


def test_migration_fills_the_flag_of_existing_versions(complete_incident, ward, patient, nurse):
    incident_record(ward=ward, patient=patient, by=nurse, reason_code="10")
    migration = importlib.import_module("rrp.force.migrations.0006_version_statutory_items_complete")

    class Editor:
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, ())

    editor = Editor()
    # As before the migration: every row False (the column's default).
    _drop(migration.TABLE)(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {migration.TABLE} SET statutory_items_complete = %s", [False])
    migration.fill(apps, editor)
    _create(migration.TABLE)(apps, editor)

    flags = dict(IncidentVersion.objects.values_list("incident_id", "statutory_items_complete"))
    assert flags[complete_incident.pk] is True
    assert sorted(flags.values()) == [False, True]
    assert assert_flags_agree() == 2


def test_demo_sets_the_flag_by_the_same_check(settings):
    from rrp.demo.generate import demo_data_generate
    from rrp.demo.registry import DemoOptions

    settings.DEMO_MODE = True
    demo_data_generate(
        options=DemoOptions(providers=2, wards_per_provider=3, years=1, seed=4, end_date=dt.date(2025, 6, 30))
    )

    flags = list(IncidentVersion.objects.values_list("statutory_items_complete", flat=True))
    # Incomplete drafts are a small share: both kinds are there, and every flag agrees with the check.
    assert True in flags and False in flags
    assert assert_flags_agree() == len(flags) > 100
