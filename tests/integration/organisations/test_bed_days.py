"""Occupied bed days: the monthly form, the import file, and deriving them from ward stays."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rrp.core.csv_import import ImportRejected
from rrp.organisations.models import MonthlyBedDays, OccupiedBedDays
from rrp.organisations.selectors import bed_days_by_month
from rrp.organisations.services import bed_days_import
from rrp.people.services import bed_days_derive_from_stays
from tests import factories
from tests.helpers import signed_in_client


def csv_file(text: str) -> io.StringIO:
    return io.StringIO(text.strip() + "\n")


def test_import_saves_good_file_and_second_import_changes_nothing(world, tmp_path):
    a1, a2 = world.wards["a1"], world.wards["a2"]
    path = tmp_path / "bed-days.csv"
    path.write_text(f"ward_code,month,occupied_bed_days\n{a1.code},2025-01,560\n{a2.code},2025-01,600\n")
    assert bed_days_import(source=path, by=None) == {"created": 2, "changed": 0, "unchanged": 0}
    assert bed_days_import(source=path, by=None) == {"created": 0, "changed": 0, "unchanged": 2}
    assert MonthlyBedDays.objects.get(ward=a1, month=dt.date(2025, 1, 1)).bed_days == 560


def test_import_with_any_bad_row_saves_nothing_and_reports_every_error(world):
    a1 = world.wards["a1"]  # 20 beds: at most 620 bed days in January
    text = f"""
ward_code,month,occupied_bed_days
{a1.code},2025-01,560
NOPE,2025-02,10
{a1.code},2025-13,10
{a1.code},2025-03,lots
{a1.code},2025-04,900
{a1.code},2025-01,500
"""
    with pytest.raises(ImportRejected) as rejected:
        bed_days_import(source=csv_file(text), by=None)
    errors = [(e.row, e.column) for e in rejected.value.errors]
    assert errors == [
        (3, "ward_code"),
        (4, "month"),
        (5, "occupied_bed_days"),
        (6, "occupied_bed_days"),
        (7, "month"),
    ]
    messages = [str(e) for e in rejected.value.errors]
    assert "Row 3, column ward_code (value 'NOPE'): no ward has this code" in messages
    assert "more than the ward's 20 beds" in messages[3]
    assert "already appear in row 2" in messages[4]
    assert not MonthlyBedDays.objects.exists()


def test_import_rejects_a_file_without_the_columns(world):
    with pytest.raises(ImportRejected) as rejected:
        bed_days_import(source=csv_file("ward,month\nx,2025-01"), by=None)
    assert {e.column for e in rejected.value.errors} == {"ward_code", "occupied_bed_days", "ward"}


def test_import_command_reports_errors_and_exits_non_zero(world, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("ward_code,month,occupied_bed_days\nNOPE,2025-01,5\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_bed_days", str(path))
    assert "Row 2, column ward_code" in capsys.readouterr().err


def test_bed_days_form_names_the_bad_field(world):
    ward = world.wards["a1"]
    client = signed_in_client(world.users["ward_staff"])
    assert client.get(f"/wards/{ward.pk}/bed-days/").status_code == 404  # ward staff cannot enter bed days
    manager = signed_in_client(world.users["ward_manager"])
    response = manager.post(f"/wards/{ward.pk}/bed-days/", {"month": "2025-02", "bed_days": "9999"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "more than the ward&#39;s 20 beds" in page
    assert not MonthlyBedDays.objects.exists()
    response = manager.post(f"/wards/{ward.pk}/bed-days/", {"month": "Feb", "bed_days": "500"})
    assert "Enter the month as YYYY-MM" in response.content.decode()
    response = manager.post(f"/wards/{ward.pk}/bed-days/", {"month": "2025-02", "bed_days": "500"})
    assert response.status_code == 302
    assert MonthlyBedDays.objects.get(ward=ward).bed_days == 500


def test_derived_daily_bed_days_win_over_the_monthly_figure(world):
    ward = factories.ward(site=world.wards["a1"].site)
    patient = factories.patient(provider=ward.provider)
    tz = timezone.get_current_timezone()
    factories.stay(
        patient=patient,
        ward=ward,
        started_at=dt.datetime(2025, 3, 1, 14, tzinfo=tz),
        ended_at=dt.datetime(2025, 3, 11, 10, tzinfo=tz),
    )
    MonthlyBedDays.objects.create(
        ward=ward, month=dt.date(2025, 3, 1), bed_days=99, source="manual", recorded_at=timezone.now()
    )
    MonthlyBedDays.objects.create(
        ward=ward, month=dt.date(2025, 4, 1), bed_days=77, source="manual", recorded_at=timezone.now()
    )
    bed_days_derive_from_stays(wards=[ward], first_day=dt.date(2025, 3, 1), last_day=dt.date(2025, 3, 31))
    assert OccupiedBedDays.objects.filter(ward=ward).count() == 31
    figures = bed_days_by_month([ward.pk], since=dt.date(2025, 3, 1), until=dt.date(2025, 4, 30))[ward.pk]
    assert figures[dt.date(2025, 3, 1)] == (10, "ward_stays")
    assert figures[dt.date(2025, 4, 1)] == (77, "manual")


def test_bed_days_by_month_puts_first_and_last_days_in_their_own_month(world):
    ward = world.wards["a1"]
    for day, value in [(dt.date(2025, 1, 31), 3), (dt.date(2025, 2, 1), 5), (dt.date(2025, 2, 28), 7)]:
        OccupiedBedDays.objects.create(ward=ward, date=day, bed_days=value)

    figures = bed_days_by_month([ward.pk], since=dt.date(2025, 1, 1), until=dt.date(2025, 3, 31))[ward.pk]

    assert figures == {dt.date(2025, 1, 1): (3, "ward_stays"), dt.date(2025, 2, 1): (12, "ward_stays")}


def test_bed_days_by_month_of_an_empty_window_is_empty(world):
    ward = world.wards["a1"]
    OccupiedBedDays.objects.create(ward=ward, date=dt.date(2025, 1, 31), bed_days=3)

    assert bed_days_by_month([ward.pk], since=dt.date(2025, 2, 1), until=dt.date(2025, 1, 1)) == {}
