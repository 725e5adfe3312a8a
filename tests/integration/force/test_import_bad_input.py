"""The incident import refuses, by row and column, what used to crash or be stored past its length
(issue 12, What was seen 4 and 6), through the command and the API."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from rrp.api.services import api_token_create
from rrp.core.csv_import import ImportRejected
from rrp.force.imports import incidents_import
from rrp.force.models import Incident
from tests.integration.force.test_import_incidents import rows_for, to_csv


@pytest.fixture
def governance(world):
    return world.users["provider_governance"]


def _rejected(text: str, by) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as rejected:
        incidents_import(source=io.StringIO(text, newline=""), by=by)
    assert not Incident.objects.exists()
    return [(e.row, e.column) for e in rejected.value.errors]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("place_on_ward", "L" * 201),
        ("care_plan_notified_to", "M" * 201),
        ("source_system", "S" * 61),
        ("source_id", "I" * 101),
        ("place_on_ward", "Lounge\tcorner"),
        ("reason_text", "x" * 50_001),
    ],
)
def test_over_long_or_multi_line_text_is_refused_by_row_and_column(ward, patient, governance, column, value):
    rows = [{**row, column: value} for row in rows_for("INC-1", ward.code)]
    assert (2, column) in _rejected(to_csv(rows), governance)


@pytest.mark.parametrize(("name", "title"), [("N" * 201, "Nurse"), ("Sam Nurse", "T" * 121)])
def test_over_long_staff_name_or_job_title_is_refused(ward, patient, governance, name, title):
    rows = rows_for("INC-1", ward.code, staff=f"{name}|{title}|head")
    assert (2, "staff") in _rejected(to_csv(rows), governance)


def test_control_characters_are_refused_by_row_and_column(ward, patient, governance):
    rows = [
        {**row, "outcome": "Settled\x00", "ward_code": ward.code + "\x1b"}
        for row in rows_for("INC-1", ward.code)
    ]
    found = _rejected(to_csv(rows), governance)
    assert (2, "outcome") in found and (2, "ward_code") in found


@pytest.mark.parametrize("when", ["2099-03-01 14:05", "0001-03-01 14:05", "1899-12-31 10:00"])
def test_an_incident_dated_2099_or_before_1900_is_refused(ward, patient, governance, when):
    assert (2, "occurred_at") in _rejected(to_csv(rows_for("INC-1", ward.code, occurred_at=when)), governance)


def test_an_intervention_dated_2099_is_refused(ward, patient, governance):
    rows = rows_for("INC-1", ward.code)
    rows[0]["intervention_started_at"] = "2099-03-01 14:06"
    rows[0]["intervention_ended_at"] = "2099-03-01 14:17"
    assert (2, "intervention_started_at") in _rejected(to_csv(rows), governance)


def test_a_cell_over_131072_characters_is_refused_not_a_traceback(ward, patient, governance):
    found = _rejected(to_csv(rows_for("INC-1", ward.code, how_force_used="h" * 140_000)), governance)
    assert found[0][0] == 2


def test_an_unclosed_quote_is_refused_naming_the_row(ward, patient, governance):
    text = to_csv(rows_for("INC-1", ward.code)) + '"Datix,INC-9\n'
    assert _rejected(text, governance)[0][0] == 5


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"source_system,source_id\n\xe9\n", "not UTF-8"),
        ("source_system\n".encode("utf-16"), "UTF-16"),
        (b"\x00\x00binary", "binary"),
    ],
)
def test_the_command_refuses_a_file_that_is_not_utf8_and_exits_2(governance, tmp_path, capsys, data, found):
    path = tmp_path / "incidents.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError) as failed:
        call_command("import_incidents", str(path), user=governance.username)
    assert failed.value.returncode == 2
    assert found in str(failed.value) + capsys.readouterr().err


def test_the_command_given_a_folder_exits_2_with_a_message(governance, tmp_path, capsys):
    with pytest.raises(CommandError) as failed:
        call_command("import_incidents", str(tmp_path), user=governance.username)
    assert failed.value.returncode == 2
    assert "is a folder" in str(failed.value) + capsys.readouterr().err


def test_a_utf8_file_with_a_byte_order_mark_imports(ward, patient, governance, tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_bytes(to_csv(rows_for("INC-1", ward.code)).encode("utf-8-sig"))
    call_command("import_incidents", str(path), user=governance.username)
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "found"),
    [("source_system\nZoë\n".encode("cp1252"), "not UTF-8"), (b"PK\x03\x04xl/", "zip file")],
)
def test_the_api_refuses_a_file_that_is_not_utf8_naming_what_it_is(client, governance, data, found):
    _, token = api_token_create(user=governance, by=None)
    upload = SimpleUploadedFile("incidents.csv", data, content_type="text/csv")
    response = client.post(
        "/api/incidents/import", {"file": upload}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert found in response.content.decode()


@pytest.mark.parametrize(("code", "what"), [("05", "Seclusion (05)"), ("06", "Segregation (06)")])
def test_seclusion_or_segregation_as_a_type_of_force_is_refused_naming_the_episode(
    ward, patient, governance, code, what
):
    """Issue 13: one event, one record. 05 and 06 are episodes (decision 0020); the file says so on the
    row and column and nothing of the file is saved."""
    rows = rows_for("INC-1", ward.code) + rows_for("INC-2", ward.code)
    rows[4]["intervention_type"] = code
    with pytest.raises(ImportRejected) as rejected:
        incidents_import(source=io.StringIO(to_csv(rows), newline=""), by=governance)
    assert not Incident.objects.exists()
    messages = {(e.row, e.column): str(e) for e in rejected.value.errors}
    assert list(messages) == [(6, "intervention_type")]
    assert f"{what} is recorded as a" in messages[(6, "intervention_type")]
    assert "record an episode linked to this incident instead" in messages[(6, "intervention_type")]
