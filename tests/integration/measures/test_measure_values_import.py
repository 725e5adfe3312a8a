"""rrp import measure-values (issue 20 item 2): a real CSV file with the columns
ward_code,measure,period_start,numerator,denominator; all or nothing, every problem by row and column,
exit status 2, and the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rrp.cli.main import to_management_argv
from rrp.core.csv_import import ImportRejected
from rrp.core.models import AuditEvent
from rrp.measures.models import MeasureValue
from rrp.measures.values import measure_values_import
from rrp.organisations.models import Ward

HEADER = "ward_code,measure,period_start,numerator,denominator\n"


def _months_ago(n: int) -> dt.date:
    first = timezone.localdate().replace(day=1)
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


@pytest.fixture
def good_file(world, tmp_path):
    a1, a2 = world.wards["a1"].code, world.wards["a2"].code
    last, before = _months_ago(1).isoformat(), _months_ago(2).isoformat()
    path = tmp_path / "datix-export.csv"
    path.write_text(
        HEADER
        + f"{a1},assaults-on-staff-per-1000-obd,{last},3,\n"
        + f"{a1},assaults-on-staff-per-1000-obd,{before},1,\n"
        + f"{a2},self-harm-incidents-per-1000-obd,{last},0,\n"
        + f"{a1},staff-sickness-rate,{last},12.5,410\n",
        encoding="utf-8",
    )
    return path


def test_import_saves_every_row_and_the_same_file_twice_changes_nothing(world, good_file, capsys):
    call_command("import_measure_values", str(good_file))
    first = capsys.readouterr().out
    call_command("import_measure_values", str(good_file))
    second = capsys.readouterr().out

    assert "4 new" in first
    assert "0 new, 0 corrected (a new version each), 4 already held" in second
    assert MeasureValue.objects.count() == 4
    sickness = MeasureValue.objects.get(measure_slug="staff-sickness-rate")
    assert (sickness.numerator, sickness.denominator, sickness.version) == (Decimal("12.5"), 410, 1)
    assert sickness.route == "imported" and sickness.recorded_by is None
    assert AuditEvent.objects.filter(record_type="measures.MeasureValue", action="import").count() == 2


def test_a_changed_figure_is_a_new_version_naming_the_file(world, good_file, tmp_path):
    measure_values_import(source=good_file, wards=Ward.objects.all(), by=None)
    regraded = tmp_path / "datix-regraded.csv"
    regraded.write_text(
        HEADER + f"{world.wards['a1'].code},assaults-on-staff-per-1000-obd,{_months_ago(1):%Y-%m},4,\n"
    )

    counts = measure_values_import(source=regraded, wards=Ward.objects.all(), by=None)

    assert counts == {"rows": 1, "created": 0, "corrected": 1, "unchanged": 0}
    versions = MeasureValue.objects.filter(
        measure_slug="assaults-on-staff-per-1000-obd", period_start=_months_ago(1)
    ).order_by("version")
    assert [(v.version, v.numerator) for v in versions] == [(1, 3), (2, 4)]
    assert versions[1].reason == "Corrected by the import of datix-regraded.csv"


def test_bad_file_names_every_problem_by_row_and_column_and_saves_nothing(world, tmp_path):
    a1 = world.wards["a1"].code
    last = _months_ago(1).isoformat()
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=1).isoformat()
    today = timezone.localdate()
    last_monday = today - dt.timedelta(days=today.weekday() + 7)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + f"{a1},assaults-on-staff-per-1000-obd,{last},2,\n"  # good, but not saved
        + f"{a1},assaults-on-staff-per-1000-obd,{_months_ago(2)},-1,\n"
        + f"{a1},self-harm-incidents-per-1000-obd,{last},lots,\n"
        + f"NOWARD,self-harm-incidents-per-1000-obd,{last},1,\n"
        + f"{a1},hugs-per-1000-obd,{last},1,\n"
        + f"{a1},assaults-on-patients-per-1000-obd,{future},1,\n"
        + f"{a1},staff-sickness-rate,{last},3,\n"
        + f"{a1},safewards-interventions-in-use,{last_monday},7,10\n"  # weekly: a Monday
        + f"{a1},incidents,{last},7,\n"
        + f"{a1},assaults-on-staff-per-1000-obd,{last},2,\n"
        + f"{a1},staff-sickness-rate,2025-03-15,20,31\n"
    )

    with pytest.raises(ImportRejected) as rejected:
        measure_values_import(source=bad, wards=Ward.objects.all(), by=None)

    assert [str(e) for e in rejected.value.errors] == [
        "Row 3, column numerator (value '-1'): enter 0 or more: a count cannot be negative",
        "Row 4, column numerator (value 'lots'): enter a number, for example 12 or 3.5",
        "Row 5, column ward_code (value 'NOWARD'): no ward you may record for has this code",
        "Row 6, column measure (value 'hugs-per-1000-obd'): no entered or imported measure has this key "
        "(see rrp measures list)",
        f"Row 7, column period_start (value '{future}'): the month is in the future",
        "Row 8, column denominator: enter the denominator: this measure's values carry their own",
        "Row 9, column denominator (value '10'): leave it blank: this measure is a count, with no denominator",
        "Row 10, column measure (value 'incidents'): this measure is counted from RRP's records, not entered",
        "Row 11: the same ward, measure and month are in row 2",
        "Row 12, column period_start (value '2025-03-15'): enter the first day of the month, for example "
        "2026-03-01",
    ]
    assert not MeasureValue.objects.exists()


def test_the_month_under_way_is_refused(world, tmp_path):
    this_month = timezone.localdate().replace(day=1)
    path = tmp_path / "early.csv"
    path.write_text(HEADER + f"{world.wards['a1'].code},self-harm-incidents-per-1000-obd,{this_month},1,\n")

    with pytest.raises(ImportRejected) as rejected:
        measure_values_import(source=path, wards=Ward.objects.all(), by=None)

    assert "the month has not ended yet" in str(rejected.value.errors[0])


def test_a_header_other_than_the_documented_columns_is_refused(world, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("ward,measure,month,value\nA1,self-harm-incidents-per-1000-obd,2025-01-01,1\n")

    with pytest.raises(ImportRejected) as rejected:
        measure_values_import(source=path, wards=Ward.objects.all(), by=None)

    assert any(e.column == "ward_code" and e.row == 1 for e in rejected.value.errors)


def test_command_exits_2_naming_row_and_column(world, tmp_path, capsys):
    assert to_management_argv(["import", "measure-values", "f.csv"]) == ["import_measure_values", "f.csv"]
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"{world.wards['a1'].code},self-harm-incidents-per-1000-obd,2025-01-01,x,\n")

    with pytest.raises(CommandError) as failed:
        call_command("import_measure_values", str(bad))

    assert failed.value.returncode == 2
    assert "Row 2, column numerator (value 'x')" in capsys.readouterr().err + str(failed.value)
    assert not MeasureValue.objects.exists()
