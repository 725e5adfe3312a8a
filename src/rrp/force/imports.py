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

import csv
import datetime as dt
import json
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
from rrp.accounts.roles import Role
from rrp.accounts.scope import patient_filter_for, patient_wards_for
from rrp.core.csv_import import CellError, ImportRejected, read_csv_rows
from rrp.core.models import AuditAction, AuditEvent
from rrp.core.services import audit_record, client_ip
from rrp.force.codes import IncidentStatus
from rrp.force.models import (
    CONTENT_FIELDS,
    CqcNotificationTask,
    Incident,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
)
from rrp.force.services import (
    InterventionInput,
    StaffInput,
    _validate_content,
    _validate_interventions,
    _validate_staff,
    patient_snapshot,
)
from rrp.force.triggers import cqc_reasons, flags_for
from rrp.organisations.models import Ward
from rrp.people.models import Patient, StaffMember

IMPORT_CHANGE_REASON = "Imported update"

KEY_COLUMNS = ["source_system", "source_id"]
PATIENT_COLUMNS = ["patient_nhs_number", "patient_local_identifier"]
BOOLEAN_FIELDS = (
    "patient_died",
    "patient_serious_injury",
    "injury_patient",
    "injury_staff",
    "injury_others",
    "abuse_alleged",
    "police_used_force",
    "non_staff_involved",
    "care_plan_notification_sent",
    "debrief_patient_offered",
    "debrief_patient_held",
    "debrief_staff_held",
    "debrief_carers_held",
)
DATETIME_FIELDS = (
    "occurred_at",
    "ended_at",
    "police_requested_at",
    "police_arrived_at",
    "care_plan_notified_at",
)
LIST_FIELDS = ("non_staff_types", "deescalation")
TEXT_FIELDS = (
    "reason_code",
    "reason_text",
    "place_on_ward",
    "how_force_used",
    "outcome",
    "non_staff_reason",
    "deescalation_text",
    "care_plan_notified_to",
    "debrief_patient_not_held_reason",
    "camera_references",
)
# Content the file carries (the patient snapshot is taken by RRP; negligible force is never imported).
IMPORTED_CONTENT = tuple(
    f for f in CONTENT_FIELDS if f in {*BOOLEAN_FIELDS, *DATETIME_FIELDS, *LIST_FIELDS, *TEXT_FIELDS}
)
INCIDENT_COLUMNS = ["ward_code", *PATIENT_COLUMNS, *IMPORTED_CONTENT, "staff"]
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

TRUE_WORDS = frozenset({"y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "0"})
BOOLEAN_HELP = "enter Y or N, or leave it blank if not known"
DATETIME_HELP = "enter a date and time as YYYY-MM-DD HH:MM (UK time), for example 2025-04-01 14:05"
WRITE_BATCH_ROWS = 20_000
SQLITE_CACHE_KIB = 256 * 1024


class _CellProblem(ValueError):
    pass


def parse_boolean(text: str) -> bool | None:
    """Y/N (also yes/no, true/false, 1/0, any case); blank is "not known"."""
    if not text:
        return None
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _CellProblem(BOOLEAN_HELP)


def parse_datetime(text: str, *, zone: dt.tzinfo) -> dt.datetime | None:
    """ISO 8601 date and time to the minute; without an offset it is UK local time. Seconds are dropped."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _CellProblem(DATETIME_HELP) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC).replace(second=0, microsecond=0)


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


@dataclass
class _Group:
    """One incident's rows in the file."""

    first_row: int
    raw: tuple[str, ...]
    rows: list[int] = field(default_factory=list)
    interventions: list[InterventionInput] = field(default_factory=list)


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


def incidents_import(
    *, source: Path | str | IO[str], by: User, request: HttpRequest | None = None
) -> dict[str, int]:
    """Import incidents from a CSV in the documented layout, as `by` (who must be able to record
    incidents on every ward in the file). Returns counts of rows, and of incidents created, amended
    and unchanged. Raises ImportRejected listing every problem by row and column; nothing is saved then.
    """
    if isinstance(source, (str, Path)):
        with Path(source).open(encoding="utf-8-sig", newline="") as handle:
            return incidents_import(source=handle, by=by, request=request)
    with transaction.atomic():
        plans, rows = _check(source=source, by=by)
        counts = _write(plans=plans, by=by, request=request)
        counts["rows"] = rows
        audit_record(
            actor=by,
            action=AuditAction.IMPORT,
            record_type="force.Incident",
            record_label="Incident import",
            request=request,
            detail={
                "file": getattr(source, "name", ""),
                **counts,
            },
        )
    return counts


# Checking -------------------------------------------------------------------------------------------


def _check(*, source: IO[str], by: User) -> tuple[list[_Planned], int]:
    errors: list[CellError] = []
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    header = _header(source)
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
    if problems:
        raise ImportRejected(problems)
    incident_columns = [c for c in INCIDENT_COLUMNS if c in header]
    groups: dict[tuple[str, str], _Group] = {}
    n_rows = 0

    for number, row in read_csv_rows(source, required_columns=REQUIRED_COLUMNS):
        n_rows += 1
        key = (row["source_system"], row["source_id"])
        if not key[0]:
            errors.append(
                CellError(number, "source_system", "", "enter the name of the system the incident came from")
            )
        if not key[1]:
            errors.append(CellError(number, "source_id", "", "enter the incident's id in its source system"))
        raw = tuple([row.get(c, "") for c in incident_columns])
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(first_row=number, raw=raw)
        elif group.raw != raw:
            for column, before, now in zip(incident_columns, group.raw, raw, strict=True):
                if before != now:
                    errors.append(
                        CellError(
                            number,
                            column,
                            now,
                            f"differs from row {group.first_row}, the first row of incident {key[1]}: "
                            "incident columns must be the same on each of its rows",
                        )
                    )
        group.rows.append(number)
        group.interventions.append(_intervention(number, row, zone, errors))
    if n_rows == 0:
        raise ImportRejected([CellError(2, "source_id", "", "the file has no incidents in it")])
    plans = _check_incidents(groups=groups, columns=incident_columns, by=by, zone=zone, errors=errors)
    if errors:
        raise ImportRejected(
            sorted(
                errors, key=lambda e: (e.row, ALL_COLUMNS.index(e.column) if e.column in ALL_COLUMNS else 0)
            )
        )
    return plans, n_rows


def _header(source: IO[str]) -> list[str]:
    """The header row's column names, leaving the file where it was."""
    position = source.tell()
    line = source.readline().lstrip("\ufeff")
    source.seek(position)
    return [c.strip() for c in next(csv.reader([line]), [])]


def _intervention(
    number: int, row: dict[str, str], zone: dt.tzinfo, errors: list[CellError]
) -> InterventionInput:
    started = ended = in_care_plan = None
    started_text = row["intervention_started_at"]
    try:
        started = parse_datetime(started_text, zone=zone)
    except _CellProblem as problem:
        errors.append(CellError(number, "intervention_started_at", started_text, str(problem)))
    text = row.get("intervention_ended_at", "")
    try:
        ended = parse_datetime(text, zone=zone)
    except _CellProblem as problem:
        errors.append(CellError(number, "intervention_ended_at", text, str(problem)))
    text = row.get("intervention_in_care_plan", "")
    try:
        in_care_plan = parse_boolean(text)
    except _CellProblem as problem:
        errors.append(CellError(number, "intervention_in_care_plan", text, str(problem)))
    item = InterventionInput(row["intervention_type"], started, ended, in_care_plan)
    found: dict[str, list[str]] = {}
    _validate_interventions([item], found)
    for key, messages in found.items():
        column = INTERVENTION_FIELD_COLUMNS[key.rsplit(".", 1)[1]]
        if column == "intervention_started_at" and started_text:
            continue  # a time that could not be read, reported above
        for message in messages:
            errors.append(CellError(number, column, row.get(column, ""), message))
    return item


def _lookups(*, by: User, codes: set[str]) -> tuple[dict[str, Ward], dict, dict, dict]:
    """Wards by code (only those the importer may record on), and the patients and roster staff of
    their providers, each with one query."""
    definition = by.role_definition
    if definition is None or definition.read_only or not by.is_active:
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
    for pk, provider_id, nhs_number, local in patients.iterator(chunk_size=50_000):
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


def _check_incidents(
    *,
    groups: dict[tuple[str, str], _Group],
    columns: list[str],
    by: User,
    zone: dt.tzinfo,
    errors: list[CellError],
) -> list[_Planned]:
    index = {c: i for i, c in enumerate(columns)}
    codes = {g.raw[index["ward_code"]] for g in groups.values()}
    wards, by_nhs, by_local, roster = _lookups(by=by, codes=codes)
    plans: list[_Planned] = []
    for key, group in groups.items():
        row = group.first_row

        def cell(column: str, group: _Group = group) -> str:
            position = index.get(column)
            return group.raw[position] if position is not None else ""

        found = len(errors)
        ward = wards.get(cell("ward_code"))
        if ward is None:
            errors.append(
                CellError(
                    row, "ward_code", cell("ward_code"), "no ward you can record incidents on has this code"
                )
            )
        patient_id = None
        nhs, local = cell("patient_nhs_number").replace(" ", ""), cell("patient_local_identifier")
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
        content: dict[str, Any] = {}
        for name in IMPORTED_CONTENT:
            text = cell(name)
            try:
                if name in BOOLEAN_FIELDS:
                    value = parse_boolean(text)
                    content[name] = bool(value) if name == "abuse_alleged" else value
                elif name in DATETIME_FIELDS:
                    content[name] = parse_datetime(text, zone=zone)
                elif name in LIST_FIELDS:
                    content[name] = parse_list(text)
                else:
                    content[name] = text
            except _CellProblem as problem:
                errors.append(CellError(row, name, text, str(problem)))
        found_content: dict[str, list[str]] = {}
        _validate_content(content, found_content)
        for name, messages in found_content.items():
            for message in messages:
                errors.append(CellError(row, name, cell(name), message))
        try:
            triples = parse_staff(cell("staff"))
        except _CellProblem as problem:
            errors.append(CellError(row, "staff", cell("staff"), str(problem)))
            triples = []
        staff: list[tuple[int | None, str, str, str]] = []
        if ward is not None:
            found_staff: dict[str, list[str]] = {}
            _validate_staff(
                [StaffInput(part=p, name=n, job_title=t) for n, t, p in triples], ward, found_staff
            )
            for message in (m for ms in found_staff.values() for m in ms):
                errors.append(CellError(row, "staff", cell("staff"), message))
            for name, title, part in triples:
                member = roster.get((ward.provider_id, name.lower(), title.lower()))
                staff.append((member, name, title, part))
        if len(errors) == found and ward is not None and patient_id is not None:
            plans.append(
                _Planned(group=group, key=key, ward=ward, patient_id=patient_id, content=content, staff=staff)
            )
    if not errors:
        _match_existing(plans=plans, by=by, errors=errors)
    return plans


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
        .values_list("pk", "provider_id", "source_system", "source_id", "ward_id", "patient_id")
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
        if (
            _changed(plan)
            and plan.existing["status"] == IncidentStatus.CLOSED
            and by.role != Role.PROVIDER_GOVERNANCE
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
        .iterator(chunk_size=20_000)
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
    for version_id, *item in (
        InterventionRecord.objects.filter(**prefix)
        .values_list("version_id", "type_code", "started_at", "ended_at", "in_care_plan")
        .iterator(chunk_size=50_000)
    ):
        if version_id in latest:
            state[latest[version_id]]["interventions"][tuple(item)] += 1
    for version_id, *item in (
        StaffInvolvement.objects.filter(**prefix)
        .values_list("version_id", "name", "job_title", "part")
        .iterator(chunk_size=50_000)
    ):
        if version_id in latest:
            state[latest[version_id]]["staff"][tuple(item)] += 1
    prefix = {f"incident__{k}": v for k, v in scope.items()}
    for incident_id, status in (
        IncidentStatusChange.objects.filter(**prefix)
        .order_by("id")
        .values_list("incident_id", "to_status")
        .iterator(chunk_size=50_000)
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
    existing = plan.existing
    previous = existing["version"]
    if any(plan.content[name] != previous[name] for name in IMPORTED_CONTENT):
        return True
    interventions = Counter(
        (i.type_code, i.started_at, i.ended_at, i.in_care_plan) for i in plan.group.interventions
    )
    staff = Counter((name, title, part) for _, name, title, part in plan.staff)
    return interventions != existing["interventions"] or staff != existing["staff"]


# Writing --------------------------------------------------------------------------------------------


class _Writer:
    """Rows straight to the driver, in Django's own storage formats for each database."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.postgres = connection.vendor == "postgresql"
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def when(self, value: dt.datetime | None) -> Any:
        if value is None or self.postgres:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def json(self, value: Any) -> str:
        return json.dumps(value)

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


def _write(*, plans: list[_Planned], by: User, request: HttpRequest | None) -> dict[str, int]:
    writer = _Writer()
    now = timezone.now()
    when = writer.when
    new = [p for p in plans if p.existing is None]
    amended = [p for p in plans if p.existing is not None and _changed(p)]
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
                when(now),
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
        [(p.existing["id"], when(now), by.pk, "", IncidentStatus.DRAFT.value, "") for p in new],
    )

    # Versions: version 1 for new incidents (with the patient as they are now), the next number for
    # changed ones (carrying forward the snapshot and any negligible-force exemption).
    snapshots = _snapshots({p.patient_id for p in new}, on=timezone.localdate(now))
    writes = new + amended
    version_ids = writer.reserve_ids(IncidentVersion, len(writes))
    json_fields = {"non_staff_types", "deescalation", "patient_snapshot"}
    datetime_fields = set(DATETIME_FIELDS)
    version_names = [
        "id",
        "incident_id",
        "number",
        "recorded_at",
        "recorded_by_id",
        "change_reason",
        *CONTENT_FIELDS,
    ]
    version_rows = []
    for plan, version_id in zip(writes, version_ids, strict=True):
        previous = plan.existing.get("version")
        content = dict(plan.content)
        if previous is None:
            number, reason = 1, ""
            content["patient_snapshot"] = snapshots[plan.patient_id]
            content["negligible_force"], content["negligible_force_justification"] = False, ""
        else:
            number, reason = previous["number"] + 1, IMPORT_CHANGE_REASON
            for name in ("patient_snapshot", "negligible_force", "negligible_force_justification"):
                content[name] = previous[name]
        plan.existing["version_id"] = version_id
        values = []
        for name in CONTENT_FIELDS:
            value = content[name]
            if name in datetime_fields:
                value = when(value)
            elif name in json_fields:
                value = writer.json(value)
            values.append(value)
        version_rows.append((version_id, plan.existing["id"], number, when(now), by.pk, reason, *values))
        plan.content = content
    writer.insert(IncidentVersion, version_names, version_rows)
    version_rows.clear()
    writer.insert(
        InterventionRecord,
        ["version_id", "type_code", "started_at", "ended_at", "in_care_plan"],
        [
            (p.existing["version_id"], i.type_code, when(i.started_at), when(i.ended_at), i.in_care_plan)
            for p in writes
            for i in p.group.interventions
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
    _write_audit(writer=writer, by=by, request=request, now=now, created=new, amended=amended)
    return {"created": len(new), "amended": len(amended), "unchanged": unchanged}


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
        reasons = [
            r for r in cqc_reasons(SimpleNamespace(**plan.content)) if r not in plan.existing["cqc_reasons"]
        ]
        if reasons:
            tasks.append((incident_id, plan.ward.provider_id, writer.when(now), writer.json(reasons)))
        for kind, detail in flags_for(plan.group.interventions).items():
            if kind not in plan.existing["flags"]:
                flags.append(
                    (incident_id, plan.existing["version_id"], kind, writer.when(now), writer.json(detail))
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
    at, ip, path = writer.when(now), client_ip(request), (request.path[:300] if request is not None else "")
    common = (at, by.pk, by.get_username(), by.role)

    def rows(plans: list[_Planned], action: str, detail: Callable[[_Planned], dict]) -> Iterable[tuple]:
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
                writer.json(detail(p)),
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
            *rows(created, AuditAction.CREATE.value, lambda p: {"version": 1, "imported": True}),
            *rows(
                amended,
                AuditAction.CHANGE.value,
                lambda p: {
                    "version": p.existing["version"]["number"] + 1,
                    "reason": IMPORT_CHANGE_REASON,
                    "imported": True,
                },
            ),
        ],
    )
