"""Every shipped measure definition is valid, and a bad definition is rejected naming its file and field."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from rrp.force.codes import InterventionType
from rrp.measures.catalogue import (
    DEFINITIONS_DIR,
    MHSDS_METRICS,
    Counts,
    Denominator,
    MeasureDefinitionError,
    all_measures,
    load_definitions,
    measure,
    parse_definition,
)
from rrp.spc import Chart, ImprovementDirection

ISSUE_6_MEASURES = {
    "restrictive-interventions-per-1000-obd",
    "physical-restraints-per-1000-obd",
    "prone-restraints-per-1000-obd",
    "mechanical-restraints-per-1000-obd",
    "chemical-restraints-per-1000-obd",
    "rapid-tranquillisation-per-1000-obd",
    "seclusions-per-1000-obd",
    "segregations-per-1000-obd",
    "incidents",
    "people-restrained",
    "repeat-restraint-concentration",
    "seclusion-hours",
    "days-between-seclusions",
    "prone-restraints-over-10-minutes",
    "patient-injuries",
    "staff-injuries",
    "patient-debrief-held",
    "statutory-record-complete",
}
SHIPPED = sorted(p.stem for p in DEFINITIONS_DIR.glob("*.json"))


def test_shipped_measures_include_every_measure_named_in_issue_6():
    assert set(all_measures()) >= ISSUE_6_MEASURES


@pytest.mark.parametrize("slug", SHIPPED)
def test_shipped_measure_is_valid(slug):
    definition = measure(slug)

    assert definition.default_chart in set(Chart)
    assert definition.denominator in set(Denominator)
    assert definition.improvement_direction in set(ImprovementDirection)
    assert isinstance(definition.next_review, dt.date)
    assert definition.next_review > dt.date(2026, 1, 1)
    assert (
        definition.authored_by and definition.checked_by and definition.authored_by != definition.checked_by
    )
    assert definition.mhsds_metric is None or definition.mhsds_metric in MHSDS_METRICS
    assert set(definition.numerator.intervention_types) <= set(InterventionType.values)
    assert definition.multiplier > 0 and definition.unit and definition.why_it_matters
    if definition.default_chart.needs_denominator:
        assert definition.denominator is not Denominator.NONE


def test_rate_per_1000_bed_days_measures_use_bed_days_and_1000():
    rates = [m for m in all_measures().values() if m.slug.endswith("per-1000-obd")]

    assert len(rates) >= 9
    assert all(m.denominator is Denominator.OCCUPIED_BED_DAYS and m.multiplier == 1000 for m in rates)


def test_days_between_seclusions_is_a_g_chart_where_longer_is_better():
    definition = measure("days-between-seclusions")

    assert definition.default_chart is Chart.G
    assert definition.numerator.counts is Counts.DAYS_BETWEEN
    assert definition.improvement_direction is ImprovementDirection.INCREASE


def test_measure_unknown_slug_names_it():
    with pytest.raises(KeyError, match="no-such-measure"):
        measure("no-such-measure")


def test_review_overdue_after_next_review_date():
    definition = measure("incidents")

    assert not definition.review_overdue(today=definition.next_review)
    assert definition.review_overdue(today=definition.next_review + dt.timedelta(days=1))


GOOD = json.loads((DEFINITIONS_DIR / "restrictive-interventions-per-1000-obd.json").read_text())


def _with(**changes):
    data = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"default_chart": "pie"}, "default_chart"),
        ({"denominator": "beds"}, "denominator"),
        ({"next_review": "next spring"}, "next_review"),
        ({"next_review": "2027-02-30"}, "next_review"),
        ({"improvement_direction": "up"}, "improvement_direction"),
        ({"kind": "vanity"}, "kind"),
        ({"mhsds_metric": "MHS999"}, "mhsds_metric"),
        ({"checked_by": GOOD["authored_by"]}, "checked_by"),
        ({"authored_by": "  "}, "authored_by"),
        ({"multiplier": 0}, "multiplier"),
        ({"version": 0}, "version"),
        ({"numerator": {**GOOD["numerator"], "intervention_types": ["02"]}}, "numerator.intervention_types"),
        ({"numerator": {**GOOD["numerator"], "counts": "vibes"}}, "numerator.counts"),
        ({"default_chart": "u", "denominator": "none", "multiplier": 1}, "default_chart"),
        ({"default_chart": "g"}, "default_chart"),
        ({"next_review": ...}, "next_review"),
        ({"colour": "blue"}, "colour"),
        ({"denominator": "episodes_ended", "default_chart": "p", "multiplier": 100}, "denominator"),
        (
            {
                "numerator": {
                    **GOOD["numerator"],
                    "counts": "episodes_reviewed_on_time",
                    "intervention_types": ["07"],
                },
                "denominator": "episodes_ended",
                "default_chart": "p",
                "multiplier": 100,
            },
            "numerator.intervention_types",
        ),
    ],
)
def test_parse_definition_rejects_bad_field_naming_it(changes, field):
    with pytest.raises(MeasureDefinitionError) as raised:
        parse_definition(_with(**changes), path=Path("example-measure.json"))

    assert raised.value.field == field
    assert str(raised.value).startswith(f"example-measure.json: {field}: ")


def test_load_definitions_bad_json_names_file_and_line(tmp_path):
    (tmp_path / "broken.json").write_text('{"name": "x",\n}')

    with pytest.raises(MeasureDefinitionError, match=r"broken.json: \(file\): not valid JSON at line 2"):
        load_definitions(tmp_path)


def test_load_definitions_slug_comes_from_file_name(tmp_path):
    (tmp_path / "my-measure.json").write_text(json.dumps(GOOD))

    loaded = load_definitions(tmp_path)

    assert list(loaded) == ["my-measure"]
    assert loaded["my-measure"].name == GOOD["name"]
