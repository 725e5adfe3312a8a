"""The record form's parsing and the pages' display helpers: pure, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.force import presenters
from rrp.force.forms import IncidentDetailsForm, InterventionRowForm, combine, split
from rrp.force.history import FieldChange


def row(**data: str) -> InterventionRowForm:
    return InterventionRowForm({f"iv-0-{key}": value for key, value in data.items()}, prefix="iv-0")


def test_combine_and_split_round_trip_in_uk_time():
    value = combine(dt.date(2026, 7, 1), dt.time(14, 5, 59))
    assert value.utcoffset() == dt.timedelta(hours=1)  # British Summer Time
    assert value.second == 0
    assert split(value) == ("2026-07-01", "14:05")
    assert split(None) == ("", "")
    assert combine(None, dt.time(14, 5)) is None


def test_row_with_only_default_start_is_blank():
    form = row(start_date="2026-03-01", start_time="14:05", end_date="2026-03-01")
    assert form.is_valid()
    assert form.is_blank()


def test_row_end_time_without_type_asks_for_the_type():
    form = row(start_date="2026-03-01", start_time="14:05", end_time="14:10")
    assert not form.is_valid()
    assert form.errors["type_code"] == ["Choose the type of force used"]


def test_row_end_date_defaults_to_the_start_date():
    form = row(
        type_code="01", start_date="2026-03-01", start_time="14:05", end_time="14:20", in_care_plan="no"
    )
    assert form.is_valid()
    item = form.to_input()
    assert item.ended_at - item.started_at == dt.timedelta(minutes=15)
    assert item.in_care_plan is False


def test_row_unknown_type_is_refused():
    form = row(type_code="02", start_date="2026-03-01", start_time="14:05")
    assert not form.is_valid()
    assert "type_code" in form.errors


def test_details_unanswered_yes_no_stays_none():
    form = IncidentDetailsForm({"patient_died": "no"})
    assert form.is_valid()
    content = form.content()
    assert content["patient_died"] is False
    assert content["patient_serious_injury"] is None
    assert content["care_plan_notified_at"] is None


def test_details_prefilled_date_alone_means_nothing_but_a_time_needs_its_date():
    assert IncidentDetailsForm({"care_plan_notified_date": "2026-03-01"}).is_valid()
    form = IncidentDetailsForm({"care_plan_notified_time": "15:05"})
    assert not form.is_valid()
    assert form.errors["care_plan_notified_date"] == ["Enter the date sent too"]


@pytest.mark.parametrize(
    ("item", "href"),
    [
        ("(f) How force was used", "#id_how_force_used"),
        ("(g) Patient's NHS number", "#patient-details"),
        ("Why the force was negligible (a written justification)", "#incident-form"),
    ],
)
def test_missing_item_links_point_at_the_field(item, href):
    assert presenters.missing_item_links([item]) == [{"text": f"Missing: {item}", "href": href}]


def test_change_rows_in_plain_words():
    rows = presenters.change_rows(
        [
            FieldChange("patient_died", None, False),
            FieldChange("reason_code", "", "10"),
            FieldChange("deescalation", [], ["verbal"]),
        ]
    )
    assert rows[0] == {"field": "Patient died", "before": "Not answered", "after": "No"}
    assert rows[1]["after"] == "10: Prevent a patient being violent to others"
    assert rows[2]["after"] == "Talking with the patient calmly (verbal de-escalation)"


def test_status_tag_and_duration():
    assert presenters.status_tag("sent_back") == {
        "text": "Sent back for changes",
        "classes": "nhsuk-tag--orange",
    }
    assert presenters.duration(1) == "1 minute"
    assert presenters.duration(None) == "Not ended"
