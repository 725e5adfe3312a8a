"""Measures whose numbers are entered or imported (issue 20, decision 0043): the shipped ones say where
their numbers come from and cite their sources, and a definition that pairs them wrongly is refused
naming the field."""

from __future__ import annotations

import copy
import json

import pytest

from rrp.measures.catalogue import (
    DEFINITIONS_DIR,
    Counts,
    Denominator,
    MeasureDefinitionError,
    MeasureKind,
    Source,
    all_measures,
    measure,
    parse_definition,
)

ISSUE_20_MEASURES = {
    "assaults-on-staff-per-1000-obd": (MeasureKind.BALANCING, Source.IMPORTED, Denominator.OCCUPIED_BED_DAYS),
    "assaults-on-patients-per-1000-obd": (
        MeasureKind.BALANCING,
        Source.IMPORTED,
        Denominator.OCCUPIED_BED_DAYS,
    ),
    "self-harm-incidents-per-1000-obd": (
        MeasureKind.BALANCING,
        Source.IMPORTED,
        Denominator.OCCUPIED_BED_DAYS,
    ),
    "staff-sickness-rate": (MeasureKind.BALANCING, Source.ENTERED, Denominator.ENTERED),
    "safety-huddles-held": (MeasureKind.PROCESS, Source.ENTERED, Denominator.ENTERED),
    "safewards-interventions-in-use": (MeasureKind.PROCESS, Source.ENTERED, Denominator.NONE),
}


@pytest.mark.parametrize("slug", sorted(ISSUE_20_MEASURES))
def test_issue_20_measure_says_where_its_numbers_come_from_and_cites_a_source(slug):
    kind, source, denominator = ISSUE_20_MEASURES[slug]
    definition = measure(slug)

    assert (definition.kind, definition.source, definition.denominator) == (kind, source, denominator)
    assert definition.numerator.counts is Counts.WARD_VALUES and definition.from_values
    assert definition.references and all(r.url.startswith("https://") for r in definition.references)


@pytest.mark.parametrize("slug", ["assaults-on-staff-per-1000-obd", "self-harm-incidents-per-1000-obd"])
def test_assault_and_self_harm_measures_cite_their_mhsds_tables(slug):
    definition = measure(slug)
    table = "MHS507" if "self-harm" in slug else "MHS506"

    assert table in definition.why_it_matters
    assert any(table in r.title for r in definition.references)


def test_measures_counted_from_records_keep_their_source():
    records = [d for d in all_measures().values() if d.source is Source.RECORDS]

    assert len(records) == len(all_measures()) - len(ISSUE_20_MEASURES)
    assert not any(d.numerator.counts is Counts.WARD_VALUES for d in records)


GOOD = json.loads((DEFINITIONS_DIR / "staff-sickness-rate.json").read_text())


def _with(**changes):
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": "datix"}, "source"),
        ({"source": "records"}, "numerator.counts"),
        ({"numerator": {**GOOD["numerator"], "counts": "incidents"}}, "numerator.counts"),
        ({"denominator": "incidents"}, "denominator"),
        ({"references": "see the website"}, "references"),
        ({"references": [{"title": "x"}]}, "references[0]"),
        ({"references": [{"title": "x", "url": "http://example.org"}]}, "references[0].url"),
        ({"combine": "median"}, "combine"),
        ({"combine": "mean"}, "combine"),  # a mean of rates over their own denominators: refused
        ({"suppress_outside": "no"}, "suppress_outside"),
    ],
)
def test_value_measure_with_bad_field_is_refused_naming_it(changes, field, tmp_path):
    with pytest.raises(MeasureDefinitionError) as problem:
        parse_definition(_with(**changes), path=tmp_path / "staff-sickness-rate.json")

    assert problem.value.field == field


def test_records_measure_with_an_entered_denominator_is_refused(tmp_path):
    data = json.loads((DEFINITIONS_DIR / "incidents.json").read_text())
    data.update(denominator="entered", default_chart="xmr")

    with pytest.raises(MeasureDefinitionError) as problem:
        parse_definition(data, path=tmp_path / "incidents.json")

    assert problem.value.field == "denominator"


def test_a_level_is_combined_by_its_mean_and_practice_measures_are_not_suppressed():
    """Decision 0055: Safewards interventions in use (0 to 10 per ward) makes a provider's figure as the
    wards' mean, and it and safety huddles held identify no one, so they are shown outside the provider."""
    assert measure("safewards-interventions-in-use").combine.value == "mean"
    assert {d.slug for d in all_measures().values() if not d.suppress_outside} == {
        "safewards-interventions-in-use",
        "safety-huddles-held",
    }
    assert all(
        d.combine.value == "sum"
        for d in all_measures().values()
        if d.slug != "safewards-interventions-in-use"
    )


def test_a_measure_counted_from_records_is_always_suppressed(tmp_path):
    data = json.loads((DEFINITIONS_DIR / "incidents.json").read_text())
    data.update(suppress_outside=False)

    with pytest.raises(MeasureDefinitionError) as problem:
        parse_definition(data, path=tmp_path / "incidents.json")

    assert problem.value.field == "suppress_outside"


def test_only_the_weekly_check_is_suppressed_outside_the_ward():
    """Decision 0077: the patients' weekly check is exact only for the ward's own team."""
    assert {d.slug for d in all_measures().values() if d.suppress_outside_ward} == {
        "patients-felt-safe",
        "patients-treated-with-respect",
    }


@pytest.mark.parametrize(
    ("changes", "slug"),
    [
        ({"suppress_outside_ward": "yes"}, "incidents"),
        ({"suppress_outside_ward": True, "suppress_outside": False}, "safety-huddles-held"),
    ],
)
def test_suppress_outside_ward_must_be_a_flag_that_implies_suppress_outside(tmp_path, changes, slug):
    data = json.loads((DEFINITIONS_DIR / f"{slug}.json").read_text())
    data.update(changes)

    with pytest.raises(MeasureDefinitionError) as problem:
        parse_definition(data, path=tmp_path / f"{slug}.json")

    assert problem.value.field == "suppress_outside_ward"
