"""The CQC inspection pack's period and content (issue 16 item 8): a month, quarter, year or dates chosen,
each refused naming the field when wrong (page, CSV and PDF alike); the monthly figures only of the
period's months; the board's SPC charts in the page and in the PDF; and the seclusion and long-term
segregation reviews overdue now by the segregation app's timers. The PDF is read back as text (pypdf)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from rrp.reports.annual.periods import add_months, months_touched, quarter_choices
from rrp.segregation.services import episode_start
from tests.helpers import signed_in_client
from tests.integration.reports.board_data import A1_PATTERN, A2_PATTERN
from tests.integration.segregation.episode_data import seclusion_kwargs

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(content)).pages)


def csv_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_a_month_gives_that_months_figures_only(board_world, today):
    provider = board_world.providers[0]
    month = add_months(today, -2)  # the month before the last whole month
    governance = signed_in_client(board_world.users["provider_governance"])
    query = f"?period=month&month={month:%Y-%m}"
    rows = csv_of(governance.get(f"/reports/inspection/{provider.pk}/pack.csv{query}"))
    monthly = [r for r in rows if r["section"] == "Monthly figures" and r["item"].startswith("Restrictive")]
    assert [(r["period"], r["value"]) for r in monthly] == [
        (f"{month:%Y-%m}", str(A1_PATTERN[-2] + A2_PATTERN[-2]))
    ]
    assert next(r for r in rows if r["section"] == "Period")["value"] == f"{month:%B %Y}"
    page = governance.get(f"/reports/inspection/{provider.pk}/{query}")
    assert page.status_code == 200
    # The board's charts of the provider total, ending with the period's last month.
    assert page.text.count('class="rrp-chart"') >= 3
    assert f"the 24 months to {month:%B %Y}" in page.text


def test_a_quarter_and_a_year_count_their_months(board_world, today):
    provider = board_world.providers[0]
    governance = signed_in_client(board_world.users["provider_governance"])
    quarter = quarter_choices(today)[0][0]
    rows = csv_of(
        governance.get(f"/reports/inspection/{provider.pk}/pack.csv?period=quarter&quarter={quarter}")
    )
    months = {r["period"] for r in rows if r["section"] == "Monthly figures"}
    assert len(months) == 3 and min(months) == quarter
    year = today.year - 1 if today.month >= 4 else today.year - 2
    rows = csv_of(governance.get(f"/reports/inspection/{provider.pk}/pack.csv?period=year&year={year}"))
    months = sorted({r["period"] for r in rows if r["section"] == "Monthly figures"})
    assert months[0] == f"{year}-04" and months[-1] == f"{year + 1}-03" and len(months) == 12


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=month", "month", "Choose the month"),
        ("period=quarter", "quarter", "Choose the quarter"),
        ("period=year&year=1999", "year", "Select a valid choice"),
        ("period=custom&end=2026-01-31", "start", "Enter the first day of the period"),
        ("period=custom&start=2025-03-01&end=2025-02-01", "end", "The last day must be the same as or after"),
        ("period=custom&start=2023-01-01&end=2025-02-01", "end", "at most 24 months"),
        ("period=custom&start=2017-12-01&end=2018-02-01", "start", "on or after 1 January 2018"),
        ("period=custom&start=2025-01-01&end=2025-02-30", "end", ""),
        ("period=fortnight", "period", "Select a valid choice"),
    ],
)
def test_a_period_is_refused_naming_the_field(world, query, field, message):
    provider = world.providers[0]
    governance = signed_in_client(world.users["provider_governance"])
    page = governance.get(f"/reports/inspection/{provider.pk}/?{query}")
    assert page.status_code == 400
    assert "There is a problem" in page.text and f'href="#id_{field}' in page.text
    assert message in page.text
    for download in ("pack.csv", "pack.pdf"):
        refused = governance.get(f"/reports/inspection/{provider.pk}/{download}?{query}")
        assert refused.status_code == 400 and message in refused.content.decode()


def test_the_end_may_not_be_in_the_future(world, today):
    provider = world.providers[0]
    tomorrow = today + dt.timedelta(days=1)
    page = signed_in_client(world.users["provider_governance"]).get(
        f"/reports/inspection/{provider.pk}/?period=custom&start={today.isoformat()}&end={tomorrow.isoformat()}"
    )
    assert page.status_code == 400 and "The last day must be today or earlier" in page.text


def test_with_no_period_asked_the_last_12_months_are_shown_chosen(world):
    page = signed_in_client(world.users["provider_governance"]).get(
        f"/reports/inspection/{world.providers[0].pk}/"
    )
    assert page.status_code == 200
    assert re.search(r'value="last12"[^>]*checked', page.text)
    assert not re.search(r'value="month"[^>]*checked', page.text)


def test_months_touched_counts_calendar_months():
    assert months_touched(dt.date(2025, 1, 31), dt.date(2025, 2, 1)) == 2
    assert months_touched(dt.date(2024, 3, 1), dt.date(2026, 2, 28)) == 24


def test_the_pdf_has_the_charts_the_period_and_overdue_seclusion_reviews(board_world, today):
    provider, ward = board_world.providers[0], board_world.wards["a1"]
    governance_user = board_world.users["provider_governance"]
    episode_start(
        ward=ward,
        patient=board_world.patients["a1"],
        by=governance_user,
        started_at=timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=5),
        authorised_by_name="Nia Nurse",
        **seclusion_kwargs(),
    )
    governance = signed_in_client(governance_user)
    start = add_months(today, -3)
    query = f"?period=custom&start={start.isoformat()}&end={today.isoformat()}"
    rows = csv_of(governance.get(f"/reports/inspection/{provider.pk}/pack.csv{query}"))
    overdue = {r["item"]: int(r["value"]) for r in rows if r["section"] == "Overdue reviews"}
    assert overdue["Seclusion reviews and observations overdue"] >= 1
    assert overdue["Long-term segregation reviews overdue"] == 0
    page = governance.get(f"/reports/inspection/{provider.pk}/{query}")
    assert 'id="pack-episode-reviews"' in page.text and "Nursing review" in page.text

    pdf = governance.get(f"/reports/inspection/{provider.pk}/pack.pdf{query}")
    text = " ".join(pdf_text(pdf.content).split())
    assert f"{start:%-d %B %Y} to {today:%-d %B %Y}" in text
    assert "Charts of the key measures, all wards" in text
    assert "All wards: Restrictive interventions" in text
    assert "Seclusion and long-term segregation reviews overdue now" in text
    assert "Nursing review" in text and ward.name in text
    assert "Monthly figures, provider total" in text
