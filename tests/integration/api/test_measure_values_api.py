"""POST /api/measure-values/import (issue 20 item 2): the same CSV and the same all-or-nothing checks as
`rrp import measure-values`, as problem+json, for the wards the token's user may enter values for."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rrp.measures.models import MeasureValue

HEADER = "ward_code,measure,period_start,numerator,denominator\n"


def _last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def test_import_through_the_api_saves_and_the_same_file_twice_changes_nothing(api_as, world):
    client = api_as("ward_manager")
    text = HEADER + f"{world.wards['a1'].code},self-harm-incidents-per-1000-obd,{_last_month()},2,\n"

    first = client.upload("/api/measure-values/import", text, name="datix.csv")
    second = client.upload("/api/measure-values/import", text, name="datix.csv")

    assert first.status_code == 200 and first.json() == {
        "rows": 1,
        "created": 1,
        "corrected": 0,
        "unchanged": 0,
    }
    assert second.json() == {"rows": 1, "created": 0, "corrected": 0, "unchanged": 1}
    value = MeasureValue.objects.get()
    assert value.recorded_by == world.users["ward_manager"] and value.route == "imported"


def test_bad_rows_are_problem_json_by_row_and_column_and_nothing_is_saved(api_as, world):
    a1 = world.wards["a1"].code
    text = (
        HEADER
        + f"{a1},self-harm-incidents-per-1000-obd,{_last_month()},2,\n"
        + f"{a1},assaults-on-staff-per-1000-obd,{_last_month()},-3,\n"
        + f"{world.wards['b1'].code},self-harm-incidents-per-1000-obd,{_last_month()},1,\n"
    )

    response = api_as("ward_manager").upload("/api/measure-values/import", text)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "numerator"), (4, "ward_code")]
    assert not MeasureValue.objects.exists()


def test_a_role_that_cannot_enter_values_is_refused(api_as, world):
    text = HEADER + f"{world.wards['a1'].code},self-harm-incidents-per-1000-obd,{_last_month()},2,\n"

    response = api_as("ward_staff").upload("/api/measure-values/import", text)

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert not MeasureValue.objects.exists()


def _last_monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday() + 7)


def test_the_api_refuses_a_week_not_on_a_monday_as_problem_json(api_as, world):
    sunday = _last_monday() + dt.timedelta(days=6)
    text = HEADER + f"{world.wards['a1'].code},safety-huddles-held,{sunday},6,7\n"

    refused = api_as("ward_manager").upload("/api/measure-values/import", text)
    saved = api_as("ward_manager").upload(
        "/api/measure-values/import", text.replace(str(sunday), str(_last_monday()))
    )

    assert refused.status_code == 422
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(2, "period_start")]  # weekly
    assert "is a Sunday" in refused.json()["errors"][0]["message"]
    assert saved.status_code == 200 and saved.json()["created"] == 1
    assert MeasureValue.objects.get().period == "week"
