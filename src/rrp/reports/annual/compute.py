"""The annual statistics of the use of force in a provider's units (Use of Force Act s7, "statistics
prepared by mental health units"; issue 16 item 7).

For a provider and a financial year (1 April to 31 March, as NHS England's and NHS Digital's annual
figures run): how many times force was used, by type of force (the MHSDS restrictive intervention types)
and by the patient characteristics RRP holds (ethnic group, sex, age band, learning disability, autism),
with the number of people and incidents, per ward and for the provider.

Counted exactly as the measures count (so the figures reconcile with the board for the same months): the
latest version of each incident, voided ones left out, every intervention that started in the year, plus
the seclusion and segregation episodes that no incident records (``measures.series.counted_episodes``);
each use is put in the group of the patient as they were at the time (``reports.equity``'s frame).

Published figures (the CSV and PDF for the trust's website) go through NHS Digital's suppression: a count
under 5 hidden, others rounded to the nearest 5 (``measures.suppression``). The exact figures stay inside.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count

from rrp.force.codes import InterventionType
from rrp.measures.catalogue import measure
from rrp.measures.series import counted_episodes, latest_interventions
from rrp.measures.suppression import count_is_suppressed, suppress_counts
from rrp.organisations.models import Provider, Ward
from rrp.reports.equity.compute import CHARACTERISTICS, Characteristic, Window, intervention_frame

EVERY_USE = "restrictive-interventions-per-1000-obd"


def financial_year(start_year: int) -> tuple[dt.date, dt.date]:
    """1 April of ``start_year`` to 31 March of the next."""
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


@dataclass(frozen=True)
class Figure:
    """One line of a table: the exact count and, for publishing, NHS Digital's (None where hidden)."""

    label: str
    uses: int
    people: int | None = None

    @property
    def uses_published(self) -> int | None:
        return _published(self.uses)

    @property
    def people_published(self) -> int | None:
        return None if self.people is None else _published(self.people)


def _published(count: int) -> int | None:
    if bool(count_is_suppressed([count])[0]):
        return None
    return int(suppress_counts([count])[0])


@dataclass(frozen=True)
class AnnualStatistics:
    provider: Provider
    start_year: int
    since: dt.date
    until: dt.date
    total: Figure
    incidents: int
    by_type: list[Figure]
    by_ward: list[Figure]
    by_characteristic: dict[str, list[Figure]]

    @property
    def label(self) -> str:
        return year_label(self.start_year)


def annual_statistics(provider: Provider, start_year: int) -> AnnualStatistics:
    """The provider's statistics for the financial year starting in April of ``start_year``. Not scoped:
    the caller checked the person may see the provider's figures."""
    since, until = financial_year(start_year)
    wards = list(Ward.objects.filter(provider=provider).order_by("name"))
    ward_ids = [w.pk for w in wards]
    rows = latest_interventions(measure(EVERY_USE), ward_ids=ward_ids, since=since, until=until)
    grouped = rows.values("type_code", "version__incident__ward_id").annotate(n=Count("id")).order_by()
    by_type: Counter[str] = Counter()
    by_ward: Counter[int] = Counter()
    for row in grouped:
        by_type[row["type_code"]] += row["n"]
        by_ward[row["version__incident__ward_id"]] += row["n"]
    for ward_id, _start, _end, type_code in counted_episodes(ward_ids=ward_ids, since=since, until=until):
        by_type[type_code] += 1
        by_ward[ward_id] += 1
    incidents = rows.values("version__incident_id").distinct().count()
    frame = intervention_frame(ward_ids=ward_ids, window=Window(since=since, until=until, quarters=()))
    people = int(frame["patient_id"].nunique()) if not frame.empty else 0
    characteristics: dict[str, list[Figure]] = {}
    for key in Characteristic:
        info = CHARACTERISTICS[key]
        figures = []
        for group in info.groups:
            part = frame[frame[key] == group] if not frame.empty else frame
            figures.append(
                Figure(
                    group,
                    int(part["n"].sum()) if not part.empty else 0,
                    int(part["patient_id"].nunique()) if not part.empty else 0,
                )
            )
        characteristics[info.label] = figures
    return AnnualStatistics(
        provider=provider,
        start_year=start_year,
        since=since,
        until=until,
        total=Figure("Every use of force", sum(by_type.values()), people),
        incidents=incidents,
        by_type=[Figure(label, by_type.get(code, 0)) for code, label in InterventionType.choices],
        by_ward=[Figure(w.name, by_ward.get(w.pk, 0)) for w in wards],
        by_characteristic=characteristics,
    )


CSV_COLUMNS = ["provider", "year", "table", "group", "uses_of_force", "people"]


def csv_rows(stats: AnnualStatistics) -> list[list[object]]:
    """The published figures as rows, hidden counts as '*' (NHS Digital's mark)."""

    def shown(value: int | None) -> object:
        return "*" if value is None else value

    out: list[list[object]] = []
    head = [stats.provider.ods_code, stats.label]
    out.append(
        [
            *head,
            "Total",
            stats.total.label,
            shown(stats.total.uses_published),
            shown(stats.total.people_published),
        ]
    )
    for figure in stats.by_type:
        out.append([*head, "Type of force", figure.label, shown(figure.uses_published), ""])
    for figure in stats.by_ward:
        out.append([*head, "Ward", figure.label, shown(figure.uses_published), ""])
    for table, figures in stats.by_characteristic.items():
        for figure in figures:
            out.append(
                [*head, table, figure.label, shown(figure.uses_published), shown(figure.people_published)]
            )
    return out
