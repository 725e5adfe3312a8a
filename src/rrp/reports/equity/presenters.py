"""Equity in words and pictures: each group named in a sentence, what each row and each clear
difference says, the forest plots and the rate ratios over time, and how providers are named to the
reader. Inside the provider small numbers are shown as they are (with their wide intervals, and said to
be small); outside it the figures ``compute`` withheld are marked and said to be suppressed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.charts.rate_ratio import (
    RatioPoint,
    describe_forest_plot,
    describe_over_time,
    forest_plot_spec,
    rate_ratio_over_time_spec,
    ratio_table_html,
)
from rrp.core.formatting import decimal, whole_number
from rrp.organisations.models import Provider
from rrp.reports.equity.compute import (
    AGE_BANDS,
    CHARACTERISTICS,
    ETHNIC_UNKNOWN,
    NOT_KNOWN,
    SMALL_NUMBERS,
    Characteristic,
    CharacteristicInfo,
    EquityFigures,
    GroupFigures,
    RateRatio,
    ReportPeriod,
    TableFigures,
)
from rrp.reports.panels import ChartPanel

PERIOD_LABELS = {ReportPeriod.LAST_12_MONTHS: "Last 12 months", ReportPeriod.LAST_24_MONTHS: "Last 24 months"}

#: Each group as the subject of a sentence.
PHRASES: dict[Characteristic, dict[str, str]] = {
    Characteristic.ETHNICITY: {
        "White": "White patients",
        "Mixed": "Patients of mixed ethnicity",
        "Asian or Asian British": "Asian or Asian British patients",
        "Black or Black British": "Black or Black British patients",
        "Other ethnic group": "Patients of another ethnic group",
        ETHNIC_UNKNOWN: "Patients whose ethnic group was not stated or not known",
    },
    Characteristic.SEX: {
        "Male": "Male patients",
        "Female": "Female patients",
        "Indeterminate": "Patients recorded as indeterminate sex",
        NOT_KNOWN: "Patients whose sex was not known",
    },
    Characteristic.AGE: {
        "Under 18": "Patients under 18",
        **{band: f"Patients aged {band}" for band in AGE_BANDS[1:]},
        NOT_KNOWN: "Patients whose age was not known",
    },
    Characteristic.LEARNING_DISABILITY: {
        "Yes": "Patients with a learning disability",
        "No": "Patients without a recorded learning disability",
        NOT_KNOWN: "Patients whose learning disability status was not known",
    },
    Characteristic.AUTISM: {
        "Yes": "Autistic patients",
        "No": "Patients not recorded as autistic",
        NOT_KNOWN: "Patients whose autism status was not known",
    },
}


def subject(info: CharacteristicInfo, group: str) -> str:
    """The group as the subject of a sentence: "White patients", "Patients aged 18 to 25"."""
    return PHRASES[info.key].get(group, f"Patients in the group {group}")


def object_phrase(info: CharacteristicInfo, group: str) -> str:
    """The group later in a sentence: "as White patients", "as patients aged 18 to 25"."""
    phrase = subject(info, group)
    first = phrase.split(" ", 1)[0]
    return phrase[0].lower() + phrase[1:] if first in {"Patients", "Male", "Female", "Autistic"} else phrase


def _fmt(value: float) -> str:
    return decimal(value, 1) if value < 100 else whole_number(value)


def finding_words(info: CharacteristicInfo, group: str, reference: str, ratio: RateRatio) -> str | None:
    """The sentence for a clear difference (the whole 95% interval above or below 1), else None."""
    if not ratio.defined or ratio.method != "log" or ratio.low is None or ratio.high is None:
        return None
    assert ratio.ratio is not None
    ci = f"(95% CI {_fmt(ratio.low)} to {_fmt(ratio.high)})"
    if ratio.low > 1:
        return (
            f"{subject(info, group)} had restrictive interventions {_fmt(ratio.ratio)} times as often per "
            f"occupied bed day as {object_phrase(info, reference)} {ci}."
        )
    if ratio.high < 1:
        return (
            f"{subject(info, group)} had restrictive interventions less often per occupied bed day than "
            f"{object_phrase(info, reference)}: rate ratio {_fmt(ratio.ratio)} {ci}."
        )
    return None


def row_words(
    info: CharacteristicInfo, row: GroupFigures, *, reference: str | None
) -> tuple[str, str | None]:
    """What a row says, and the sentence of its clear difference from the reference group (or None)."""
    finding = (
        finding_words(info, row.group, reference, row.ratio) if reference and row.group != reference else None
    )
    if "ratio" in row.hidden or "interventions" in row.hidden:
        if row.no_bed_days:
            return "No occupied bed days on record for this group.", finding
        return (
            "Suppressed: fewer than 5 interventions (NHS Digital's rule for figures leaving the provider).",
            finding,
        )
    if row.no_bed_days:
        return "No occupied bed days on record for this group.", finding
    if row.group == reference:
        return "Reference group.", finding
    ratio = row.ratio
    words = []
    if row.no_interventions:
        words.append("No interventions.")
        if ratio.high is not None:
            words.append(f"Rate ratio 0; the interval is open at 0 (exact upper limit {_fmt(ratio.high)}).")
    if reference is None:
        words.append("No reference group with bed days to compare with.")
    elif not ratio.defined:
        words.append(f"No ratio: {object_phrase(info, reference)} had no interventions.")
    elif finding:
        words.append(finding)
    elif not row.no_interventions:
        words.append(f"No clear difference from {object_phrase(info, reference)}.")
    if row.small_numbers:
        words.append("Small numbers: interval wide.")
    return " ".join(words), finding


@dataclass(frozen=True, kw_only=True)
class GroupRow(GroupFigures):
    """One group of one characteristic, with what it says in words."""

    words: str


@dataclass(frozen=True, kw_only=True)
class CharacteristicTable(TableFigures):
    rows: list[GroupRow]
    findings: list[str]


@dataclass(frozen=True, kw_only=True)
class EquityReport(EquityFigures):
    tables: dict[Characteristic, CharacteristicTable]


def _fields(figures: object) -> dict[str, object]:
    return {f.name: getattr(figures, f.name) for f in dataclasses.fields(figures)}


def present_table(table: TableFigures) -> CharacteristicTable:
    info = CHARACTERISTICS[table.characteristic]
    rows, findings = [], []
    for row in table.rows:
        words, finding = row_words(info, row, reference=table.reference)
        rows.append(GroupRow(**_fields(row), words=words))
        if finding:
            findings.append(finding)
    return CharacteristicTable(**{**_fields(table), "rows": rows}, findings=findings)


def present_equity(report: EquityFigures) -> EquityReport:
    """Every table's rows in words, and each characteristic's clear differences as sentences."""
    tables = {key: present_table(table) for key, table in report.tables.items()}
    return EquityReport(**{**_fields(report), "tables": tables})


# --- Charts --------------------------------------------------------------------------------------


def _note(row_ratio: RateRatio, *, hidden: bool, count: float | None) -> str:
    if hidden:
        return "suppressed (fewer than 5 interventions)"
    if row_ratio.method == "exact":
        return f"no interventions (exact upper limit {row_ratio.high:.2f})"
    if not row_ratio.defined:
        return "no ratio (no reference rate)"
    if count is not None and count < SMALL_NUMBERS:
        return "small numbers: interval wide"
    return ""


def forest_panel(table: CharacteristicTable) -> ChartPanel:
    """The forest plot of one characteristic's rate ratios, with its description and data table."""
    points = [
        RatioPoint(
            group=row.group,
            ratio=row.ratio.ratio,
            low=row.ratio.low,
            high=row.ratio.high,
            note=_note(
                row.ratio,
                hidden="ratio" in row.hidden or "interventions" in row.hidden,
                count=row.interventions,
            ),
        )
        for row in table.rows
        if not row.is_reference
    ]
    reference = table.reference or "no reference group"
    title = f"Rate ratios by {table.label.lower()}, against {reference}"
    return ChartPanel(
        chart_id=f"equity-forest-{table.characteristic.value.replace('_', '-')}",
        title=title,
        spec=forest_plot_spec(points, title=title, reference=reference),
        description=describe_forest_plot(points, reference=reference),
        table_html=Markup(ratio_table_html(points, caption=f"Data behind the chart: {title}")),
    )


def over_time_panel(report: EquityReport, characteristic: Characteristic) -> ChartPanel:
    """Rate ratios of one characteristic's groups in each 3-month block, as a chart with its text."""
    table = report.tables[characteristic]
    reference = table.reference or "no reference group"
    points = [
        RatioPoint(
            group=p.group,
            ratio=p.ratio.ratio,
            low=p.ratio.low,
            high=p.ratio.high,
            period=p.quarter.label,
            note=_note(p.ratio, hidden=p.hidden, count=p.interventions),
        )
        for p in report.over_time[characteristic]
    ]
    periods = [q.label for q in report.window.quarters]
    title = f"Rate ratios by {table.label.lower()} over time, against {reference}"
    return ChartPanel(
        chart_id=f"equity-time-{characteristic.value.replace('_', '-')}",
        title=title,
        spec=rate_ratio_over_time_spec(points, title=title, reference=reference, periods=periods),
        description=describe_over_time(points, reference=reference, periods=periods),
        table_html=Markup(
            ratio_table_html(points, caption=f"Data behind the chart: {title}", over_time=True)
        ),
    )


# --- Naming providers ----------------------------------------------------------------------------


def provider_labels(user: User, providers: Sequence[Provider]) -> dict[int, str]:
    """How each provider is named to this person: by name, except to national programme analysts, who
    see the collaboratives' wards pseudonymised and so see providers as "Provider 001", "Provider 002"
    (numbered in the order of ``providers``, which the caller takes from ``accounts.scope.providers_for``
    in id order, so the number is stable)."""
    if has_permission(user, Permission.PROVIDER_NAME_VIEW):
        return {p.pk: p.name for p in providers}
    return {p.pk: f"Provider {number:03d}" for number, p in enumerate(providers, start=1)}
