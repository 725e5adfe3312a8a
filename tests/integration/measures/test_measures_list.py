"""rrp measures list (issue 20 item 3): every catalogue measure with its key, name, kind, source and
review date, as text or CSV. Integration tests: the command reads the definitions approved on the
catalogue's pages from the database too (decision 0055)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from rrp.cli.main import to_management_argv
from rrp.measures.catalogue import all_measures

pytestmark = pytest.mark.django_db


def test_measures_list_csv_has_every_measure_with_its_kind_source_and_review_date():
    out = io.StringIO()

    call_command("measures_list", "--format", "csv", stdout=out)

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["key", "name", "kind", "source", "next_review"]
    assert {r["key"] for r in rows} == set(all_measures())
    staff = next(r for r in rows if r["key"] == "assaults-on-staff-per-1000-obd")
    assert (staff["kind"], staff["source"], staff["next_review"]) == ("balancing", "imported", "2027-06-30")


def test_measures_list_text_is_one_line_per_measure():
    assert to_management_argv(["measures", "list"]) == ["measures_list"]
    out = io.StringIO()

    call_command("measures_list", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == len(all_measures())
    assert any(
        line.startswith("safety-huddles-held") and "process" in line and "entered" in line for line in lines
    )
