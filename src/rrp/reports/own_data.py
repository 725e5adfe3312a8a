"""Chart your own data (issue 20 item 4): any CSV of dates and values (or numerators and denominators, in
groups) drawn by the same engine, drawing and panels as every other chart in RRP.

Nothing here stores anything: the data arrives with each request, is read and checked by
``core.validation.spc_csv`` (the parser ``rrp spc`` uses, so a bad file gets the same words), is charted,
and is forgotten. A download re-posts the same form, so the page never needs to keep the data
(decision 0057). Uploaded files are read into memory only (:class:`MemoryOnlyUpload`), never written to a
temporary file on disk.
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from rrp.charts import Event
from rrp.charts.spc_chart import CHART_NAMES
from rrp.core.validation.files import FileProblem, decode_text
from rrp.core.validation.forms import ValidatedForm
from rrp.core.validation.spc_csv import OUTPUT_COLUMNS, Columns, SpcCsvProblem, analyse_csv, output_columns
from rrp.improvement.models import ProjectSeries, QiProject
from rrp.improvement.project_selectors import series_of
from rrp.reports.panels import ChartPanel, chart_panel
from rrp.spc import Chart, ImprovementDirection, SpcResult

#: The largest file or pasted text charted here (bytes of UTF-8): about 20 years of daily points in 5
#: groups. Larger series are for ``rrp spc``, which has no limit.
MAX_BYTES = 1_000_000
#: The most rows of data charted here.
MAX_ROWS = 5_000
#: The most groups (one chart each) on the page.
MAX_GROUPS = 12
#: The charts offered: every chart of the engine drawn over time (a funnel compares units, not dates).
CHARTS = [c for c in Chart if c is not Chart.FUNNEL]
#: Charts that read a numerator and a denominator; XmR and run charts may read either.
RATIO_CHARTS = frozenset(c for c in Chart if c.needs_denominator)
VALUE_ONLY_CHARTS = frozenset({Chart.C, Chart.G, Chart.T})
DIRECTION_WORDS = {
    ImprovementDirection.INCREASE: "Up is better",
    ImprovementDirection.DECREASE: "Down is better",
    ImprovementDirection.NEUTRAL: "Neither (no better direction)",
}
SHAPES = [
    ("value", "A value for each date"),
    ("ratio", "A numerator and a denominator for each date"),
]
_REBASE_SPLIT = re.compile(r"[,;\s]+")


class MemoryOnlyUpload(FileUploadHandler):
    """Keeps an uploaded file in memory, never in a temporary file on disk (nothing uploaded is stored),
    and stops reading it past :data:`MAX_BYTES`, marking the request so the page can say why."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if start + len(raw_data) > MAX_BYTES:
            self.request.rrp_upload_too_large = True  # type: ignore[union-attr]
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def _column(label: str, initial: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        initial=initial,
        required=required,
        max_length=200,
        help_text=help_text,
        error_messages={"required": f"Enter the name of the {label.lower()}"},
    )


class OwnDataForm(ValidatedForm):
    """The data and how to chart it. ``clean`` reads and checks the CSV, so a bad cell is a form error."""

    csv_text = forms.CharField(
        label="Paste your data",
        required=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text="CSV with a header row, for example: date,value then one row per date such as 2025-01-06,12",
    )
    file = forms.FileField(
        label="Or choose a CSV file",
        required=False,
        help_text="UTF-8 CSV (in Excel: Save As 'CSV UTF-8'), at most 1 MB. A file replaces the pasted text.",
    )
    title = forms.CharField(
        label="What the data is (optional)",
        required=False,
        max_length=120,
        help_text="Used as the chart's title and value axis, for example 'Assaults on staff per month'",
    )
    chart = forms.ChoiceField(
        label="Chart",
        initial=Chart.XMR.value,
        choices=[(c.value, CHART_NAMES[c]) for c in CHARTS],
        help_text="XmR is the Making Data Count default; p for proportions, u for rates, c for counts",
    )
    shape = forms.ChoiceField(
        label="What each row holds",
        initial="value",
        choices=SHAPES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what each row holds"},
    )
    improvement = forms.ChoiceField(
        label="Which way is better",
        initial=ImprovementDirection.NEUTRAL.value,
        choices=[(d.value, w) for d, w in DIRECTION_WORDS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select which way is better"},
    )
    target = forms.FloatField(
        label="Target (optional)",
        required=False,
        help_text="With a better direction, the assurance icon says whether the process will meet it",
        error_messages={"invalid": "Enter the target as a number, for example 12.5"},
    )
    rebase = forms.CharField(
        label="Rebase dates (optional)",
        required=False,
        max_length=2_000,
        help_text="New limits start on each date: YYYY-MM-DD, separated by commas, for example 2025-04-07",
    )
    multiplier = forms.FloatField(
        label="Multiply rates by (optional)",
        required=False,
        help_text="For a numerator and denominator, for example 1000 for a rate per 1,000 occupied bed days",
        error_messages={"invalid": "Enter the multiplier as a number, for example 1000"},
    )
    date_column = _column("Date column", "date")
    value_column = _column("Value column", "value")
    numerator_column = _column("Numerator column", "numerator")
    denominator_column = _column("Denominator column", "denominator")
    group_column = _column(
        "Group column (optional)", "", required=False, help_text="One chart for each group, e.g. ward"
    )

    def __init__(self, *args: Any, file_too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file_too_large = file_too_large

    def clean_rebase(self) -> list[date]:
        text = self.cleaned_data.get("rebase") or ""
        dates = []
        for part in _REBASE_SPLIT.split(text.strip()):
            if not part:
                continue
            try:
                dates.append(date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(f"'{part}' is not a date: enter dates as YYYY-MM-DD") from None
        return dates

    def clean_multiplier(self) -> float:
        value = self.cleaned_data.get("multiplier")
        if value is None:
            return 1.0
        if not value > 0 or value > 1e9:
            raise forms.ValidationError("Enter a multiplier greater than 0 and at most 1,000,000,000")
        return value

    def clean_target(self) -> float | None:
        value = self.cleaned_data.get("target")
        if value is not None and abs(value) > 1e15:
            raise forms.ValidationError("Enter a target between -1e+15 and 1e+15")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.file_too_large:
            self.add_error(
                "file", f"The file is larger than 1 MB: chart at most {MAX_ROWS:,} rows here, or use rrp spc"
            )
            return cleaned
        upload = cleaned.get("file")
        text = cleaned.get("csv_text") or ""
        if upload is not None:
            try:
                text = decode_text(upload.read())
            except FileProblem as problem:
                self.add_error("file", _sentence(str(problem)))
                return cleaned
            cleaned["csv_text"] = text
            # The page shows the file's text in the box, so a download (which re-posts the form) and a
            # change of options need no second upload and nothing is kept on the server.
            self.data = self.data.copy()
            self.data["csv_text"] = text
        if not text.strip():
            self.add_error("csv_text", "Paste your data or choose a CSV file")
            return cleaned
        if len(text.encode()) > MAX_BYTES:
            self.add_error("csv_text", f"The data is larger than 1 MB: chart at most {MAX_ROWS:,} rows here")
            return cleaned
        chart = Chart(cleaned["chart"])
        ratio = chart in RATIO_CHARTS or cleaned["shape"] == "ratio"
        if ratio and chart in VALUE_ONLY_CHARTS:
            self.add_error(
                "shape",
                f"A {chart.value} chart reads a value for each date, not a numerator and a denominator",
            )
            return cleaned
        try:
            cleaned["result"], cleaned["date_texts"] = analyse_csv(
                text,
                chart,
                columns=Columns(
                    date=cleaned["date_column"],
                    value=cleaned["value_column"],
                    numerator=cleaned["numerator_column"],
                    denominator=cleaned["denominator_column"],
                    group=cleaned.get("group_column") or None,
                    ratio=ratio,
                    date_required=True,
                ),
                improvement=cleaned["improvement"],
                target=cleaned.get("target"),
                rebase_at=cleaned["rebase"],
                multiplier=cleaned["multiplier"],
                max_rows=MAX_ROWS,
            )
        except SpcCsvProblem as problem:
            self.add_error("file" if upload is not None else "csv_text", _sentence(str(problem)))
            return cleaned
        groups = cleaned["result"].groups()
        if len(groups) > MAX_GROUPS:
            self.add_error(
                "group_column",
                f"The group column has {len(groups):,} groups: at most {MAX_GROUPS} can be charted here",
            )
        return cleaned


def _sentence(message: str) -> str:
    """The engine's message as the page writes errors: a capital letter first."""
    return message[:1].upper() + message[1:]


@dataclass(frozen=True)
class OwnCharts:
    """What the page shows for good data: one panel per group, in order of first appearance."""

    panels: list[ChartPanel]
    result: SpcResult
    date_texts: list[str]


def own_charts(cleaned: dict[str, Any]) -> OwnCharts:
    """A chart panel (chart, icons, sentence, data table) for each group of the checked data."""
    result: SpcResult = cleaned["result"]
    chart = Chart(cleaned["chart"])
    title = cleaned.get("title") or CHART_NAMES[chart]
    y_title = cleaned.get("title") or "Value"
    events = [Event(d, "Rebase: new limits from here") for d in cleaned["rebase"]]
    panels = []
    for i, group in enumerate(result.groups()):
        heading = f"{title}: {group}" if group else title
        panels.append(
            chart_panel(
                result.for_group(group),
                chart_id=f"own-chart-{i}",
                title=heading,
                y_title=y_title,
                events=events,
                subject=group or cleaned.get("title") or "your data",
            )
        )
    return OwnCharts(panels=panels, result=result, date_texts=cleaned["date_texts"])


def output_rows(charts: OwnCharts) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the CSV download: ``rrp spc``'s OUT.csv, one row per input row."""
    columns = output_columns(charts.result, charts.date_texts)
    return OUTPUT_COLUMNS, [list(row) for row in zip(*columns, strict=True)]


# --------------------------------------------------------------------------------------------------
# A series saved to a QI project (decision 0057: nothing is kept unless its team saves it there)

#: The form's fields kept with a saved series: everything but the data, as typed, so the same form reads
#: them again when the project page draws it.
SAVED_FIELDS = (
    "title",
    "chart",
    "shape",
    "improvement",
    "target",
    "rebase",
    "multiplier",
    "date_column",
    "value_column",
    "numerator_column",
    "denominator_column",
    "group_column",
)


def saved_options(form: OwnDataForm) -> dict[str, str]:
    """The chart's options as the person chose them (the data itself is saved on its own)."""
    return {name: str(form.data.get(name) or "") for name in SAVED_FIELDS}


@dataclass(frozen=True)
class SavedSeriesCharts:
    """A series saved to a project, drawn again: its charts, or why its data no longer reads."""

    series: ProjectSeries
    panels: list[ChartPanel]
    problem: str = ""


def saved_series_charts(project: QiProject) -> list[SavedSeriesCharts]:
    """The latest version of each series saved to the project, read and drawn by the very form and
    drawing the chart-your-own-data page uses, with the options it was saved with."""
    out = []
    for series in series_of(project):
        form = OwnDataForm({**series.options, "csv_text": series.csv_text})
        if not form.is_valid():
            problems = [str(m) for messages in form.errors.values() for m in messages]
            out.append(SavedSeriesCharts(series, [], "; ".join(problems)))
            continue
        panels = own_charts(form.cleaned_data).panels
        out.append(
            SavedSeriesCharts(
                series,
                [dataclasses.replace(p, chart_id=f"series-{series.pk}-{i}") for i, p in enumerate(panels)],
            )
        )
    return out
