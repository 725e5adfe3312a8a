"""The annual statistics (Use of Force Act s7, issue 16 item 7): they reconcile with the board's monthly
figures for the same months (every use, prone, by ward), every use is in one group of each
characteristic, published figures are suppressed as NHS Digital does, and the CSV and PDF are audited
downloads for the board's readers only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from rrp.core.models import AuditEvent
from rrp.force.services import InterventionInput, incident_record
from rrp.reports.annual import annual_statistics
from rrp.reports.annual.compute import financial_year
from rrp.reports.board import provider_board
from tests.helpers import signed_in_client
from tests.integration.reports.board_data import at

pytestmark = pytest.mark.django_db
RI = "restrictive-interventions-per-1000-obd"
PRONE = "prone-restraints-per-1000-obd"


def latest_year(today: dt.date) -> int:
    return today.year - 1 if today.month >= 4 else today.year - 2


def board_sum(board, slug: str, since: dt.date, until: dt.date) -> int:
    series = board.block(slug).provider_series
    months = pd.to_datetime(series["period"]).dt.date
    return int(series.loc[(months >= since) & (months <= until), "numerator"].sum())


def test_the_year_reconciles_with_the_board(board_world, today):
    year = latest_year(today)
    since, until = financial_year(year)
    ward = board_world.wards["a1"]
    start = at(since.replace(month=6, day=3), 9)
    incident_record(
        ward=ward,
        patient=board_world.patients["a1"],
        by=board_world.users["provider_governance"],
        interventions=[InterventionInput("01", start, start + dt.timedelta(minutes=4))],
    )
    provider = board_world.providers[0]
    stats = annual_statistics(provider, year)
    board = provider_board(board_world.users["provider_governance"], provider, today=today)
    assert stats.total.uses == board_sum(board, RI, since, until) > 0
    prone = next(f for f in stats.by_type if f.label.endswith("Prone"))
    assert prone.uses == board_sum(board, PRONE, since, until) == 1
    assert sum(f.uses for f in stats.by_ward) == stats.total.uses
    for figures in stats.by_characteristic.values():
        assert sum(f.uses for f in figures) == stats.total.uses
    assert stats.total.people == 2  # the patients of wards a1 and a2


def test_published_figures_are_suppressed_and_downloads_audited(board_world, today):
    provider = board_world.providers[0]
    year = latest_year(today)
    stats = annual_statistics(provider, year)
    prone = next(f for f in stats.by_type if f.label.endswith("Prone"))
    assert prone.uses == 0 and prone.uses_published is None  # under 5: hidden
    assert stats.total.uses_published % 5 == 0
    governance = signed_in_client(board_world.users["provider_governance"])
    page = governance.get(f"/reports/annual/{provider.pk}/?year={year}")
    assert page.status_code == 200 and "Statistics of the use of force" in page.text
    assert "(exact)" in page.text
    data = governance.get(f"/reports/annual/{provider.pk}/{year}.csv")
    rows = list(csv.DictReader(io.StringIO(data.content.decode())))
    total = next(r for r in rows if r["table"] == "Total")
    assert total["uses_of_force"] == str(stats.total.uses_published)
    assert next(r for r in rows if r["group"].endswith("Prone"))["uses_of_force"] == "*"
    pdf = governance.get(f"/reports/annual/{provider.pk}/{year}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(detail__export__startswith="annual_statistics").count()
    assert exports == 2
    assert (
        signed_in_client(board_world.users["ward_staff"]).get(f"/reports/annual/{provider.pk}/").status_code
        == 403
    )
    assert governance.get(f"/reports/annual/{provider.pk}/?year=1990").status_code == 404


def test_inspection_pack_page_csv_and_pdf(board_world, today):
    provider = board_world.providers[0]
    governance = signed_in_client(board_world.users["provider_governance"])
    page = governance.get(f"/reports/inspection/{provider.pk}/")
    assert page.status_code == 200 and "CQC inspection pack" in page.text
    assert 'id="pack-overdue"' in page.text and "No policy recorded" in page.text
    data = governance.get(f"/reports/inspection/{provider.pk}/pack.csv")
    rows = list(csv.DictReader(io.StringIO(data.content.decode())))
    monthly = [r for r in rows if r["section"] == "Monthly figures" and r["item"].startswith("Restrictive")]
    assert len(monthly) == 12 and monthly[-1]["value"] == "14"  # a1's 12 and a2's 2 in the last month
    assert {r["item"] for r in rows if r["section"] == "Investigations"} == {"Open", "Overdue", "Closed"}
    pdf = governance.get(f"/reports/inspection/{provider.pk}/pack.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(detail__export__startswith="inspection_pack").count() == 2
    assert (
        signed_in_client(board_world.users["ward_staff"])
        .get(f"/reports/inspection/{provider.pk}/")
        .status_code
        == 403
    )
