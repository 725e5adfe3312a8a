"""Importing use-of-force incidents from a trust's existing incident system (layout in docs/imports.md).

One CSV row per intervention; the incident's own columns are repeated on each of its rows, and the
incident is keyed by `source_system` + `source_id`. The import is all or nothing: every row is checked
first and every problem reported by row and column (core.csv_import), and nothing is written unless
the whole file is good. It is idempotent: an incident already imported with the same content is left
alone, and one whose content changed gets a new version with the reason "Imported update".

It must take a million interventions in under two minutes, so it works in bulk: wards, patients,
roster staff and already-imported incidents are each read with one query into dictionaries; rows are
checked with the same rules as `force.services` (whose validation functions it calls); and the rows
are written in one transaction straight to the driver (`executemany` on SQLite, `COPY` on PostgreSQL)
with primary keys reserved up front, so that no model instance is built per row. The audit log gets one
import event plus one create or change event per incident, written the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import patient_filter_for, patient_wards_for
from rrp.core.csv_import import (
    CellError,
    ImportRejected,
    control_character_errors,
    file_rejected,
    import_text,
)
from rrp.core.models import AuditAction, AuditEvent
from rrp.core.services import audit_record, client_ip
from rrp.core.validation.declared import rule_of
from rrp.core.validation.files import FileProblem, csv_rows
from rrp.core.validation.rules import EARLIEST_DATE, EVENT_DATE, FieldProblem
from rrp.figures.store import mark_changed
from rrp.force import plausibility
from rrp.force.codes import (
    EPISODE_TYPES,
    RETIRED_INTERVENTION_TYPES,
    DeEscalation,
    IncidentFlagKind,
    IncidentStatus,
    InterventionReason,
    InterventionType,
    NonStaffPersonType,
    StaffPart,
    episode_type_message,
)
from rrp.force.completeness import negligible_force_exemption_enabled, version_items_complete
from rrp.force.models import (
    BOOLEAN_CONTENT_FIELDS,
    CONTENT_FIELDS,
    TEXT_CONTENT_FIELDS,
    CqcNotificationTask,
    Incident,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
)
from rrp.force.services import InterventionInput, figures_months_of_incidents, patient_snapshot
from rrp.force.triggers import cqc_reasons, flags_for
from rrp.organisations.models import Ward
from rrp.people.models import Patient, StaffMember

IMPORT_CHANGE_REASON = "Imported update"
ONE_DAY = dt.timedelta(days=1)

KEY_COLUMNS = ["source_system", "source_id"]
PATIENT_COLUMNS = ["patient_nhs_number", "patient_local_identifier"]
# Negligible force is never imported: it needs a written justification made in RRP.
BOOLEAN_FIELDS = tuple(f for f in BOOLEAN_CONTENT_FIELDS if f != "negligible_force")
DATETIME_FIELDS = (
    "occurred_at",
    "ended_at",
    "police_requested_at",
    "police_arrived_at",
    "care_plan_notified_at",
)
LIST_FIELDS = ("non_staff_types", "deescalation")
TEXT_FIELDS = tuple(f for f in TEXT_CONTENT_FIELDS if f != "negligible_force_justification")
# Content the file carries (the patient snapshot is taken by RRP; negligible force is never imported).
IMPORTED_CONTENT = tuple(
    f for f in CONTENT_FIELDS if f in {*BOOLEAN_FIELDS, *DATETIME_FIELDS, *LIST_FIELDS, *TEXT_FIELDS}
)
# durations_confirmed (Y/N): the file's author confirms the restraints longer than their usual limit
# (force.plausibility); not content, so it is read here and never stored on the version.
INCIDENT_COLUMNS = ["ward_code", *PATIENT_COLUMNS, *IMPORTED_CONTENT, "staff", "durations_confirmed"]
INTERVENTION_COLUMNS = [
    "intervention_type",
    "intervention_started_at",
    "intervention_ended_at",
    "intervention_in_care_plan",
]
ALL_COLUMNS = [*KEY_COLUMNS, *INCIDENT_COLUMNS, *INTERVENTION_COLUMNS]
REQUIRED_COLUMNS = [*KEY_COLUMNS, "ward_code", "intervention_type", "intervention_started_at"]
INTERVENTION_FIELD_COLUMNS = {
    "type_code": "intervention_type",
    "started_at": "intervention_started_at",
    "ended_at": "intervention_ended_at",
}

BOOLEAN_WORDS = {
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
}
BOOLEAN_HELP = "enter Y or N, or leave it blank if not known"
DATETIME_HELP = "enter a date and time as YYYY-MM-DD HH:MM (UK time), for example 2025-04-01 14:05"
CLOCKS_FORWARD_HELP = "this time did not happen in the UK: the clocks went forward an hour at 1am"
WRITE_BATCH_ROWS = 20_000
SQLITE_CACHE_KIB = 256 * 1024

# The code lists as sets: Django's `Choices.values` builds a new list on every call, which is most of the
# time of a million-row import when called per row.
INTERVENTION_TYPES = frozenset(InterventionType.values)
REASONS = frozenset(InterventionReason.values)
DEESCALATIONS = frozenset(DeEscalation.values)
NON_STAFF_TYPES = frozenset(NonStaffPersonType.values)
STAFF_PARTS = frozenset(StaffPart.values)
FLAG_TYPES = frozenset({InterventionType.PRONE.value, InterventionType.RAPID_TRANQUILLISATION.value})
_MISSING = object()
# The rules of the model fields the key and staff cells are stored in (core.validation).
KEY_RULES = {column: rule_of(Incident, column) for column in KEY_COLUMNS}
STAFF_NAME_RULE = rule_of(StaffInvolvement, "name")
STAFF_TITLE_RULE = rule_of(StaffInvolvement, "job_title")
# Content that can raise a CQC notification task (force.triggers.cqc_reasons).
CQC_FIELDS = (
    "patient_died",
    "patient_serious_injury",
    "police_requested_at",
    "police_arrived_at",
    "police_used_force",
    "non_staff_types",
    "abuse_alleged",
)


class _CellProblem(ValueError):
    pass


def parse_boolean(text: str) -> bool | None:
    """Y/N (also yes/no, true/false, 1/0, any case); blank is "not known"."""
    if not text:
        return None
    value = BOOLEAN_WORDS.get(text.lower(), _MISSING)
    if value is _MISSING:
        raise _CellProblem(BOOLEAN_HELP)
    return value


def _date_problem(value: dt.date | dt.datetime) -> str:
    """The date rule's own message for a date of an event out of its range."""
    try:
        EVENT_DATE.check(value)
    except FieldProblem as problem:
        return str(problem)
    return DATETIME_HELP


class UkClock:
    """Reads date-times as a trust's system writes them: ISO 8601 to the minute, UK local time unless an
    offset is given. Returns aware UTC datetimes with seconds dropped (records are kept to the minute).

    The UK offset is looked up once per day and cached; on the two days a year the clocks change, each
    time goes through zoneinfo, and a time in the hour the clocks skip is refused. A time in the hour
    that happens twice in October is read as the first (summer time) one.
    """

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone
        self.offsets: dict[str, dt.timedelta | None] = {}
        # A date of an event (core.validation): from 1900 to tomorrow, UK time, as UTC bounds.
        latest = EVENT_DATE.latest() + ONE_DAY
        self.earliest = dt.datetime.combine(EARLIEST_DATE, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        self.after_latest = dt.datetime.combine(latest, dt.time(), tzinfo=zone).astimezone(dt.UTC)

    def parse(self, text: str) -> dt.datetime | None:
        """The time, or _CellProblem saying what is wrong (including a date outside an event's range)."""
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise _CellProblem(DATETIME_HELP) from None
        if not EARLIEST_DATE.year <= value.year <= 9000:
            raise _CellProblem(_date_problem(value.date()))
        result = self._utc(value, text)
        if not self.earliest <= result < self.after_latest:
            raise _CellProblem(_date_problem(result))
        return result

    def _utc(self, value: dt.datetime, text: str) -> dt.datetime:
        if value.second or value.microsecond:
            value = value.replace(second=0, microsecond=0)
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        day = text[:10]
        offset = self.offsets.get(day, _MISSING)
        if offset is _MISSING:
            date = value.date()
            first = dt.datetime(date.year, date.month, date.day, tzinfo=self.zone).utcoffset()
            last = dt.datetime(date.year, date.month, date.day, 23, 59, tzinfo=self.zone).utcoffset()
            offset = self.offsets[day] = first if first == last else None
        if offset is not None:
            return (value - offset).replace(tzinfo=dt.UTC)
        aware = value.replace(tzinfo=self.zone)
        if aware.astimezone(dt.UTC).astimezone(self.zone).replace(tzinfo=None) != value:
            raise _CellProblem(CLOCKS_FORWARD_HELP)
        return aware.astimezone(dt.UTC)


def parse_list(text: str) -> list[str]:
    """Codes separated by semicolons."""
    return [item.strip() for item in text.split(";") if item.strip()] if text else []


def parse_staff(text: str) -> list[tuple[str, str, str]]:
    """`name|job title|part;name|job title|part` as (name, job title, part) triples."""
    out = []
    for entry in text.split(";") if text else []:
        if not entry.strip():
            continue
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) != 3:
            raise _CellProblem(
                f"'{entry.strip()}' should be name|job title|part, for example Sam Nurse|Staff nurse|head"
            )
        out.append((parts[0], parts[1], parts[2]))
    return out


# The same rules and words as force.services._validate_interventions/_validate_content/_validate_staff
# (tests/integration/force/test_import_incidents.py checks they say the same), over sets of codes.


def intervention_problems(
    type_code: str, started_at: dt.datetime | None, ended_at: dt.datetime | None
) -> list[tuple[str, str]]:
    """(column, message) for each problem with one intervention."""
    problems = []
    if type_code not in INTERVENTION_TYPES:
        if type_code in RETIRED_INTERVENTION_TYPES:
            message = f"Type '{type_code}' is no longer a valid MHSDS restrictive intervention type"
        else:
            message = f"'{type_code}' is not an MHSDS restrictive intervention type (01, 04-17)"
        problems.append(("intervention_type", message))
    elif type_code in EPISODE_TYPES:
        problems.append(("intervention_type", episode_type_message(type_code)))
    if started_at is None:
        problems.append(("intervention_started_at", "Enter when this intervention started"))
    elif ended_at is not None and ended_at < started_at:
        problems.append(("intervention_ended_at", "The intervention must end after it started"))
    return problems


def content_problems(content: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each problem with an incident's content."""
    problems = []
    code = content.get("reason_code") or ""
    if code and code not in REASONS:
        problems.append(("reason_code", f"'{code}' is not an MHSDS restrictive intervention reason"))
    for item in content.get("deescalation") or []:
        if item not in DEESCALATIONS:
            problems.append(("deescalation", f"'{item}' is not a de-escalation technique on the list"))
    for item in content.get("non_staff_types") or []:
        if item not in NON_STAFF_TYPES:
            problems.append(("non_staff_types", f"'{item}' is not a kind of person on the list"))
    occurred, ended = content.get("occurred_at"), content.get("ended_at")
    if occurred and ended and ended < occurred:
        problems.append(("ended_at", "The incident must end after it started"))
    requested, arrived = content.get("police_requested_at"), content.get("police_arrived_at")
    if requested and arrived and arrived < requested:
        problems.append(("police_arrived_at", "Police must arrive after they were requested"))
    return problems


def staff_problems(staff: Sequence[tuple[str, str, str]]) -> list[str]:
    """A message for each problem with typed staff (name, job title, part)."""
    problems = []
    for name, title, part in staff:
        if part not in STAFF_PARTS:
            problems.append(f"'{part}' is not a part on the list")
        if not name:
            problems.append("Pick a member of staff or type their name")
        for rule, value in ((STAFF_NAME_RULE, name), (STAFF_TITLE_RULE, title)):
            try:
                rule.check(value)
            except FieldProblem as problem:
                problems.append(str(problem))
    return problems


class _Group:
    """One incident's rows in the file: the first row's incident cells, and its interventions."""

    __slots__ = ("first_row", "interventions", "raw", "rows")

    def __init__(self, first_row: int, raw: tuple[str, ...]) -> None:
        self.first_row = first_row
        self.raw = raw
        self.interventions: list[tuple[str, dt.datetime | None, dt.datetime | None, bool | None]] = []
        self.rows: list[int] = []  # the row of each intervention


@dataclass
class _Planned:
    """An incident that passed every check, and what to write for it."""

    group: _Group
    key: tuple[str, str]
    ward: Ward
    patient_id: int
    content: dict[str, Any]
    staff: list[tuple[int | None, str, str, str]]
    existing: dict[str, Any] | None = None
    changed: bool = True
    flags: dict[str, dict] = field(default_factory=dict)


def incidents_import(
    *,
    source: Path | str | IO[str],
    by: User,
    request: HttpRequest | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Import incidents from a CSV in the documented layout, as `by` (who must be able to record
    incidents on every ward in the file). Returns counts of rows, and of incidents created, amended
    and unchanged. Raises ImportRejected listing every problem by row and column; nothing is saved then.

    `timings`, if given, is filled with the seconds each step took (for bench/force_import_bench.py).
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    name = Path(source).name if isinstance(source, (str, Path)) else getattr(source, "name", "")
    text = import_text(source)
    timings["read"] = time.perf_counter() - started
    with transaction.atomic():
        plans, rows = _check(text=text, by=by)
        timings["check"] = time.perf_counter() - started
        counts = _write(plans=plans, by=by, request=request, timings=timings)
        counts["rows"] = rows
        audit_record(
            actor=by,
            action=AuditAction.IMPORT,
            record_type="force.Incident",
            record_label="Incident import",
            request=request,
            detail={"file": name, **counts},
        )
        committing = time.perf_counter()
    timings["commit"] = time.perf_counter() - committing
    timings["total"] = time.perf_counter() - started
    return counts


# Checking -------------------------------------------------------------------------------------------


def _check(*, text: str, by: User) -> tuple[list[_Planned], int]:
    """Read and check every row; return the incidents to write and the number of rows.

    Rows are read with csv.reader, by position, rather than core.csv_import.read_csv_rows: a dict per
    row costs more than the rest of the checking. Problems are reported the same way (CellError). A row
    the CSV reader cannot read (a quote never closed, a cell over its limit) ends the check there.
    """
    try:
        return _check_rows(text=text, by=by)
    except FileProblem as problem:
        raise file_rejected(problem) from None


def _check_rows(*, text: str, by: User) -> tuple[list[_Planned], int]:  # noqa: C901, PLR0915  (one check per column, each its own message, in one pass over a million rows: a call per check costs more than the checking)
    errors: list[CellError] = []
    clock = UkClock(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    reader = (cells for _, cells in csv_rows(text))
    header = [c.strip().lstrip("\ufeff") for c in next(reader, [])]
    problems = [
        CellError(1, c, "", f"the header has no column named {c}; the layout is in docs/imports.md")
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    if not any(c in header for c in PATIENT_COLUMNS):
        problems.append(
            CellError(
                1, "patient_nhs_number", "", "the header needs patient_nhs_number or patient_local_identifier"
            )
        )
    problems += [
        CellError(1, c, "", "this column is not in the incident import layout (see docs/imports.md)")
        for c in header
        if c not in ALL_COLUMNS
    ]
    problems += control_character_errors(text, header)
    if problems:
        raise ImportRejected(problems)
    position = {c: i for i, c in enumerate(header)}
    columns = [c for c in INCIDENT_COLUMNS if c in position]
    incident_cells = operator.itemgetter(*(position[c] for c in columns))
    at_system, at_id, at_type, at_start = (
        position[c] for c in ("source_system", "source_id", "intervention_type", "intervention_started_at")
    )
    at_end, at_plan = position.get("intervention_ended_at"), position.get("intervention_in_care_plan")
    width = len(header)
    groups: dict[tuple[str, str], _Group] = {}
    parse = clock.parse
    n_rows = 0
    number = 1
    for number, row in enumerate(reader, start=2):
        if len(row) != width:
            if not row:
                continue
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                errors.append(CellError(number, header[-1], "", "this row has more cells than the header"))
            row = (row + [""] * width)[:width]
        n_rows += 1
        key = (row[at_system].strip(), row[at_id].strip())
        raw = incident_cells(row)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(number, raw)
            if not key[0]:
                errors.append(
                    CellError(
                        number, "source_system", "", "enter the name of the system the incident came from"
                    )
                )
            if not key[1]:
                errors.append(
                    CellError(number, "source_id", "", "enter the incident's id in its source system")
                )
            for column, value in zip(KEY_COLUMNS, key, strict=True):
                try:
                    KEY_RULES[column].check(value)
                except FieldProblem as problem:
                    errors.append(CellError(number, column, value[:100], str(problem)))
        elif raw != group.raw:
            for column, before, now in zip(columns, group.raw, raw, strict=True):
                if before.strip() != now.strip():
                    errors.append(
                        CellError(
                            number,
                            column,
                            now.strip(),
                            f"differs from row {group.first_row}, the first row of incident {key[1]}: "
                            "incident columns must be the same on each of its rows",
                        )
                    )
        type_code = row[at_type].strip()
        started = ended = in_care_plan = None
        text = row[at_start].strip()
        try:
            started = parse(text)
        except _CellProblem as problem:
            errors.append(CellError(number, "intervention_started_at", text, str(problem)))
        if at_end is not None and (text_end := row[at_end].strip()):
            try:
                ended = parse(text_end)
            except _CellProblem as problem:
                errors.append(CellError(number, "intervention_ended_at", text_end, str(problem)))
        if at_plan is not None and (text_plan := row[at_plan].strip()):
            try:
                in_care_plan = parse_boolean(text_plan)
            except _CellProblem as problem:
                errors.append(CellError(number, "intervention_in_care_plan", text_plan, str(problem)))
        if (
            type_code not in INTERVENTION_TYPES
            or type_code in EPISODE_TYPES
            or started is None
            or (ended is not None and ended < started)
        ):
            for column, message in intervention_problems(type_code, started, ended):
                if column == "intervention_started_at" and text:
                    continue  # a time that could not be read, reported above
                errors.append(CellError(number, column, row[position[column]].strip(), message))
        group.interventions.append((type_code, started, ended, in_care_plan))
        group.rows.append(number)
    if n_rows == 0:
        raise ImportRejected([CellError(2, "source_id", "", "the file has no incidents in it")])
    plans = _check_incidents(groups=groups, columns=columns, by=by, clock=clock, errors=errors)
    if errors:
        order = {c: i for i, c in enumerate(ALL_COLUMNS)}
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, order.get(e.column, 0))))
    return plans, n_rows


def _lookups(*, by: User, codes: set[str]) -> tuple[dict[str, Ward], dict, dict, dict]:
    """Wards by code (only those the importer may record on), and the patients and roster staff of
    their providers, each with one query."""
    if not has_permission(by, Permission.INCIDENT_RECORD):
        wards: dict[str, Ward] = {}
    else:
        wards = {w.code: w for w in patient_wards_for(by).filter(code__in=codes)}
    providers = {w.provider_id for w in wards.values()}
    by_nhs: dict[tuple[int, str], int] = {}
    by_local: dict[tuple[int, str], int] = {}
    patients = (
        Patient.objects.filter(patient_filter_for(by))
        .filter(provider_id__in=providers)
        .values_list("pk", "provider_id", "nhs_number", "local_identifier")
    )
    # Plain fetches, not .iterator(): on PostgreSQL a server-side cursor plans for the first rows
    # (cursor_tuple_fraction) and chose nested loops that took minutes at a million rows.
    for pk, provider_id, nhs_number, local in patients:
        if nhs_number:
            by_nhs[(provider_id, nhs_number)] = pk
        by_local[(provider_id, local)] = pk
    roster: dict[tuple[int, str, str], int | None] = {}
    for pk, provider_id, given, family, title in StaffMember.objects.filter(
        provider_id__in=providers
    ).values_list("pk", "provider_id", "given_name", "family_name", "job_title"):
        key = (provider_id, f"{given} {family}".lower(), title.lower())
        roster[key] = None if key in roster else pk  # a name and title shared by two people links neither
    return wards, by_nhs, by_local, roster


def _check_incidents(  # noqa: C901, PLR0915  (one check per field of an incident, each its own message; the same checks as force.services, in one loop over the rows)
    *,
    groups: dict[tuple[str, str], _Group],
    columns: list[str],
    by: User,
    clock: UkClock,
    errors: list[CellError],
) -> list[_Planned]:
    index = {c: i for i, c in enumerate(columns)}
    at_ward = index["ward_code"]
    codes = {g.raw[at_ward].strip() for g in groups.values()}
    wards, by_nhs, by_local, roster = _lookups(by=by, codes=codes)
    parsers: list[tuple[str, int, Callable[[str], Any]]] = []
    for name in IMPORTED_CONTENT:
        if name not in index:
            continue
        if name in BOOLEAN_FIELDS:
            parser: Callable[[str], Any] = parse_boolean
        elif name in DATETIME_FIELDS:
            parser = clock.parse
        elif name in LIST_FIELDS:
            parser = parse_list
        else:
            parser = rule_of(IncidentVersion, name).check
        parsers.append((name, index[name], parser))
    blank: dict[str, Any] = {
        name: ([] if name in LIST_FIELDS else "" if name in TEXT_FIELDS else None)
        for name in IMPORTED_CONTENT
    }
    at_nhs, at_local, at_staff = (
        index.get("patient_nhs_number"),
        index.get("patient_local_identifier"),
        index.get("staff"),
    )
    plans: list[_Planned] = []
    list_cache: dict[str, list[str]] = {}
    limits = plausibility.Limits.from_settings()
    for key, group in groups.items():
        row = group.first_row
        raw = group.raw
        found = len(errors)
        code = raw[at_ward].strip()
        ward = wards.get(code)
        if ward is None:
            errors.append(
                CellError(row, "ward_code", code, "no ward you can record incidents on has this code")
            )
        patient_id = None
        nhs = raw[at_nhs].replace(" ", "").strip() if at_nhs is not None else ""
        local = raw[at_local].strip() if at_local is not None else ""
        if not nhs and not local:
            errors.append(
                CellError(row, "patient_nhs_number", "", "enter the patient's NHS number or local identifier")
            )
        elif ward is not None:
            patient_id = (
                by_nhs.get((ward.provider_id, nhs)) if nhs else by_local.get((ward.provider_id, local))
            )
            if patient_id is None:
                column, value = ("patient_nhs_number", nhs) if nhs else ("patient_local_identifier", local)
                errors.append(
                    CellError(
                        row,
                        column,
                        value,
                        "no patient of this ward's provider that you can see has this identifier",
                    )
                )
        content = dict(blank)
        for name, at, parser in parsers:
            text = raw[at].strip()
            if not text:
                continue
            try:
                if parser is parse_list:
                    value = list_cache.get(text)
                    if value is None:
                        value = list_cache[text] = parse_list(text)
                    content[name] = list(value)
                else:
                    content[name] = parser(text)
            except (_CellProblem, FieldProblem) as problem:
                errors.append(CellError(row, name, text[:100], str(problem)))
        content["abuse_alleged"] = bool(content["abuse_alleged"])
        for name, message in content_problems(content):
            errors.append(CellError(row, name, raw[index[name]].strip() if name in index else "", message))
        flags = _plausibility(
            group=group, raw=raw, index=index, content=content, limits=limits, errors=errors
        )
        staff_text = raw[at_staff].strip() if at_staff is not None else ""
        try:
            triples = parse_staff(staff_text)
        except _CellProblem as problem:
            errors.append(CellError(row, "staff", staff_text, str(problem)))
            triples = []
        for message in staff_problems(triples):
            errors.append(CellError(row, "staff", staff_text, message))
        if len(errors) == found and ward is not None and patient_id is not None:
            provider_id = ward.provider_id
            staff = [
                (roster.get((provider_id, name.lower(), title.lower())), name, title, part)
                for name, title, part in triples
            ]
            plans.append(
                _Planned(
                    group=group,
                    key=key,
                    ward=ward,
                    patient_id=patient_id,
                    content=content,
                    staff=staff,
                    flags=flags,
                )
            )
    if not errors:
        _match_existing(plans=plans, by=by, errors=errors)
    return plans


def _plausibility(
    *,
    group: _Group,
    raw: tuple[str, ...],
    index: dict[str, int],
    content: dict[str, Any],
    limits: plausibility.Limits,
    errors: list[CellError],
) -> dict[str, dict]:
    """The services' plausibility rules (``force.plausibility``) for one incident of the file, each
    problem on the row and column it is about; returns the flags it raises (a confirmed long restraint).

    A record's lateness is not flagged: when an imported incident was first written down in its source
    system is not in the file, and an import of past records would flag every one of them.
    """
    confirmed = False
    if "durations_confirmed" in index and (text := raw[index["durations_confirmed"]].strip()):
        try:
            confirmed = bool(parse_boolean(text))
        except _CellProblem as problem:
            errors.append(CellError(group.first_row, "durations_confirmed", text, str(problem)))
    found = plausibility.check(
        content=content,
        interventions=[InterventionInput(*item) for item in group.interventions],
        now=timezone.now(),
        durations_confirmed=confirmed,
        limits=limits,
    )
    for name, messages in found.problems.items():
        if name.startswith("interventions["):
            n = int(name[name.index("[") + 1 : name.index("]")])
            column = INTERVENTION_FIELD_COLUMNS[name.split(".", 1)[1]]
            item = InterventionInput(*group.interventions[n])
            value = getattr(item, name.split(".", 1)[1])
            where, shown = (
                group.rows[n],
                timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "",
            )
        elif name == plausibility.CONFIRM_FIELD:
            column, where, shown = name, group.first_row, raw[index[name]].strip() if name in index else ""
            messages = [
                "enter Y in this column to confirm the long durations are right, or correct the end times"
            ]
        else:
            column, where = name, group.first_row
            shown = raw[index[name]].strip() if name in index else ""
        errors.extend(CellError(where, column, shown, message) for message in messages)
    if found.long_durations:
        return {IncidentFlagKind.LONG_DURATION.value: {"interventions": found.long_durations}}
    return {}


def _match_existing(*, plans: list[_Planned], by: User, errors: list[CellError]) -> None:
    """Find incidents imported before (same provider, source system and id) and their latest content."""
    providers = {p.ward.provider_id for p in plans}
    systems = {p.key[0] for p in plans}
    incidents = {
        (provider_id, system, source_id): (pk, ward_id, patient_id)
        for pk, provider_id, system, source_id, ward_id, patient_id in Incident.objects.filter(
            provider_id__in=providers, source_system__in=systems
        )
        .exclude(source_id="")
        # The current patient (decision 0021): after a correction the file must name the right one.
        .with_current_version(current_patient_id="patient_id")
        .values_list("pk", "provider_id", "source_system", "source_id", "ward_id", "current_patient_id")
    }
    matched = [(p, incidents.get((p.ward.provider_id, *p.key))) for p in plans]
    if not any(found for _, found in matched):
        return
    state = _existing_state(providers=providers, systems=systems)
    for plan, found in matched:
        if found is None:
            continue
        pk, ward_id, patient_id = found
        row = plan.group.first_row
        if ward_id != plan.ward.pk:
            errors.append(
                CellError(
                    row,
                    "ward_code",
                    plan.ward.code,
                    "this incident was imported on another ward; a ward cannot change",
                )
            )
        if patient_id != plan.patient_id:
            column = "patient_nhs_number"
            errors.append(
                CellError(
                    row,
                    column,
                    "",
                    "this incident was imported for another patient; the patient cannot change",
                )
            )
        plan.existing = {"id": pk, **state[pk]}
        plan.changed = _changed(plan)
        if (
            plan.changed
            and plan.existing["status"] == IncidentStatus.CLOSED
            and not has_permission(by, Permission.CLOSED_INCIDENT_AMEND)
        ):
            errors.append(
                CellError(
                    row,
                    "source_id",
                    plan.key[1],
                    "this incident is closed in RRP: only provider governance can change it",
                )
            )


def _existing_state(*, providers: set[int], systems: set[str]) -> dict[int, dict[str, Any]]:
    """The latest version (content, interventions, staff), status, CQC reasons and flags of every
    imported incident of these providers and source systems, in a few queries."""
    scope = {"provider_id__in": providers, "source_system__in": systems}
    versions: dict[int, dict[str, Any]] = {}
    version_fields = ["pk", "incident_id", "number", *CONTENT_FIELDS]
    for values in (
        IncidentVersion.objects.filter(**{f"incident__{k}": v for k, v in scope.items()})
        .exclude(incident__source_id="")
        .order_by("incident_id", "number")
        .values_list(*version_fields)
    ):
        record = dict(zip(version_fields, values, strict=True))
        versions[record["incident_id"]] = record  # the last one read is the latest
    latest = {v["pk"]: incident_id for incident_id, v in versions.items()}
    state = {
        incident_id: {
            "version": v,
            "interventions": Counter(),
            "staff": Counter(),
            "status": IncidentStatus.DRAFT,
            "cqc_reasons": set(),
            "flags": set(),
        }
        for incident_id, v in versions.items()
    }
    prefix = {f"version__incident__{k}": v for k, v in scope.items()}
    for version_id, *item in InterventionRecord.objects.filter(**prefix).values_list(
        "version_id", "type_code", "started_at", "ended_at", "in_care_plan"
    ):
        if version_id in latest:
            state[latest[version_id]]["interventions"][tuple(item)] += 1
    for version_id, *item in StaffInvolvement.objects.filter(**prefix).values_list(
        "version_id", "name", "job_title", "part"
    ):
        if version_id in latest:
            state[latest[version_id]]["staff"][tuple(item)] += 1
    prefix = {f"incident__{k}": v for k, v in scope.items()}
    for incident_id, status in (
        IncidentStatusChange.objects.filter(**prefix).order_by("id").values_list("incident_id", "to_status")
    ):
        if incident_id in state:
            state[incident_id]["status"] = status
    for incident_id, reasons in CqcNotificationTask.objects.filter(**prefix).values_list(
        "incident_id", "reasons"
    ):
        if incident_id in state:
            state[incident_id]["cqc_reasons"].update(reasons)
    for incident_id, kind in IncidentFlag.objects.filter(**prefix).values_list("incident_id", "kind"):
        if incident_id in state:
            state[incident_id]["flags"].add(kind)
    return state


def _changed(plan: _Planned) -> bool:
    """Whether the file says anything different from the incident's latest version."""
    existing = plan.existing
    previous = existing["version"]
    if any(plan.content[name] != previous[name] for name in IMPORTED_CONTENT):
        return True
    interventions = Counter(plan.group.interventions)
    staff = Counter((name, title, part) for _, name, title, part in plan.staff)
    return interventions != existing["interventions"] or staff != existing["staff"]


# Writing --------------------------------------------------------------------------------------------


class _Writer:
    """Rows straight to the driver, in Django's own storage formats for each database."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        connection.ensure_connection()
        self.postgres = connection.vendor == "postgresql"
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

        self.json_cache: dict[Any, str] = {}

    def when(self, value: dt.datetime | None) -> Any:
        """An aware UTC datetime as the driver takes it: on SQLite, Django's text 'YYYY-MM-DD HH:MM:SS'.

        Imported times are whole minutes in UTC, so the first 19 characters of the ISO form are exact;
        `now()` with its microseconds is formatted by `when_exact`."""
        if value is None or self.postgres:
            return value
        return value.isoformat(" ")[:19]

    def when_exact(self, value: dt.datetime) -> Any:
        return value if self.postgres else value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def json(self, value: Any) -> str:
        return json.dumps(value)

    def json_list(self, value: list[str]) -> str:
        """A list of codes as JSON text, cached: the same few lists recur on most incidents."""
        key = tuple(value)
        text = self.json_cache.get(key)
        if text is None:
            text = self.json_cache[key] = json.dumps(value)
        return text

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """Primary keys for `count` new rows, reserved so that children can point at them."""
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))

    def insert(
        self, model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        if not rows:
            return
        started = time.perf_counter()
        try:
            self._insert(model, names, rows)
        finally:
            label = f"insert {model._meta.label}"
            self.timings[label] = self.timings.get(label, 0.0) + time.perf_counter() - started

    def _insert(
        self, model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        quote = connection.ops.quote_name
        opts = model._meta
        columns = ", ".join(quote(opts.get_field(name).column) for name in names)
        table = quote(opts.db_table)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['?'] * len(names))})"
            raw = cursor.cursor
            for start in range(0, len(rows), WRITE_BATCH_ROWS):
                # The sqlite3 cursor itself: Django's wrapper would rewrite the SQL for every batch.
                raw.executemany(sql, rows[start : start + WRITE_BATCH_ROWS])


def _write(
    *, plans: list[_Planned], by: User, request: HttpRequest | None, timings: dict[str, float]
) -> dict[str, int]:
    writer = _Writer(timings)
    now = timezone.now()
    recorded_at = writer.when_exact(now)
    when = writer.when
    new = [p for p in plans if p.existing is None]
    amended = [p for p in plans if p.existing is not None and p.changed]
    unchanged = len(plans) - len(new) - len(amended)

    incident_ids = writer.reserve_ids(Incident, len(new))
    for plan, pk in zip(new, incident_ids, strict=True):
        plan.existing = {"id": pk, "cqc_reasons": set(), "flags": set()}
    writer.insert(
        Incident,
        [
            "id",
            "provider_id",
            "ward_id",
            "patient_id",
            "created_at",
            "created_by_id",
            "source_system",
            "source_id",
        ],
        [
            (
                p.existing["id"],
                p.ward.provider_id,
                p.ward.pk,
                p.patient_id,
                recorded_at,
                by.pk,
                p.key[0],
                p.key[1],
            )
            for p in new
        ],
    )
    writer.insert(
        IncidentStatusChange,
        ["incident_id", "at", "by_id", "from_status", "to_status", "note"],
        [(p.existing["id"], recorded_at, by.pk, "", IncidentStatus.DRAFT.value, "") for p in new],
    )

    # Versions: version 1 for new incidents (with the patient as they are now), the next number for
    # changed ones (carrying forward the snapshot and any negligible-force exemption).
    snapshots = _snapshots({p.patient_id for p in new}, on=timezone.localdate(now))
    writes = new + amended
    version_ids = writer.reserve_ids(IncidentVersion, len(writes))
    snapshot_json = {pk: writer.json(snapshot) for pk, snapshot in snapshots.items()}
    # Positions in CONTENT_FIELDS that need converting for the driver, so that each row is one
    # itemgetter call plus a few replacements rather than a loop over every field.
    content_cells = operator.itemgetter(*(name for name in CONTENT_FIELDS if name != "patient_snapshot"))
    names_without_snapshot = [name for name in CONTENT_FIELDS if name != "patient_snapshot"]
    datetime_at = [i for i, name in enumerate(names_without_snapshot) if name in DATETIME_FIELDS]
    list_at = [i for i, name in enumerate(names_without_snapshot) if name in LIST_FIELDS]
    version_names = [
        "id",
        "incident_id",
        "patient_id",
        "number",
        "recorded_at",
        "recorded_by_id",
        "change_reason",
        "patient_snapshot",
        "statutory_items_complete",
        *names_without_snapshot,
    ]
    json_list = writer.json_list
    exemption = negligible_force_exemption_enabled()
    version_rows = []
    for plan, version_id in zip(writes, version_ids, strict=True):
        previous = plan.existing.get("version")
        content = plan.content
        if previous is None:
            number, reason = 1, ""
            snapshot_dict = snapshots[plan.patient_id]
            snapshot = snapshot_json[plan.patient_id]
            content["negligible_force"], content["negligible_force_justification"] = False, ""
        else:
            number, reason = previous["number"] + 1, IMPORT_CHANGE_REASON
            snapshot_dict = previous["patient_snapshot"]
            snapshot = writer.json(snapshot_dict)
            for name in ("negligible_force", "negligible_force_justification"):
                content[name] = previous[name]
        plan.existing["version_id"] = version_id
        complete = _items_complete(plan, snapshot_dict, exemption)
        values = list(content_cells(content))
        for i in datetime_at:
            if values[i] is not None:
                values[i] = when(values[i])
        for i in list_at:
            values[i] = json_list(values[i])
        version_rows.append(
            (
                version_id,
                plan.existing["id"],
                plan.patient_id,
                number,
                recorded_at,
                by.pk,
                reason,
                snapshot,
                complete,
                *values,
            )
        )
    writer.insert(IncidentVersion, version_names, version_rows)
    version_rows.clear()
    writer.insert(
        InterventionRecord,
        ["version_id", "type_code", "started_at", "ended_at", "in_care_plan"],
        [
            (p.existing["version_id"], type_code, when(started), when(ended), in_care_plan)
            for p in writes
            for type_code, started, ended, in_care_plan in p.group.interventions
        ],
    )
    writer.insert(
        StaffInvolvement,
        ["version_id", "staff_member_id", "name", "job_title", "part"],
        [
            (p.existing["version_id"], member, name, title, part)
            for p in writes
            for member, name, title, part in p.staff
        ],
    )
    _write_triggers(writer=writer, plans=writes, now=now)
    _mark_figures_changed(written=writes, amended=amended)
    _write_audit(writer=writer, by=by, request=request, now=now, created=new, amended=amended)
    return {"created": len(new), "amended": len(amended), "unchanged": unchanged}


def _mark_figures_changed(*, written: list[_Planned], amended: list[_Planned]) -> None:
    """Make stale the stored monthly figures of every ward and month the import touched: the months of
    the interventions written and, for amended incidents, every month their records touch
    (``force.services.figures_months_of_incidents``, as for one incident).

    The written times are in UTC here; a ward's distinct days are collected first (a million
    interventions fall on a few thousand ward-days) and a UTC day that ends a month marks the next month
    too, since its evening is the 1st in the UK in summer: marking a month too many only costs a recount.
    """
    days = {
        (plan.ward.pk, started.date())
        for plan in written
        for _type, started, _end, _plan in plan.group.interventions
    }
    cells = {(ward_id, day.replace(day=1)) for ward_id, day in days}
    cells |= {(ward_id, day + ONE_DAY) for ward_id, day in days if (day + ONE_DAY).day == 1}
    cells |= figures_months_of_incidents({plan.existing["id"]: plan.ward.pk for plan in amended})
    mark_changed(cells)


def _items_complete(plan: _Planned, snapshot: dict[str, Any], exemption: bool) -> bool:
    """The version's stored completeness flag, by the services' own check
    (``force.completeness.version_items_complete``) on the rows about to be written."""
    return version_items_complete(
        version=SimpleNamespace(**plan.content, patient_snapshot=snapshot),
        interventions=[
            SimpleNamespace(type_code=type_code, ended_at=ended, in_care_plan=in_care_plan)
            for type_code, _started, ended, in_care_plan in plan.group.interventions
        ],
        staff=[SimpleNamespace(name=name, job_title=title) for _member, name, title, _part in plan.staff],
        exemption_enabled=exemption,
    )


def _snapshots(patient_ids: set[int], *, on: dt.date) -> dict[int, dict[str, Any]]:
    """The patient snapshot (services.patient_snapshot) of each patient, read in chunks."""
    out: dict[int, dict[str, Any]] = {}
    ids = sorted(patient_ids)
    for start in range(0, len(ids), 20_000):
        for patient in Patient.objects.filter(pk__in=ids[start : start + 20_000]):
            out[patient.pk] = patient_snapshot(patient, on=on)
    return out


def _write_triggers(*, writer: _Writer, plans: list[_Planned], now: dt.datetime) -> None:
    """CQC notification tasks and follow-up flags, exactly as the services raise them."""
    tasks, flags = [], []
    for plan in plans:
        incident_id = plan.existing["id"]
        content = plan.content
        if any(content[name] for name in CQC_FIELDS):  # else cqc_reasons is empty
            reasons = [
                r for r in cqc_reasons(SimpleNamespace(**content)) if r not in plan.existing["cqc_reasons"]
            ]
            if reasons:
                tasks.append(
                    (incident_id, plan.ward.provider_id, writer.when_exact(now), writer.json(reasons))
                )
        interventions = plan.group.interventions
        if not plan.flags and not any(item[0] in FLAG_TYPES for item in interventions):
            continue
        raised = {**flags_for(InterventionInput(*item) for item in interventions), **plan.flags}
        for kind, detail in raised.items():
            if kind not in plan.existing["flags"]:
                flags.append(
                    (
                        incident_id,
                        plan.existing["version_id"],
                        kind,
                        writer.when_exact(now),
                        writer.json(detail),
                    )
                )
    defaults = CqcNotificationTask._meta
    writer.insert(
        CqcNotificationTask,
        ["incident_id", "provider_id", "raised_at", "reasons", "regulation", "due", "status", "note"],
        [
            (
                *task,
                defaults.get_field("regulation").default,
                defaults.get_field("due").default,
                defaults.get_field("status").default,
                "",
            )
            for task in tasks
        ],
    )
    writer.insert(IncidentFlag, ["incident_id", "version_id", "kind", "raised_at", "detail"], flags)


def _write_audit(
    *,
    writer: _Writer,
    by: User,
    request: HttpRequest | None,
    now: dt.datetime,
    created: list[_Planned],
    amended: list[_Planned],
) -> None:
    """One create or change event per incident, as incident_record and incident_amend write them."""
    created_detail = json.dumps({"version": 1, "imported": True})
    at, ip, path = (
        writer.when_exact(now),
        client_ip(request),
        (request.path[:300] if request is not None else ""),
    )
    common = (at, by.pk, by.get_username(), by.role)

    def rows(plans: list[_Planned], action: str, detail: Callable[[_Planned], str]) -> Iterable[tuple]:
        for p in plans:
            pk = p.existing["id"]
            yield (
                *common,
                action,
                "force.Incident",
                str(pk),
                f"Incident {pk}",
                p.patient_id,
                p.ward.provider_id,
                ip,
                path,
                detail(p),
            )

    names = [
        "at",
        "actor_id",
        "actor_username",
        "actor_role",
        "action",
        "record_type",
        "record_id",
        "record_label",
        "patient_id",
        "provider_id",
        "ip_address",
        "path",
        "detail",
    ]
    writer.insert(
        AuditEvent,
        names,
        [
            *rows(created, AuditAction.CREATE.value, lambda p: created_detail),
            *rows(
                amended,
                AuditAction.CHANGE.value,
                lambda p: json.dumps(
                    {
                        "version": p.existing["version"]["number"] + 1,
                        "reason": IMPORT_CHANGE_REASON,
                        "imported": True,
                    }
                ),
            ),
        ],
    )
