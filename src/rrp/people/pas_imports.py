"""CSV files from a patient administration system, for trusts without an HL7 feed: `rrp import patients`
and `rrp import ward-stays`; and the staff from the electronic staff record, `rrp import staff` (layouts in
docs/imports.md). Each row becomes the event the feed would have
sent (a patient's details; an admission, transfers and a discharge per spell) and goes through
``people.feeds``, the code path of the HL7 feed, so both routes give the same stays. All or nothing: every
problem by row and column, nothing saved unless the whole file is good; the same file twice changes
nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.csv_import import CellError, ImportRejected, read_csv_rows
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Provider, Ward
from rrp.people.codes import Sex, StaffGroup
from rrp.people.feeds import EventKind, EventResult, Outcome, PasEvent, pas_events_apply
from rrp.people.models import StaffMember
from rrp.people.validation import InvalidNhsNumber, validate_nhs_number

PATIENT_COLUMNS = ["local_identifier", "given_name", "family_name", "date_of_birth", "sex"]
PATIENT_OPTIONAL = ["nhs_number"]
STAY_COLUMNS = ["local_identifier", "visit_number", "ward_code", "started_at"]
STAY_OPTIONAL = ["ended_at"]
LIMITS = {"local_identifier": 30, "given_name": 100, "family_name": 100, "visit_number": 30, "ward_code": 20}
DATETIME_HELP = "enter a date and time as YYYY-MM-DD HH:MM (UK time unless an offset such as +01:00 is given)"


def _text(row: dict[str, str], name: str, number: int, errors: list[CellError]) -> str:
    value = row.get(name, "")
    if not value and name in PATIENT_COLUMNS + STAY_COLUMNS:
        errors.append(CellError(number, name, "", "this cell is empty and must be filled in"))
    elif len(value) > LIMITS.get(name, 300):
        errors.append(CellError(number, name, value[:40], f"longer than {LIMITS[name]} characters"))
    return value


def parse_moment(text: str) -> dt.datetime:
    """A date and time to the minute, aware: UK local time unless an offset is given. ValueError if it
    is not one or is in the future."""
    value = dt.datetime.fromisoformat(text).replace(second=0, microsecond=0)
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    if value > timezone.now():
        raise ValueError("in the future")
    return value


def _rejected_if_held(results: list[EventResult], where: dict[int, tuple[int, str, str]]) -> None:
    """ImportRejected naming the row of each event that could not be applied, in the column it is about."""
    errors = []
    for result in results:
        if result.outcome is not Outcome.HELD:
            continue
        row, column, value = where[id(result.event)]
        if "no patient has the identifier" in result.reason:
            column, value = "local_identifier", result.event.local_identifier
            result.reason += " (import the patients file first: rrp import patients)"
        elif "no ward" in result.reason:
            column, value = "ward_code", result.event.ward_code
        errors.append(CellError(row, column, value, result.reason))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))


@transaction.atomic
def patients_import(*, provider: Provider, source: Path | str | IO[str], by: User | None) -> dict[str, int]:
    """Register or update the provider's patients from a CSV; counts of new or changed and unchanged."""
    errors: list[CellError] = []
    events: list[PasEvent] = []
    where: dict[int, tuple[int, str, str]] = {}
    seen: dict[str, int] = {}
    for number, row in read_csv_rows(
        source, required_columns=PATIENT_COLUMNS, allowed_columns=PATIENT_COLUMNS + PATIENT_OPTIONAL
    ):
        identifier = _text(row, "local_identifier", number, errors)
        details: dict[str, object] = {
            name: _text(row, name, number, errors) for name in ("given_name", "family_name")
        }
        if identifier in seen:
            errors.append(
                CellError(
                    number,
                    "local_identifier",
                    identifier,
                    f"this patient is already in row {seen[identifier]}",
                )
            )
        seen[identifier] = number
        try:
            born = dt.date.fromisoformat(row["date_of_birth"])
            if born > timezone.localdate() or born.year < 1900:
                raise ValueError
            details["date_of_birth"] = born
        except ValueError:
            errors.append(
                CellError(number, "date_of_birth", row["date_of_birth"], "enter a past date as YYYY-MM-DD")
            )
        if row["sex"] not in Sex.values:
            errors.append(
                CellError(number, "sex", row["sex"], "enter 1 (male), 2 (female), 9 or X (not known)")
            )
        details["sex"] = row["sex"]
        if row.get("nhs_number"):
            try:
                details["nhs_number"] = validate_nhs_number(row["nhs_number"])
            except InvalidNhsNumber as problem:
                errors.append(CellError(number, "nhs_number", row["nhs_number"], str(problem)))
        event = PasEvent(EventKind.UPDATE, identifier, demographics=details, label=f"row {number}")
        where[id(event)] = (number, "local_identifier", identifier)
        events.append(event)
    if errors:
        raise ImportRejected(errors)
    results = pas_events_apply(provider=provider, events=events, by=by)
    _rejected_if_held(results, where)
    counts = {"rows": len(events), "written": sum(r.outcome is Outcome.APPLIED for r in results)}
    counts["unchanged"] = counts["rows"] - counts["written"]
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record_type="people.Patient",
        record_label=f"Patients imported: {counts['written']} new or changed",
        provider_id=provider.pk,
        detail=counts,
    )
    return counts


def _stay_rows(source: Path | str | IO[str], errors: list[CellError]) -> dict[str, list[dict]]:
    """The file's rows grouped by visit number, each with its parsed times and row number."""
    spells: dict[str, list[dict]] = defaultdict(list)
    for number, row in read_csv_rows(
        source, required_columns=STAY_COLUMNS, allowed_columns=STAY_COLUMNS + STAY_OPTIONAL
    ):
        stay: dict = {"row": number}
        for name in ("local_identifier", "visit_number", "ward_code"):
            stay[name] = _text(row, name, number, errors)
        for name in ("started_at", "ended_at"):
            stay[name] = None
            if row.get(name):
                try:
                    stay[name] = parse_moment(row[name])
                except ValueError:
                    errors.append(CellError(number, name, row[name], DATETIME_HELP))
            elif name == "started_at":
                errors.append(CellError(number, name, "", "this cell is empty and must be filled in"))
        if stay["started_at"] and stay["ended_at"] and stay["ended_at"] < stay["started_at"]:
            errors.append(CellError(number, "ended_at", row["ended_at"], "the stay ends before it starts"))
        spells[stay["visit_number"]].append(stay)
    return spells


def _spell_events(
    visit: str, stays: list[dict], errors: list[CellError], where: dict[int, tuple[int, str, str]]
) -> list[PasEvent]:
    """Admission, transfers and discharge of one spell, from its stays; its stays must follow on."""
    stays.sort(key=lambda s: s["started_at"])
    events: list[PasEvent] = []
    for index, stay in enumerate(stays):
        if stay["local_identifier"] != stays[0]["local_identifier"]:
            errors.append(
                CellError(
                    stay["row"],
                    "local_identifier",
                    stay["local_identifier"],
                    f"visit {visit} is patient {stays[0]['local_identifier']}'s in row {stays[0]['row']}",
                )
            )
        if index + 1 < len(stays) and stay["ended_at"] != stays[index + 1]["started_at"]:
            errors.append(
                CellError(
                    stay["row"],
                    "ended_at",
                    str(stay["ended_at"] or ""),
                    f"a stay of visit {visit} must end when its next begins (row {stays[index + 1]['row']})",
                )
            )
        kind = EventKind.ADMIT if index == 0 else EventKind.TRANSFER
        event = PasEvent(
            kind,
            stay["local_identifier"],
            at=stay["started_at"],
            visit_number=visit,
            ward_code=stay["ward_code"],
            label=f"row {stay['row']}",
        )
        where[id(event)] = (stay["row"], "started_at", str(stay["started_at"]))
        events.append(event)
    last = stays[-1]
    if last["ended_at"] is not None:
        event = PasEvent(
            EventKind.DISCHARGE,
            last["local_identifier"],
            at=last["ended_at"],
            visit_number=visit,
            label=f"row {last['row']}",
        )
        where[id(event)] = (last["row"], "ended_at", str(last["ended_at"]))
        events.append(event)
    return events


@transaction.atomic
def ward_stays_import(*, provider: Provider, source: Path | str | IO[str], by: User | None) -> dict[str, int]:
    """Admissions, transfers and discharges of the provider's patients from a CSV of ward stays (one row
    per stay; the stays of a visit follow on, the first its admission and the end of the last its
    discharge). The patients must be known (`rrp import patients` first)."""
    errors: list[CellError] = []
    where: dict[int, tuple[int, str, str]] = {}
    spells = _stay_rows(source, errors)
    if errors:
        raise ImportRejected(errors)
    events: list[PasEvent] = []
    for visit, stays in spells.items():
        events += _spell_events(visit, stays, errors, where)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    # In time order; at the same minute a discharge before an admission (a patient readmitted at once).
    events.sort(key=lambda e: (e.at, e.kind is not EventKind.DISCHARGE))
    results = pas_events_apply(provider=provider, events=events, by=by)
    _rejected_if_held(results, where)
    counts = {
        "spells": len(spells),
        "events": len(events),
        "written": sum(r.outcome is Outcome.APPLIED for r in results),
    }
    counts["unchanged"] = counts["events"] - counts["written"]
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record_type="people.WardStay",
        record_label=f"Ward stays imported: {counts['written']} admissions, transfers or discharges written",
        provider_id=provider.pk,
        detail=counts,
    )
    return counts


STAFF_COLUMNS = ["assignment_number", "given_name", "family_name", "job_title", "staff_group", "start_date"]
STAFF_OPTIONAL = ["ward_codes", "end_date"]
#: ESR's staff group names (as its extracts write them) to RRP's; RRP's own codes are read too.
ESR_STAFF_GROUPS = {
    "nursing and midwifery registered": StaffGroup.NURSING,
    "additional clinical services": StaffGroup.SUPPORT,
    "medical and dental": StaffGroup.MEDICAL,
    "allied health professionals": StaffGroup.AHP,
    "add prof scientific and technic": StaffGroup.PSYCHOLOGY,
    "administrative and clerical": StaffGroup.OTHER,
    "estates and ancillary": StaffGroup.OTHER,
    **{code: StaffGroup(code) for code in StaffGroup.values},
}


def _staff_row(
    number: int, row: dict[str, str], wards: dict[str, Ward], errors: list[CellError]
) -> dict[str, object]:
    """One checked row of the staff file as the values a StaffMember takes (and its wards)."""
    values: dict[str, object] = {}
    for name, limit in (
        ("assignment_number", 30),
        ("given_name", 100),
        ("family_name", 100),
        ("job_title", 120),
    ):
        value = row[name]
        if not value:
            errors.append(CellError(number, name, "", "this cell is empty and must be filled in"))
        elif len(value) > limit:
            errors.append(CellError(number, name, value[:40], f"longer than {limit} characters"))
        values["employee_number" if name == "assignment_number" else name] = value
    group = ESR_STAFF_GROUPS.get(row["staff_group"].strip().lower())
    if group is None:
        errors.append(
            CellError(
                number,
                "staff_group",
                row["staff_group"],
                "not an ESR staff group (for example Nursing and Midwifery Registered) nor one of "
                + ", ".join(StaffGroup.values),
            )
        )
    values["staff_group"] = str(group) if group else ""
    for name, field in (("start_date", "started_on"), ("end_date", "left_on")):
        values[field] = None
        if row.get(name):
            try:
                values[field] = dt.date.fromisoformat(row[name])
            except ValueError:
                errors.append(CellError(number, name, row[name], "enter a date as YYYY-MM-DD"))
    if values["started_on"] and values["left_on"] and values["left_on"] < values["started_on"]:
        errors.append(CellError(number, "end_date", row["end_date"], "the assignment ends before it starts"))
    codes = [c.strip() for c in row.get("ward_codes", "").split(";") if c.strip()]
    unknown = [c for c in codes if c not in wards]
    if unknown:
        errors.append(
            CellError(
                number,
                "ward_codes",
                row["ward_codes"],
                f"no ward of the provider has the code {', '.join(unknown)}",
            )
        )
    values["wards"] = sorted(wards[c].pk for c in codes if c in wards)
    return values


@transaction.atomic
def staff_import(*, provider: Provider, source: Path | str | IO[str], by: User | None) -> dict[str, int]:
    """The provider's staff from an ESR-style CSV, one row per assignment (docs/imports.md): new
    assignments added, changed ones updated, leavers kept with their end date (never deleted, as records
    name them). Staff not in the file are left as they are. All or nothing; the same file twice changes
    nothing."""
    wards = {w.code: w for w in Ward.objects.filter(provider=provider)}
    errors: list[CellError] = []
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for number, row in read_csv_rows(
        source, required_columns=STAFF_COLUMNS, allowed_columns=STAFF_COLUMNS + STAFF_OPTIONAL
    ):
        values = _staff_row(number, row, wards, errors)
        key = str(values["employee_number"])
        if key in seen:
            errors.append(
                CellError(number, "assignment_number", key, f"this assignment is already in row {seen[key]}")
            )
        seen[key] = number
        rows.append(values)
    if errors:
        raise ImportRejected(errors)
    existing = {
        s.employee_number: s
        for s in StaffMember.objects.filter(
            provider=provider, employee_number__in=list(seen)
        ).prefetch_related("wards")
    }
    counts = {"rows": len(rows), "created": 0, "changed": 0, "unchanged": 0, "leavers": 0}
    for values in rows:
        ward_ids = values.pop("wards")
        member = existing.get(str(values["employee_number"]))
        counts["leavers"] += bool(values["left_on"])
        if member is None:
            member = StaffMember.objects.create(provider=provider, **values)
            member.wards.set(ward_ids)
            counts["created"] += 1
            action = AuditAction.CREATE
        else:
            differs = {k: v for k, v in values.items() if getattr(member, k) != v}
            same_wards = sorted(w.pk for w in member.wards.all()) == ward_ids
            if not differs and same_wards:
                counts["unchanged"] += 1
                continue
            for name, value in differs.items():
                setattr(member, name, value)
            member.save()
            member.wards.set(ward_ids)
            counts["changed"] += 1
            action = AuditAction.CHANGE
        audit_record(
            actor=by, action=action, record=member, provider_id=provider.pk, detail={"source": "ESR import"}
        )
    return counts
