"""The restrictive-intervention tables of a provider's monthly MHSDS submission, checked before writing.

`mhsds_month` builds the rows of MHS505 RestrictiveInterventInc (one per incident), MHS515
RestrictiveInterventType (one per type of force used in it) and MHS516 PoliceAssistanceRequest (one per
request for police help) for one provider and UK calendar month, and checks every row against the rules
listed in ``CHECKS``; `mhsds_export` writes them, one CSV a table plus a validation report, only when no
row breaks a rule. A month with a bad record is refused whole: the trust fixes the record in RRP (a new
version) and exports again, rather than submitting a month with a hole in it.

What goes in (docs/mhsds.md says why, and which public source each name and rule was checked against):

- every incident of the provider whose time overlaps the month (or, with no time yet, that was
  recorded in it), from its current version, except voided incidents, duplicates and records marked
  as negligible force (s6(2)-(3): not a recordable use of force);
- every seclusion and segregation episode under way in the month (``segregation.selectors
  .intervention_spans``), as a type 05 or 06 row: under its incident when it is linked to one that does
  not already record that type, skipped when it does (counted once), and as an incident of its own
  when it is linked to none.

The same month exported twice gives byte-identical files: the rows are sorted, the identifiers are
RRP's own stable ids and nothing in the files depends on when they were written.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rrp.core.csv_export import write_csv
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.times import local_midnight
from rrp.force.codes import InterventionReason, InterventionType
from rrp.force.debrief_answers import DebriefAnswers, debrief_answers
from rrp.force.models import Incident, IncidentVersion, InterventionRecord
from rrp.organisations.models import Provider
from rrp.people.models import HospitalSpell, WardStay
from rrp.segregation.selectors import InterventionSpan, intervention_spans

MHS505 = "MHS505RestrictiveInterventInc"
MHS515 = "MHS515RestrictiveInterventType"
MHS516 = "MHS516PoliceAssistanceRequest"

#: Each table's data items, in the order of the MHSDS v6 technical output specification's tables as
#: NHS Digital's own pipeline code and test data name them (docs/mhsds.md).
TABLES: dict[str, tuple[str, ...]] = {
    MHS505: (
        "RestrictiveIntIncID",
        "HospProvSpellID",
        "StartDateRestrictiveIntInc",
        "StartTimeRestrictiveIntInc",
        "EndDateRestrictiveIntInc",
        "EndTimeRestrictiveIntInc",
        "RestrictiveIntReason",
        "RestrictiveIntPIReviewHeldPat",
        "RestrictiveIntPIReviewNotHeldReasPat",
        "RestrictiveIntPIReviewHeldCarePers",
    ),
    MHS515: (
        "RestrictiveIntTypeID",
        "RestrictiveIntIncID",
        "RestrictiveIntType",
        "StartDateRestrictiveIntType",
        "StartTimeRestrictiveIntType",
        "EndDateRestrictiveIntType",
        "EndTimeRestrictiveIntType",
        "RestraintInjuryPatient",
        "RestraintInjuryCarePers",
        "RestraintInjuryOtherPers",
    ),
    MHS516: (
        "WardStayID",
        "PoliceAssistReqDate",
        "PoliceAssistReqTime",
        "PoliceAssistArrDate",
        "PoliceAssistArrTime",
        "PoliceRestraintForceUsedInd",
    ),
}

#: Items that must have a value in every row (the identifiers, the start, and the coded reason and type).
MANDATORY: dict[str, tuple[str, ...]] = {
    MHS505: (
        "RestrictiveIntIncID",
        "HospProvSpellID",
        "StartDateRestrictiveIntInc",
        "StartTimeRestrictiveIntInc",
        "RestrictiveIntReason",
    ),
    MHS515: (
        "RestrictiveIntTypeID",
        "RestrictiveIntIncID",
        "RestrictiveIntType",
        "StartDateRestrictiveIntType",
        "StartTimeRestrictiveIntType",
    ),
    MHS516: ("WardStayID", "PoliceAssistReqDate", "PoliceAssistReqTime"),
}

#: The national code lists (NHS Digital's reference data and data-quality validity checks).
VALID_TYPES = frozenset(InterventionType.values)  # 01, 04-17
VALID_REASONS = frozenset(InterventionReason.values)  # 10-19, 98, 99
YES_NO = frozenset({"Y", "N"})
CODE_ITEMS: dict[str, dict[str, frozenset[str]]] = {
    MHS505: {"RestrictiveIntReason": VALID_REASONS},
    MHS515: {"RestrictiveIntType": VALID_TYPES},
}
INDICATOR_ITEMS: dict[str, tuple[str, ...]] = {
    MHS505: ("RestrictiveIntPIReviewHeldPat", "RestrictiveIntPIReviewHeldCarePers"),
    MHS515: ("RestraintInjuryPatient", "RestraintInjuryCarePers", "RestraintInjuryOtherPers"),
    MHS516: ("PoliceRestraintForceUsedInd",),
}
#: (start date, start time, end date, end time) items of each table.
SPANS: dict[str, tuple[str, str, str, str]] = {
    MHS505: (
        "StartDateRestrictiveIntInc",
        "StartTimeRestrictiveIntInc",
        "EndDateRestrictiveIntInc",
        "EndTimeRestrictiveIntInc",
    ),
    MHS515: (
        "StartDateRestrictiveIntType",
        "StartTimeRestrictiveIntType",
        "EndDateRestrictiveIntType",
        "EndTimeRestrictiveIntType",
    ),
    MHS516: ("PoliceAssistReqDate", "PoliceAssistReqTime", "PoliceAssistArrDate", "PoliceAssistArrTime"),
}
DATE_FORMAT = "%Y-%m-%d"  # CCYY-MM-DD
TIME_FORMAT = "%H:%M:%S"  # HH:MM:SS, UK local time

#: The checks made on every row before anything is written, as the validation report lists them.
CHECKS: tuple[str, ...] = (
    "Mandatory items present: " + "; ".join(f"{t[:6]} {', '.join(items)}" for t, items in MANDATORY.items()),
    "RestrictiveIntReason in the national code list 10-19, 98, 99",
    "RestrictiveIntType in the national code list 01, 04-17 (02 and 03 are no longer valid)",
    "Indicators (post-incident review held, injuries, police restraint) Y or N when given",
    "Dates CCYY-MM-DD and times HH:MM:SS; an end date and time given together or not at all",
    "Every end at or after its start; police arrival at or after the request",
    "Every type's start and end within its incident's start and end",
    "Identifiers unique in their table; every MHS515 row's RestrictiveIntIncID is an MHS505 row",
    "The hospital provider spell (MHS501) holding each incident's start, and the ward stay (MHS502) "
    "holding each police request, exist",
)


class MonthRefused(Exception):
    """The month has records that break the rules: nothing was written. `problems` says which and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the month's records")


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule: the record in RRP it comes from, the table and item, and what is wrong."""

    source: str
    table: str
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.table} {self.item}: {self.message}"


@dataclass
class MonthTables:
    """The rows of the three tables for one provider and month, their problems and their warnings."""

    provider: Provider
    month: dt.date
    rows: dict[str, list[dict[str, str]]] = field(default_factory=lambda: {t: [] for t in TABLES})
    sources: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    problems: list[Problem] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    incident_ids: list[int] = field(default_factory=list)
    episode_ids: list[int] = field(default_factory=list)

    def add(self, table: str, source: str, row: dict[str, str]) -> None:
        self.rows[table].append(row)
        self.sources[table].append(source)


def parse_month(value: str) -> dt.date:
    """The first day of a month given as YYYY-MM; ValueError saying the expected form otherwise."""
    try:
        parsed = dt.datetime.strptime(value.strip(), "%Y-%m")
    except ValueError:
        raise ValueError(
            f"--month: {value!r} is not a month in the form YYYY-MM, for example 2025-06"
        ) from None
    return parsed.date()


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime(DATE_FORMAT) if moment is not None else ""


def _time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime(TIME_FORMAT) if moment is not None else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def incident_id(pk: int) -> str:
    return f"RRPI{pk}"


def episode_incident_id(pk: int) -> str:
    return f"RRPE{pk}"


def spell_id(pk: int) -> str:
    return f"RRPS{pk}"


def ward_stay_id(pk: int) -> str:
    return f"RRPW{pk}"


class _Holding:
    """The spells and ward stays of some patients, to find the one holding a moment without a query each."""

    def __init__(self, patient_ids: Iterable[int], provider: Provider) -> None:
        self.spells: dict[int, list[HospitalSpell]] = defaultdict(list)
        self.stays: dict[int, list[WardStay]] = defaultdict(list)
        ids = sorted(set(patient_ids))
        for spell in HospitalSpell.objects.filter(patient_id__in=ids, provider=provider).order_by(
            "admitted_at"
        ):
            self.spells[spell.patient_id].append(spell)
        for stay in WardStay.objects.filter(patient_id__in=ids, ward__provider=provider).order_by(
            "started_at"
        ):
            self.stays[stay.patient_id].append(stay)

    @staticmethod
    def _holding(items: list[Any], start: str, end: str, moment: dt.datetime, **match: int) -> Any:
        found = None
        for item in items:
            if all(getattr(item, k) == v for k, v in match.items()) and getattr(item, start) <= moment:
                ended = getattr(item, end)
                if ended is None or ended >= moment:
                    found = item  # the latest one holding the moment
        return found

    def spell(self, patient_id: int, moment: dt.datetime) -> HospitalSpell | None:
        return self._holding(self.spells[patient_id], "admitted_at", "discharged_at", moment)

    def stay(self, patient_id: int, ward_id: int, moment: dt.datetime) -> WardStay | None:
        return self._holding(self.stays[patient_id], "started_at", "ended_at", moment, ward_id=ward_id)


def _month_versions(provider: Provider, since: dt.datetime, until: dt.datetime) -> list[IncidentVersion]:
    """Current versions of the provider's counting incidents whose time overlaps [since, until), or that
    have no time yet and were recorded in it."""
    overlaps = Q(occurred_at__lt=until) & (Q(ended_at__isnull=True) | Q(ended_at__gte=since))
    untimed = Q(occurred_at__isnull=True, incident__created_at__gte=since, incident__created_at__lt=until)
    return list(
        IncidentVersion.objects.current()
        .filter(incident__provider=provider, incident__void__isnull=True, negligible_force=False)
        .filter(overlaps | untimed)
        .select_related("incident")
        .order_by("incident_id")
    )


def mhsds_month(*, provider: Provider, month: dt.date) -> MonthTables:
    """The three tables of one provider's month, every row checked (``tables.problems``; none = valid)."""
    since, until = local_midnight(month), local_midnight(_next_month(month))
    tables = MonthTables(provider=provider, month=month)
    versions = {v.incident_id: v for v in _month_versions(provider, since, until)}
    spans = intervention_spans(ward_ids=provider.wards.values_list("pk", flat=True), since=since, until=until)
    # Episodes linked to a counting incident outside the month bring that incident in, so the episode
    # sits under the incident it belongs to.
    linked = {s.incident_id for s in spans if s.incident_id is not None} - set(versions)
    if linked:
        for version in (
            IncidentVersion.objects.current()
            .filter(incident_id__in=linked, incident__provider=provider, incident__void__isnull=True)
            .filter(negligible_force=False)
            .select_related("incident")
        ):
            versions[version.incident_id] = version
    interventions: dict[int, list[InterventionRecord]] = defaultdict(list)
    for item in InterventionRecord.objects.filter(version__in=list(versions.values())).order_by(
        "started_at", "type_code", "id"
    ):
        interventions[item.version_id].append(item)
    episodes_of: dict[int, list[InterventionSpan]] = defaultdict(list)
    own_episodes: list[InterventionSpan] = []
    for span in spans:
        if span.incident_id in versions:
            recorded = {i.type_code for i in interventions[versions[span.incident_id].pk]}
            if span.type_code in recorded:
                tables.notes["episodes counted once, from the incident that records the same type"] += 1
                continue
            episodes_of[span.incident_id].append(span)
        else:
            own_episodes.append(span)
    holding = _Holding(
        [v.patient_id for v in versions.values()] + [s.patient_id for s in own_episodes], provider
    )
    answers = debrief_answers(versions.values())
    for pk in sorted(versions):
        _incident_rows(
            tables, versions[pk], interventions[versions[pk].pk], episodes_of[pk], holding, answers[pk]
        )
    for span in own_episodes:
        _episode_rows(tables, span, holding)
    _check(tables)
    return tables


def _incident_rows(
    tables: MonthTables,
    version: IncidentVersion,
    items: list[InterventionRecord],
    episodes: list[InterventionSpan],
    holding: _Holding,
    debriefs: DebriefAnswers,
) -> None:
    incident: Incident = version.incident
    source = f"Incident {incident.pk}"
    ident = incident_id(incident.pk)
    tables.incident_ids.append(incident.pk)
    start = version.occurred_at
    # A seclusion or segregation begun in the incident extends it until the episode ends.
    ends = [version.ended_at, *(s.ended_at for s in episodes)] if episodes else [version.ended_at]
    end = None if any(e is None for e in ends) else max(ends)
    spell = holding.spell(version.patient_id, start) if start else None
    if start is not None and spell is None:
        tables.problems.append(
            Problem(
                source,
                MHS505,
                "HospProvSpellID",
                "the patient has no hospital spell holding the incident's start",
            )
        )
    if start is not None and end is None:
        tables.notes["incidents with no end time, sent as still going (no end date and time)"] += 1
    tables.add(
        MHS505,
        source,
        {
            "RestrictiveIntIncID": ident,
            "HospProvSpellID": spell_id(spell.pk) if spell else "",
            "StartDateRestrictiveIntInc": _date(start),
            "StartTimeRestrictiveIntInc": _time(start),
            "EndDateRestrictiveIntInc": _date(end),
            "EndTimeRestrictiveIntInc": _time(end),
            "RestrictiveIntReason": version.reason_code,
            # From the debrief records where there are any (decision 0061).
            "RestrictiveIntPIReviewHeldPat": _yes_no(debriefs.patient_held),
            # Its code list is not yet confirmed (docs/mhsds.md), so RRP sends no code rather than a guess.
            "RestrictiveIntPIReviewNotHeldReasPat": "",
            "RestrictiveIntPIReviewHeldCarePers": _yes_no(debriefs.staff_held),
        },
    )
    if not items and not episodes:
        tables.problems.append(
            Problem(source, MHS515, "RestrictiveIntType", "the incident records no type of force")
        )
    injuries = {
        "RestraintInjuryPatient": _yes_no(version.injury_patient),
        "RestraintInjuryCarePers": _yes_no(version.injury_staff),
        "RestraintInjuryOtherPers": _yes_no(version.injury_others),
    }
    if version.injury_patient is None:
        tables.notes["incidents with no answer for injury to the patient (sent blank)"] += 1
    for number, item in enumerate(items, start=1):
        if start is not None and item.started_at < start:
            tables.problems.append(
                Problem(source, MHS515, "StartDateRestrictiveIntType", "a type starts before its incident")
            )
        if version.ended_at is not None and (item.ended_at is None or item.ended_at > version.ended_at):
            tables.problems.append(
                Problem(source, MHS515, "EndDateRestrictiveIntType", "a type ends after its incident ends")
            )
        tables.add(
            MHS515,
            source,
            {
                "RestrictiveIntTypeID": f"{ident}T{number}",
                "RestrictiveIntIncID": ident,
                "RestrictiveIntType": item.type_code,
                "StartDateRestrictiveIntType": _date(item.started_at),
                "StartTimeRestrictiveIntType": _time(item.started_at),
                "EndDateRestrictiveIntType": _date(item.ended_at),
                "EndTimeRestrictiveIntType": _time(item.ended_at),
                **injuries,
            },
        )
    for span in episodes:
        tables.episode_ids.append(span.episode_id)
        if start is not None and span.started_at < start:
            tables.problems.append(
                Problem(
                    f"Episode {span.episode_id}",
                    MHS515,
                    "StartDateRestrictiveIntType",
                    f"the episode starts before incident {incident.pk}, to which it is linked",
                )
            )
        tables.add(MHS515, f"Episode {span.episode_id}", _episode_type_row(span, ident))
    if version.police_requested_at is not None:
        moment = version.police_requested_at
        stay = holding.stay(version.patient_id, incident.ward_id, moment)
        if stay is None:
            tables.problems.append(
                Problem(
                    source,
                    MHS516,
                    "WardStayID",
                    "the patient has no stay on the ward when the police were called",
                )
            )
        tables.add(
            MHS516,
            source,
            {
                "WardStayID": ward_stay_id(stay.pk) if stay else "",
                "PoliceAssistReqDate": _date(moment),
                "PoliceAssistReqTime": _time(moment),
                "PoliceAssistArrDate": _date(version.police_arrived_at),
                "PoliceAssistArrTime": _time(version.police_arrived_at),
                "PoliceRestraintForceUsedInd": _yes_no(version.police_used_force),
            },
        )


def _episode_type_row(span: InterventionSpan, incident_ident: str) -> dict[str, str]:
    """An episode as an MHS515 row. The episode record has no injury items: they are sent blank."""
    return {
        "RestrictiveIntTypeID": episode_incident_id(span.episode_id),
        "RestrictiveIntIncID": incident_ident,
        "RestrictiveIntType": span.type_code,
        "StartDateRestrictiveIntType": _date(span.started_at),
        "StartTimeRestrictiveIntType": _time(span.started_at),
        "EndDateRestrictiveIntType": _date(span.ended_at),
        "EndTimeRestrictiveIntType": _time(span.ended_at),
        "RestraintInjuryPatient": "",
        "RestraintInjuryCarePers": "",
        "RestraintInjuryOtherPers": "",
    }


def _episode_rows(tables: MonthTables, span: InterventionSpan, holding: _Holding) -> None:
    """A seclusion or segregation episode linked to no incident: an incident of its own with one type.

    The episode's reason is written in words, not coded, so the incident's reason is 99 (Not Known (Not
    Recorded)), counted in the report's notes."""
    source = f"Episode {span.episode_id}"
    ident = episode_incident_id(span.episode_id)
    tables.episode_ids.append(span.episode_id)
    spell = holding.spell(span.patient_id, span.started_at)
    if spell is None:
        tables.problems.append(
            Problem(
                source,
                MHS505,
                "HospProvSpellID",
                "the patient has no hospital spell holding the episode's start",
            )
        )
    tables.notes["episodes linked to no incident, sent as their own incident with reason 99"] += 1
    tables.add(
        MHS505,
        source,
        {
            "RestrictiveIntIncID": ident,
            "HospProvSpellID": spell_id(spell.pk) if spell else "",
            "StartDateRestrictiveIntInc": _date(span.started_at),
            "StartTimeRestrictiveIntInc": _time(span.started_at),
            "EndDateRestrictiveIntInc": _date(span.ended_at),
            "EndTimeRestrictiveIntInc": _time(span.ended_at),
            "RestrictiveIntReason": InterventionReason.NOT_KNOWN.value,
            "RestrictiveIntPIReviewHeldPat": "",
            "RestrictiveIntPIReviewNotHeldReasPat": "",
            "RestrictiveIntPIReviewHeldCarePers": "",
        },
    )
    tables.add(MHS515, source, _episode_type_row(span, ident))


def _parse(date: str, time: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(f"{date} {time}", f"{DATE_FORMAT} {TIME_FORMAT}")
    except ValueError:
        return None


def _check_row(table: str, row: dict[str, str], source: str) -> list[Problem]:
    """The problems of one row on its own: mandatory items, code lists, indicators, dates and times."""
    found = [
        Problem(source, table, item, "missing: this item is mandatory")
        for item in MANDATORY[table]
        if not row[item]
    ]
    for item, codes in CODE_ITEMS.get(table, {}).items():
        if row[item] and row[item] not in codes:
            found.append(Problem(source, table, item, f"{row[item]!r} is not in the national code list"))
    for item in INDICATOR_ITEMS.get(table, ()):
        if row[item] not in YES_NO and row[item] != "":
            found.append(Problem(source, table, item, f"{row[item]!r} is not Y or N"))
    start_date, start_time, end_date, end_time = SPANS[table]
    start = _parse(row[start_date], row[start_time]) if row[start_date] else None
    if row[start_date] and start is None:
        found.append(Problem(source, table, start_date, "not a CCYY-MM-DD date with an HH:MM:SS time"))
    if bool(row[end_date]) != bool(row[end_time]):
        found.append(Problem(source, table, end_date, "an end date and time go together"))
    elif row[end_date]:
        end = _parse(row[end_date], row[end_time])
        if end is None:
            found.append(Problem(source, table, end_date, "not a CCYY-MM-DD date with an HH:MM:SS time"))
        elif start is not None and end < start:
            found.append(Problem(source, table, end_date, "ends before it starts"))
    return found


def _check(tables: MonthTables) -> None:
    """Check every row against the rules in ``CHECKS``; add a Problem for each one broken."""
    problems = tables.problems
    for table, rows in tables.rows.items():
        id_item = TABLES[table][0]
        seen: set[str] = set()
        for row, source in zip(rows, tables.sources[table], strict=True):
            problems.extend(_check_row(table, row, source))
            if table != MHS516:  # MHS516 rows are keyed by their ward stay, which may have several requests
                if row[id_item] in seen:
                    problems.append(Problem(source, table, id_item, f"{row[id_item]} appears twice"))
                seen.add(row[id_item])
    incidents = {row["RestrictiveIntIncID"] for row in tables.rows[MHS505]}
    for row, source in zip(tables.rows[MHS515], tables.sources[MHS515], strict=True):
        if row["RestrictiveIntIncID"] not in incidents:
            problems.append(Problem(source, MHS515, "RestrictiveIntIncID", "names no MHS505 row"))
    problems.sort()


def file_name(provider: Provider, month: dt.date, table: str) -> str:
    return f"{provider.ods_code}_{month:%Y-%m}_{table}.csv"


def report_name(provider: Provider, month: dt.date) -> str:
    return f"{provider.ods_code}_{month:%Y-%m}_validation-report.txt"


def validation_report(tables: MonthTables) -> str:
    """The plain-text report written beside the tables: what was checked, the counts, and the notes."""
    lines = [
        f"MHSDS restrictive-intervention tables: provider {tables.provider.ods_code} "
        f"({tables.provider.name}), month {tables.month:%Y-%m}",
        "",
        "Rows:",
        *(f"  {table}: {len(rows)}" for table, rows in tables.rows.items()),
        "",
        "Checked before writing (every row passed):" if not tables.problems else "Checked before writing:",
        *(f"  - {check}" for check in CHECKS),
        "",
        "Problems:" if tables.problems else "Problems: none",
        *(f"  - {problem}" for problem in tables.problems),
        "",
        "Notes:" if tables.notes else "Notes: none",
        *(f"  - {count} {what}" for what, count in sorted(tables.notes.items())),
        "",
        "Identifiers are RRP's own (RRPI incident, RRPE episode, RRPS hospital spell, RRPW ward stay);",
        "RestrictiveIntPIReviewNotHeldReasPat is sent blank until its code list is confirmed (docs/mhsds.md).",
    ]
    return "\n".join(lines) + "\n"


def _write_atomically(path: Path, write: Any) -> None:
    """Write through a temporary file in the same folder, then rename, so no half-written file is left."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@transaction.atomic
def mhsds_export(*, provider_ods: str, month: dt.date, output: Path, by: Any = None) -> MonthTables:
    """Check the provider's month and, if every row passes, write the three tables and the validation
    report into the folder `output` and audit the export. Raises ValueError naming the option for an
    unknown provider or a missing folder, and MonthRefused (nothing written) for a month with problems."""
    provider = Provider.objects.filter(ods_code__iexact=provider_ods.strip()).first()
    if provider is None:
        raise ValueError(f"--provider: no provider has the ODS code {provider_ods!r}")
    if not output.is_dir():
        raise ValueError(f"--output: no folder {output}")
    tables = mhsds_month(provider=provider, month=month)
    if tables.problems:
        raise MonthRefused(tables.problems)
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        record_type="force.Incident",
        record_label=f"MHSDS restrictive-intervention tables for {month:%Y-%m} ({len(tables.incident_ids)} incidents)",
        provider_id=provider.pk,
        detail={
            "export": "mhsds",
            "provider_ods": provider.ods_code,
            "month": f"{month:%Y-%m}",
            "rows": {table: len(rows) for table, rows in tables.rows.items()},
            "incident_ids": sorted(tables.incident_ids),
            "episode_ids": sorted(tables.episode_ids),
            "output": str(output),
        },
    )
    for table, header in TABLES.items():
        rows = tables.rows[table]
        _write_atomically(
            output / file_name(provider, month, table),
            lambda out, rows=rows, header=header: write_csv(out, rows, header=header),
        )
    report = validation_report(tables)
    _write_atomically(output / report_name(provider, month), lambda out: out.write(report))
    return tables
