"""The field-by-field difference between two versions."""

from __future__ import annotations

from rrp.force.history import FieldChange, version_diff


def test_version_diff_lists_only_changed_fields_in_order():
    before = {"outcome": "Settled", "place_on_ward": "Lounge", "deescalation": ["verbal"]}
    after = {"outcome": "Settled, slept", "place_on_ward": "Lounge", "deescalation": ["verbal", "choices"]}
    assert version_diff(before, after) == [
        FieldChange("outcome", "Settled", "Settled, slept"),
        FieldChange("deescalation", ["verbal"], ["verbal", "choices"]),
    ]


def test_version_diff_identical_versions_have_no_changes():
    content = {"outcome": "Settled", "interventions": [("01", None, None, True)]}
    assert version_diff(content, dict(content)) == []


def test_version_diff_first_version_shows_only_filled_fields():
    after = {"outcome": "Settled", "reason_text": "", "patient_died": None, "abuse_alleged": False}
    assert version_diff(None, after) == [FieldChange("outcome", None, "Settled")]


def test_version_diff_cleared_field_is_a_change():
    assert version_diff({"outcome": "Settled"}, {"outcome": ""}) == [FieldChange("outcome", "Settled", "")]


def test_version_diff_boolean_answer_changed_is_a_change():
    assert version_diff({"patient_died": None}, {"patient_died": False}) == [
        FieldChange("patient_died", None, False)
    ]
