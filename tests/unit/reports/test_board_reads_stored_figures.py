"""The board's key measures are read, never computed from the records on each request (docs/performance.md,
"The board's key measures"): each is in the stored monthly figures or comes from entered or imported values.
Measures computed from the records each time put a 50-ward provider's board at 3.1 s against its 1 s
target when they were added to it: the people-centred ones (issue 15) and seclusion reviews on time
(issue 13) are now stored and on the board as on the huddle."""

from __future__ import annotations

from dataclasses import replace

from rrp.measures.catalogue import Source, all_measures
from rrp.measures.series import _stored_kind, stored_definitions
from rrp.reports.board import KEY_MEASURES
from rrp.reports.huddle import HUDDLE_MEASURES
from rrp.reports.measure_charts import PATIENT_VOICE_MEASURES, PEOPLE_PROCESS_MEASURES


def test_every_key_measure_is_stored_or_entered():
    stored, catalogue = stored_definitions(), all_measures()
    computed_each_time = [
        slug for slug in KEY_MEASURES if slug not in stored and catalogue[slug].source is Source.RECORDS
    ]
    assert computed_each_time == []


def test_the_people_centred_measures_are_on_the_board_and_the_huddle_alike():
    for slug in (*PEOPLE_PROCESS_MEASURES, *PATIENT_VOICE_MEASURES):
        assert slug in KEY_MEASURES and slug in HUDDLE_MEASURES


def test_seclusion_reviews_on_time_is_stored_and_on_the_board_and_the_huddle():
    assert "seclusion-reviews-on-time" in stored_definitions()
    assert "seclusion-reviews-on-time" in KEY_MEASURES and "seclusion-reviews-on-time" in HUDDLE_MEASURES


def test_reviews_on_time_of_long_term_segregation_would_be_computed_each_time():
    """Its ICETR depends on the patient's learning disability or autism, whose writes mark nothing."""
    definition = all_measures()["seclusion-reviews-on-time"]
    both = replace(
        definition,
        slug="lts-reviews-on-time",
        numerator=replace(definition.numerator, intervention_types=("05", "06")),
    )
    assert not _stored_kind(both) and _stored_kind(definition)
