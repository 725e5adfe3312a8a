"""Code lists and the trigger rules (no database)."""

from __future__ import annotations

import datetime as dt

from rrp.force.codes import (
    INTERVENTION_CATEGORY,
    ForceCategory,
    InterventionReason,
    InterventionType,
    category_of,
)
from rrp.force.models import IncidentVersion, InterventionRecord
from rrp.force.triggers import cqc_reasons, flags_for

T0 = dt.datetime(2026, 3, 1, 14, 5, tzinfo=dt.UTC)


def test_intervention_types_are_01_and_04_to_17():
    assert InterventionType.values == ["01", *[f"{n:02d}" for n in range(4, 18)]]


def test_intervention_types_exclude_retired_02_and_03():
    assert "02" not in InterventionType.values and "03" not in InterventionType.values


def test_intervention_category_covers_every_type():
    assert set(INTERVENTION_CATEGORY) == set(InterventionType.values)


def test_intervention_category_matches_the_act():
    assert category_of("01") == ForceCategory.PHYSICAL
    assert {category_of(f"{n:02d}") for n in range(7, 14)} == {ForceCategory.PHYSICAL}
    assert category_of("04") == ForceCategory.MECHANICAL
    assert {category_of(c) for c in ("14", "15", "16", "17")} == {ForceCategory.CHEMICAL}
    assert category_of("05") == ForceCategory.SECLUSION
    assert category_of("06") == ForceCategory.SEGREGATION


def test_intervention_reasons_are_10_to_19_98_99():
    assert InterventionReason.values == [*[str(n) for n in range(10, 20)], "98", "99"]


def test_cqc_reasons_none_for_ordinary_incident():
    assert cqc_reasons(IncidentVersion(patient_died=False, patient_serious_injury=False)) == []


def test_cqc_reasons_each_trigger_named():
    version = IncidentVersion(
        patient_died=True, patient_serious_injury=True, police_requested_at=T0, abuse_alleged=True
    )
    assert cqc_reasons(version) == ["death", "serious_injury", "police", "abuse_allegation"]


def test_cqc_reasons_police_as_non_staff_person_counts():
    assert cqc_reasons(IncidentVersion(non_staff_types=["police"])) == ["police"]


def test_flags_for_prone_and_rapid_tranquillisation():
    flags = flags_for(
        [
            InterventionRecord(type_code="01", started_at=T0),
            InterventionRecord(type_code="09", started_at=T0),
            InterventionRecord(type_code="14", started_at=T0 + dt.timedelta(minutes=5)),
        ]
    )
    assert set(flags) == {"prone_review", "rt_monitoring"}
    assert flags["rt_monitoring"]["interval_minutes"] == 60


def test_flags_for_supine_only_raises_none():
    assert flags_for([InterventionRecord(type_code="09", started_at=T0)]) == {}
