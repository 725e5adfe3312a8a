"""NHS Digital's provider-level monthly MHSDS files: reading them, and benchmarking a provider against them.

The layout is that of the copy shipped in ``published/mhsds-provider-monthly-restraint-2021-22/`` (its
README gives the source and is the reference): one file per measure per month, named ``<kind>NN_<Mon>_<YYYY>.csv`` with kind ``rstr``
(MHS76 people restrained), ``beds`` (MHS24 bed days) or ``sect`` (MHS09 detained, or MHS08 subject to
the Act in Jan–May 2022); no header row; four columns ``period_start, provider, measure, value``;
``period_start`` as ``DD/MM/YYYY`` or ``YYYY-MM-DD``; ``value`` a whole number or ``*`` (suppressed).

Nothing here touches the database: reading returns rows or every problem found; the benchmark works on
plain rows, so it can be tested against the published files directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rrp.core.csv_import import CellError
from rrp.core.validation.files import FileProblem, csv_rows, read_text_file, refused_cells
from rrp.core.validation.rules import FieldProblem, IntegerRule
from rrp.measures.models import NationalMetric

# The 12 months (September 2021 to August 2022) of NHS Digital's files shipped with RRP (see the README there).
PUBLISHED = Path(__file__).parent / "published" / "mhsds-provider-monthly-restraint-2021-22"
COLUMNS = ("period_start", "provider", "measure", "value")
FILE_NAME = re.compile(
    r"^(?P<kind>rstr|beds|sect)(?P<number>\d{2})_(?P<mon>[A-Z][a-z]{2})_(?P<year>\d{4})\.csv$"
)
MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1
    )
}
# The measure text NHS Digital puts in column 3 of each kind of file, and the metric it means.
MEASURE_TEXTS: dict[str, dict[str, NationalMetric]] = {
    "rstr": {"MHS76": NationalMetric.PEOPLE_RESTRAINED},
    "beds": {"Bed days in RP": NationalMetric.BED_DAYS},
    "sect": {
        "People subject to detention at the end of the reporting period": NationalMetric.DETAINED,
        "People subject to the Mental Health Act at the end of the reporting period": NationalMetric.SUBJECT_TO_MHA,
    },
}
SUPPRESSED = "*"
COLUMN_NAMES = ("1 (period_start)", "2 (provider)", "3 (measure)", "4 (value)")
#: The largest figure a provider-month can have: a hundred million bed days would be three million beds
#: (England has about 18,000 mental health beds). A larger cell is a broken file, not a figure.
FIGURE_RULE = IntegerRule(0, 100_000_000, "figure")
PER = 1000


@dataclass(frozen=True)
class FileCellError(CellError):
    """A problem in one of several header-less files: row 1 is the first line of the file."""

    file: str = ""

    def __str__(self) -> str:
        value = f" (value {self.value!r})" if self.value != "" else ""
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}, column {self.column}{value}: {self.reason}"


@dataclass(frozen=True)
class PublishedFigure:
    """One cell of a published file, checked."""

    month: dt.date
    provider_name: str
    metric: NationalMetric
    value: int | None
    suppressed: bool
    source_file: str


def parse_period_start(text: str) -> dt.date:
    """The first day of a month, written DD/MM/YYYY (most files) or YYYY-MM-DD (four rstr files)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_published_file(path: Path) -> tuple[list[PublishedFigure], list[FileCellError]]:  # noqa: C901  (a flat list of checks of the name, header and cells, each naming what is wrong)
    """Read one published file: its figures and every problem in it (a file with problems gives none)."""
    name = path.name
    match = FILE_NAME.match(name)
    if match is None or match["mon"] not in MONTHS:
        return [], [
            FileCellError(
                0,
                "(file name)",
                name,
                "expected a name like rstr01_Sep_2021.csv (rstr, beds or sect)",
                file=name,
            )
        ]
    kind = match["kind"]
    named_month = dt.date(int(match["year"]), MONTHS[match["mon"]], 1)
    texts = MEASURE_TEXTS[kind]
    figures: list[PublishedFigure] = []
    errors: list[FileCellError] = []
    seen: dict[tuple[str, NationalMetric], int] = {}

    def problem(row: int, column: str, value: str, reason: str) -> None:
        errors.append(FileCellError(row, column, value, reason, file=name))

    try:
        text = read_text_file(path)
        rows = list(csv_rows(text))
    except FileProblem as unreadable:
        return [], [FileCellError(unreadable.row, "(file)", "", str(unreadable), file=name)]
    for row, index, reason in refused_cells(text):
        problem(row, COLUMN_NAMES[index] if index < len(COLUMN_NAMES) else "(row)", "", reason)
    if not any(any(c.strip() for c in cells) for _, cells in rows):
        problem(0, "(file)", "", "the file has no rows: each published file has one row per provider")
    for number, cells in rows:
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            problem(
                number,
                "(row)",
                ",".join(cells),
                f"expected 4 columns ({', '.join(COLUMNS)}), found {len(cells)}",
            )
            continue
        period_text, provider, measure_text, value_text = (c.strip() for c in cells)
        try:
            month = parse_period_start(period_text)
        except ValueError:
            problem(number, "1 (period_start)", period_text, "enter the date as DD/MM/YYYY or YYYY-MM-DD")
            month = None
        if month is not None and month != named_month:
            problem(
                number,
                "1 (period_start)",
                period_text,
                f"the file name says {named_month:%B %Y}; every row must start on {named_month:%d/%m/%Y}",
            )
            month = None
        if not provider:
            problem(number, "2 (provider)", "", "enter the provider's name")
        metric = texts.get(measure_text)
        if metric is None:
            expected = " or ".join(repr(t) for t in texts)
            problem(number, "3 (measure)", measure_text, f"a {kind} file holds {expected}")
        value: int | None = None
        if value_text != SUPPRESSED:
            try:
                value = FIGURE_RULE.parse(value_text)
            except FieldProblem:
                problem(
                    number,
                    "4 (value)",
                    value_text[:100],
                    f"enter a whole number from 0 to {FIGURE_RULE.maximum:,} (digits 0 to 9), "
                    "or * for a suppressed figure",
                )
                continue
        if month is None or not provider or metric is None:
            continue
        key = (provider, metric)
        if key in seen:
            problem(number, "2 (provider)", provider, f"this provider already appears in row {seen[key]}")
            continue
        seen[key] = number
        figures.append(
            PublishedFigure(
                month=month,
                provider_name=provider,
                metric=metric,
                value=value,
                suppressed=value is None,
                source_file=name,
            )
        )
    return ([] if errors else figures), errors


def read_published_directory(directory: Path | str) -> tuple[list[PublishedFigure], list[FileCellError]]:
    """Read every ``*.csv`` in a folder; the same month, provider and measure may appear only once."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        return [], [
            FileCellError(
                0, "(folder)", str(folder), "there are no .csv files in this folder", file=folder.name
            )
        ]
    figures: list[PublishedFigure] = []
    errors: list[FileCellError] = []
    first_seen: dict[tuple[dt.date, str, NationalMetric], str] = {}
    for path in paths:
        file_figures, file_errors = read_published_file(path)
        errors.extend(file_errors)
        for figure in file_figures:
            key = (figure.month, figure.provider_name, figure.metric)
            if key in first_seen:
                errors.append(
                    FileCellError(
                        0,
                        "(file)",
                        figure.provider_name,
                        f"{figure.metric} for {figure.month:%B %Y} is also in {first_seen[key]}",
                        file=path.name,
                    )
                )
                continue
            first_seen[key] = path.name
            figures.append(figure)
    return ([] if errors else figures), errors


def figures_frame(figures: Iterable[PublishedFigure] | Iterable[dict]) -> pd.DataFrame:
    """Published figures as a frame with columns month, provider_name, metric, value (NaN if suppressed)."""
    rows = [f if isinstance(f, dict) else dataclasses.asdict(f) for f in figures]
    frame = pd.DataFrame(rows, columns=["month", "provider_name", "metric", "value", "suppressed"])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["metric"] = frame["metric"].astype(str)
    return frame


def people_and_bed_days(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (month, provider) with an MHS76 row: people and bed days joined on the exact name.

    Columns: month, provider_name, people, people_suppressed, bed_days, bed_days_suppressed. A value is
    NaN when suppressed or when no row was published.
    """
    people = frame[frame["metric"] == NationalMetric.PEOPLE_RESTRAINED.value]
    beds = frame[frame["metric"] == NationalMetric.BED_DAYS.value]
    joined = people[["month", "provider_name", "value", "suppressed"]].merge(
        beds[["month", "provider_name", "value", "suppressed"]],
        on=["month", "provider_name"],
        how="left",
        suffixes=("_people", "_beds"),
    )
    return joined.rename(
        columns={
            "value_people": "people",
            "suppressed_people": "people_suppressed",
            "value_beds": "bed_days",
            "suppressed_beds": "bed_days_suppressed",
        }
    )


@dataclass(frozen=True)
class PooledRate:
    """A rate pooled over provider-months: sum of people over sum of bed days, per 1,000."""

    people: float
    bed_days: float
    provider_months: int

    @property
    def rate_per_1000(self) -> float:
        return self.people / self.bed_days * PER if self.bed_days else float("nan")


def pooled(joined: pd.DataFrame) -> PooledRate:
    """Pool over the rows where both people and bed days are published numbers."""
    both = joined.dropna(subset=["people", "bed_days"])
    return PooledRate(
        people=float(both["people"].sum()), bed_days=float(both["bed_days"].sum()), provider_months=len(both)
    )


def providers_pooled(joined: pd.DataFrame, *, months: Iterable[dt.date] | None = None) -> pd.DataFrame:
    """Each provider's people and bed days pooled over its provider-months with both figures published,
    for a funnel plot: columns provider_name, people, bed_days, provider_months, rate_per_1000.

    ``months`` limits the pooling to those months (all held if None). Feed people and bed_days to
    ``rrp.spc.analyse("funnel", ...)`` with multiplier 1,000; its centre is the all-providers pooled rate.
    """
    both = joined.dropna(subset=["people", "bed_days"])
    if months is not None:
        both = both[both["month"].isin(list(months))]
    pooled_rows = (
        both.groupby("provider_name")
        .agg(people=("people", "sum"), bed_days=("bed_days", "sum"), provider_months=("month", "nunique"))
        .reset_index()
    )
    pooled_rows["rate_per_1000"] = pooled_rows["people"] / pooled_rows["bed_days"] * PER
    return pooled_rows


class UnknownProvider(LookupError):
    """No published figures carry this name; ``suggestions`` lists the closest published names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name, self.suggestions = name, suggestions
        hint = f" Did you mean: {'; '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No provider named {name!r} in the national figures.{hint}")


BENCHMARK_COLUMNS = ["month", "people", "bed_days", "rate_per_1000", "all_providers_rate_per_1000"]


def provider_benchmark(
    frame: pd.DataFrame, *, provider: str, former_names: Iterable[str] = ()
) -> pd.DataFrame:
    """A provider's people restrained, bed days and rate per month, beside every provider's pooled rate.

    ``provider`` is matched to the published name ignoring case. ``former_names`` are names the same
    provider was published under before a merger or rename; their rows count as the provider's (a month
    published under two of the names is an error, not a sum). One row per month in the national figures,
    in month order. people and bed_days are NaN when the provider's cell was suppressed or absent, and
    the ``*_suppressed`` columns say which; the rate is NaN unless both figures were published. The
    all-providers rate pools, per month, every provider-month where both figures are published numbers.
    """
    names = {n.upper(): n for n in frame["provider_name"].unique()}
    wanted = [provider, *former_names]
    for name in wanted:
        if name.upper() not in names:
            raise UnknownProvider(name, difflib.get_close_matches(name.upper(), list(names), n=3, cutoff=0.6))
    published_names = {names[n.upper()] for n in wanted}
    months = sorted(frame["month"].unique())
    joined = people_and_bed_days(frame)
    national = (
        joined.dropna(subset=["people", "bed_days"])
        .groupby("month")[["people", "bed_days"]]
        .sum()
        .reindex(months)
    )
    national_rate = national["people"] / national["bed_days"] * PER

    mine = frame[frame["provider_name"].isin(published_names)]
    clash = mine.duplicated(["month", "metric"], keep=False)
    if clash.any():
        month = pd.Timestamp(mine[clash]["month"].iloc[0])
        raise ValueError(
            f"{month:%B %Y} is published under more than one of the names {sorted(published_names)}"
        )
    wide = mine.pivot(index="month", columns="metric", values="value").reindex(months)
    flags = mine.pivot(index="month", columns="metric", values="suppressed").reindex(months)
    people = wide.get(NationalMetric.PEOPLE_RESTRAINED.value, pd.Series(index=months, dtype=float))
    bed_days = wide.get(NationalMetric.BED_DAYS.value, pd.Series(index=months, dtype=float))
    result = pd.DataFrame(
        {
            "month": months,
            "people": people.to_numpy(dtype=float),
            "bed_days": bed_days.to_numpy(dtype=float),
            "people_suppressed": flags.get(NationalMetric.PEOPLE_RESTRAINED.value, pd.Series(index=months))
            .eq(True)
            .to_numpy(),
            "bed_days_suppressed": flags.get(NationalMetric.BED_DAYS.value, pd.Series(index=months))
            .eq(True)
            .to_numpy(),
            "all_providers_rate_per_1000": national_rate.to_numpy(dtype=float),
        }
    )
    result["rate_per_1000"] = result["people"] / result["bed_days"] * PER
    return result


def benchmark_csv_rows(benchmark: pd.DataFrame) -> list[list[str]]:
    """The benchmark as CSV cells: month as YYYY-MM, ``*`` for a suppressed figure, blank for none published,
    rates to 3 decimal places."""

    def count(value: float, suppressed: bool) -> str:
        if suppressed:
            return SUPPRESSED
        return "" if pd.isna(value) else str(int(value))

    def rate(value: float) -> str:
        return "" if pd.isna(value) else f"{value:.3f}"

    rows = [BENCHMARK_COLUMNS]
    for row in benchmark.itertuples(index=False):
        rows.append(
            [
                f"{pd.Timestamp(row.month):%Y-%m}",
                count(row.people, row.people_suppressed),
                count(row.bed_days, row.bed_days_suppressed),
                rate(row.rate_per_1000),
                rate(row.all_providers_rate_per_1000),
            ]
        )
    return rows
