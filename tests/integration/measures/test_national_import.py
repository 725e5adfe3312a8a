"""rrp import mhsds-provider-monthly and rrp benchmark national, against NHS Digital's real published files.

The figures asserted here are the headline figures of the folder's README. The folder is NHS Digital's
published extract shipped with RRP (``src/rrp/measures/published/``; its README gives the source and
licence), so these tests always run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from rrp.core.csv_import import ImportRejected
from rrp.core.models import AuditEvent
from rrp.measures.models import NationalMetric, NationalProviderMonth
from rrp.measures.national import (
    BENCHMARK_COLUMNS,
    PUBLISHED,
    UnknownProvider,
    people_and_bed_days,
    pooled,
    provider_benchmark,
    providers_pooled,
    read_published_directory,
)
from rrp.measures.selectors import national_figures
from rrp.measures.services import national_figures_import
from rrp.spc import analyse

MHSDS = PUBLISHED  # the published files shipped with RRP (src/rrp/measures/published/)
NOTTINGHAMSHIRE = "NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST"
ST_ANDREWS = "ST ANDREW'S HEALTHCARE"


@pytest.fixture
def imported(db):
    national_figures_import(directory=MHSDS, by=None)
    return national_figures(metrics=[NationalMetric.PEOPLE_RESTRAINED, NationalMetric.BED_DAYS])


def _write(folder: Path, name: str, lines: list[str]) -> None:
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_import_real_files_counts_every_row(db):
    counts = national_figures_import(directory=MHSDS, by=None)

    assert counts == {"created": 568 + 3799 + 3817, "changed": 0, "unchanged": 0}
    stored = NationalProviderMonth.objects
    assert stored.filter(metric=NationalMetric.PEOPLE_RESTRAINED).count() == 568
    assert stored.filter(metric=NationalMetric.PEOPLE_RESTRAINED, suppressed=True).count() == 35
    assert stored.filter(suppressed=True, value=0).count() == 0
    assert stored.filter(metric=NationalMetric.SUBJECT_TO_MHA, month__gte=dt.date(2022, 1, 1)).exists()
    assert not stored.filter(metric=NationalMetric.SUBJECT_TO_MHA, month=dt.date(2021, 9, 1)).exists()
    event = AuditEvent.objects.get(record_type="measures.NationalProviderMonth")
    assert event.action == "import" and event.detail["files"] == 36


def test_import_real_files_twice_changes_nothing(db):
    national_figures_import(directory=MHSDS, by=None)

    counts = national_figures_import(directory=MHSDS, by=None)

    assert counts == {"created": 0, "changed": 0, "unchanged": 8184}
    assert NationalProviderMonth.objects.count() == 8184


def test_import_real_files_iso_dates_read(db):
    national_figures_import(directory=MHSDS, by=None)

    months = set(
        NationalProviderMonth.objects.filter(metric=NationalMetric.PEOPLE_RESTRAINED).values_list(
            "month", flat=True
        )
    )

    assert months == {dt.date(2021 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(9, 21)}


def test_real_files_sum_of_people_matches_readme(imported):
    people = imported[imported["metric"] == "MHS76"]
    by_month = people.groupby("month")["value"].sum()

    assert by_month[dt.date(2021, 9, 1)] == 2340
    assert people[(people["month"] == dt.date(2021, 9, 1)) & people["suppressed"]].shape[0] == 4
    assert by_month[dt.date(2022, 8, 1)] == 2860
    assert people["value"].sum() == 28100


def test_real_files_nottinghamshire_matches_readme(imported):
    benchmark = provider_benchmark(imported, provider="Nottinghamshire Healthcare NHS Foundation Trust")
    september = benchmark.iloc[0]

    assert (september["people"], september["bed_days"]) == (175, 23525)
    assert round(september["rate_per_1000"], 3) == 7.439
    whole_year = pooled(benchmark)
    assert (whole_year.people, whole_year.bed_days, whole_year.provider_months) == (2025, 281030, 12)
    assert round(whole_year.rate_per_1000, 3) == 7.206


def test_real_files_st_andrews_matches_readme(imported):
    benchmark = provider_benchmark(imported, provider=ST_ANDREWS)
    eleven = pooled(benchmark)
    december = benchmark.set_index("month").loc[dt.date(2021, 12, 1)]

    assert (eleven.people, eleven.bed_days, eleven.provider_months) == (1310, 192785, 11)
    assert round(eleven.rate_per_1000, 3) == 6.795
    assert (december["people"], december["bed_days"]) == (85, 17500)
    assert benchmark["rate_per_1000"].min() == pytest.approx(85 / 17500 * 1000)
    assert round(december["rate_per_1000"], 3) == 4.857


def test_real_files_all_providers_pooled_matches_readme(imported):
    everyone = pooled(people_and_bed_days(imported))

    assert (everyone.people, everyone.bed_days, everyone.provider_months) == (28075, 5749635, 531)
    assert round(everyone.rate_per_1000, 3) == 4.883


def test_real_files_provider_names_match_readme(imported):
    people = imported[imported["metric"] == "MHS76"]
    numeric_months = people.dropna(subset=["value"]).groupby("provider_name")["month"].nunique()

    assert people["provider_name"].nunique() == 66
    assert (numeric_months == 12).sum() == 24


def test_real_files_monthly_all_providers_rate_pools_published_pairs(imported):
    benchmark = provider_benchmark(imported, provider=NOTTINGHAMSHIRE)
    joined = people_and_bed_days(imported).dropna(subset=["people", "bed_days"])
    september = joined[joined["month"] == dt.date(2021, 9, 1)]

    assert benchmark.iloc[0]["all_providers_rate_per_1000"] == pytest.approx(
        september["people"].sum() / september["bed_days"].sum() * 1000
    )
    assert len(benchmark) == 12


def test_benchmark_command_writes_exact_columns(imported, tmp_path):
    output = tmp_path / "notts.csv"

    call_command("benchmark_national", provider=NOTTINGHAMSHIRE, output=str(output), stdout=io.StringIO())

    rows = list(csv.reader(output.read_text().splitlines()))
    assert (
        rows[0]
        == BENCHMARK_COLUMNS
        == ["month", "people", "bed_days", "rate_per_1000", "all_providers_rate_per_1000"]
    )
    assert len(rows) == 13
    assert rows[1][:4] == ["2021-09", "175", "23525", "7.439"]
    assert float(rows[1][4]) == pytest.approx(imported.pipe(_september_pooled_rate), abs=0.0005)


def _september_pooled_rate(frame: pd.DataFrame) -> float:
    joined = people_and_bed_days(frame).dropna(subset=["people", "bed_days"])
    september = joined[joined["month"] == dt.date(2021, 9, 1)]
    return september["people"].sum() / september["bed_days"].sum() * 1000


def test_benchmark_command_missing_month_blank_and_suppressed_star(imported, tmp_path):
    # Mersey Care has no rstr row in Feb 2022 (README); St Andrew's has 11 months with data.
    output = tmp_path / "mersey.csv"

    call_command(
        "benchmark_national",
        provider="MERSEY CARE NHS FOUNDATION TRUST",
        output=str(output),
        stdout=io.StringIO(),
    )

    february = {row[0]: row for row in csv.reader(output.read_text().splitlines())}["2022-02"]
    assert february[1] == "" and february[3] == "" and february[2] != ""


def test_benchmark_command_unknown_provider_suggests_names(imported, tmp_path):
    with pytest.raises(CommandError, match="NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST"):
        call_command(
            "benchmark_national", provider="Nottinghamshire Healthcare", output=str(tmp_path / "x.csv")
        )


def test_benchmark_command_without_figures_says_import_first(db, tmp_path):
    with pytest.raises(CommandError, match="rrp import mhsds-provider-monthly"):
        call_command("benchmark_national", provider="ANY", output=str(tmp_path / "x.csv"))


def test_import_command_missing_folder(db, tmp_path):
    with pytest.raises(CommandError, match="No folder at"):
        call_command("import_mhsds_provider_monthly", str(tmp_path / "nowhere"))


def test_import_bad_rows_rejected_with_every_problem_and_nothing_saved(db, tmp_path):
    _write(tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,GOOD TRUST,MHS76,10"])
    _write(
        tmp_path,
        "beds01_Sep_2021.csv",
        [
            "01/09/2021,GOOD TRUST,Bed days in RP,900",
            "31/09/2021,BAD DATE TRUST,Bed days in RP,5",
            "01/10/2021,WRONG MONTH TRUST,Bed days in RP,5",
            "01/09/2021,,Bed days in RP,5",
            "01/09/2021,WRONG MEASURE TRUST,MHS76,5",
            "01/09/2021,NEGATIVE TRUST,Bed days in RP,-5",
            "01/09/2021,GOOD TRUST,Bed days in RP,905",
            "01/09/2021,SHORT ROW TRUST,5",
        ],
    )
    _write(tmp_path, "notes.csv", ["anything"])

    with pytest.raises(ImportRejected) as rejected:
        national_figures_import(directory=tmp_path, by=None)

    messages = [str(e) for e in rejected.value.errors]
    assert messages == [
        "beds01_Sep_2021.csv, row 2, column 1 (period_start) (value '31/09/2021'): enter the date as DD/MM/YYYY or YYYY-MM-DD",
        "beds01_Sep_2021.csv, row 3, column 1 (period_start) (value '01/10/2021'): the file name says September 2021; every row must start on 01/09/2021",
        "beds01_Sep_2021.csv, row 4, column 2 (provider): enter the provider's name",
        "beds01_Sep_2021.csv, row 5, column 3 (measure) (value 'MHS76'): a beds file holds 'Bed days in RP'",
        "beds01_Sep_2021.csv, row 6, column 4 (value) (value '-5'): enter a whole number from 0 to 100,000,000 (digits 0 to 9), or * for a suppressed figure",
        "beds01_Sep_2021.csv, row 7, column 2 (provider) (value 'GOOD TRUST'): this provider already appears in row 1",
        "beds01_Sep_2021.csv, row 8, column (row) (value '01/09/2021,SHORT ROW TRUST,5'): expected 4 columns (period_start, provider, measure, value), found 3",
        "notes.csv, column (file name) (value 'notes.csv'): expected a name like rstr01_Sep_2021.csv (rstr, beds or sect)",
    ]
    assert NationalProviderMonth.objects.count() == 0
    assert not AuditEvent.objects.filter(record_type="measures.NationalProviderMonth").exists()


def test_import_command_prints_each_problem(db, tmp_path, capsys):
    _write(tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,A TRUST,MHS76,lots"])

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_mhsds_provider_monthly", str(tmp_path))

    assert "rstr01_Sep_2021.csv, row 1, column 4 (value)" in capsys.readouterr().err


def test_import_suppressed_cell_kept_as_suppressed_not_zero(db, tmp_path):
    _write(
        tmp_path,
        "rstr06_Feb_2022.csv",
        ["2022-02-01,SMALL TRUST,MHS76,*", '2022-02-01,"A, B AND C TRUST",MHS76,15'],
    )

    national_figures_import(directory=tmp_path, by=None)

    small = NationalProviderMonth.objects.get(provider_name="SMALL TRUST")
    assert (small.month, small.value, small.suppressed) == (dt.date(2022, 2, 1), None, True)
    assert NationalProviderMonth.objects.get(provider_name="A, B AND C TRUST").value == 15


def test_import_revised_figure_updated_in_place(db, tmp_path):
    _write(tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,A TRUST,MHS76,*"])
    national_figures_import(directory=tmp_path, by=None)
    _write(tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,A TRUST,MHS76,20"])

    counts = national_figures_import(directory=tmp_path, by=None)

    assert counts == {"created": 0, "changed": 1, "unchanged": 0}
    figure = NationalProviderMonth.objects.get()
    assert (figure.value, figure.suppressed) == (20, False)


def test_import_same_figure_in_two_files_rejected(db, tmp_path):
    _write(tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,A TRUST,MHS76,10"])
    _write(tmp_path, "rstr13_Sep_2021.csv", ["01/09/2021,A TRUST,MHS76,15"])

    with pytest.raises(ImportRejected, match="1 problem"):
        national_figures_import(directory=tmp_path, by=None)


def test_import_empty_folder_rejected(db, tmp_path):
    with pytest.raises(ImportRejected):
        national_figures_import(directory=tmp_path, by=None)


def test_benchmark_former_name_counts_as_the_provider(db, tmp_path):
    _write(
        tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,OLD NAME TRUST,MHS76,10", "01/09/2021,OTHER,MHS76,30"]
    )
    _write(
        tmp_path,
        "beds01_Sep_2021.csv",
        ["01/09/2021,OLD NAME TRUST,Bed days in RP,1000", "01/09/2021,OTHER,Bed days in RP,3000"],
    )
    _write(
        tmp_path, "rstr02_Oct_2021.csv", ["01/10/2021,NEW NAME TRUST,MHS76,20", "01/10/2021,OTHER,MHS76,*"]
    )
    _write(
        tmp_path,
        "beds02_Oct_2021.csv",
        ["01/10/2021,NEW NAME TRUST,Bed days in RP,1000", "01/10/2021,OTHER,Bed days in RP,3000"],
    )
    national_figures_import(directory=tmp_path, by=None)
    frame = national_figures()

    benchmark = provider_benchmark(frame, provider="new name trust", former_names=["OLD NAME TRUST"])

    assert benchmark["people"].tolist() == [10, 20]
    assert benchmark["rate_per_1000"].tolist() == [10, 20]
    assert benchmark["all_providers_rate_per_1000"].tolist() == [10, 20]
    with pytest.raises(UnknownProvider):
        provider_benchmark(frame, provider="NEW NAME TRUST", former_names=["OLDE NAME TRUST"])


def test_read_published_directory_real_files_no_problems():
    figures, errors = read_published_directory(MHSDS)

    assert errors == []
    assert len(figures) == 8184


def test_real_files_funnel_centre_is_all_providers_pooled_rate(imported):
    providers = providers_pooled(people_and_bed_days(imported))

    funnel = analyse(
        "funnel",
        dates=None,
        numerators=providers["people"].to_numpy(),
        denominators=providers["bed_days"].to_numpy(),
        groups=providers["provider_name"].to_numpy(),
        multiplier=1000,
        improvement_direction="decrease",
    )

    assert providers["provider_months"].sum() == 531
    assert round(funnel.centre[0], 3) == 4.883
    nottinghamshire = providers.set_index("provider_name").loc[NOTTINGHAMSHIRE]
    assert round(nottinghamshire["rate_per_1000"], 3) == 7.206


def test_providers_pooled_limits_to_months(db, tmp_path):
    _write(tmp_path, "rstr01_Sep_2021.csv", ["01/09/2021,A TRUST,MHS76,10"])
    _write(tmp_path, "beds01_Sep_2021.csv", ["01/09/2021,A TRUST,Bed days in RP,1000"])
    _write(tmp_path, "rstr02_Oct_2021.csv", ["01/10/2021,A TRUST,MHS76,30"])
    _write(tmp_path, "beds02_Oct_2021.csv", ["01/10/2021,A TRUST,Bed days in RP,1000"])
    national_figures_import(directory=tmp_path, by=None)
    joined = people_and_bed_days(national_figures())

    october = providers_pooled(joined, months=[dt.date(2021, 10, 1)])

    assert october.to_dict("records") == [
        {
            "provider_name": "A TRUST",
            "people": 30.0,
            "bed_days": 1000.0,
            "provider_months": 1,
            "rate_per_1000": 30.0,
        }
    ]
    assert providers_pooled(joined)["rate_per_1000"].tolist() == [20.0]
