"""Writing occupied bed days: entered by a ward manager, or imported (derived from ward stays: people.services)."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.csv_import import CellError, ImportRejected, read_csv_rows
from rrp.core.formatting import month_year
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.declared import rule_of
from rrp.core.validation.rules import FieldProblem
from rrp.figures.store import mark_changed
from rrp.organisations.models import BedDaysSource, MonthlyBedDays, Ward

BED_DAYS_COLUMNS = ["ward_code", "month", "occupied_bed_days"]
#: The stored field's own range (core.validation): a figure beyond it is a typing slip, not a month.
BED_DAYS_RULE = rule_of(MonthlyBedDays, "bed_days")


class BedDaysInvalid(ValueError):
    """A bed-days figure that cannot be right; the message names the field and why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def days_in_month(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def check_monthly_bed_days(
    ward: Ward, month: dt.date, bed_days: int, *, today: dt.date | None = None
) -> None:
    """Raise BedDaysInvalid if a month's figure is impossible for the ward."""
    today = today or timezone.localdate()
    if month.day != 1:
        raise BedDaysInvalid("month", "The month must be given as its first day")
    if month > today:
        raise BedDaysInvalid("month", "The month must not be in the future")
    if bed_days < 0:
        raise BedDaysInvalid("occupied_bed_days", "Occupied bed days must be 0 or more")
    most = ward.beds * days_in_month(month)
    if bed_days > most:
        raise BedDaysInvalid(
            "occupied_bed_days",
            f"{bed_days} is more than the ward's {ward.beds} beds for {days_in_month(month)} days ({most})",
        )
    last_day = month.replace(day=days_in_month(month))
    if last_day < ward.opened_on or (ward.closed_on and month > ward.closed_on):
        raise BedDaysInvalid("month", f"{ward.name} was not open in {month_year(month)}")


@transaction.atomic
def monthly_bed_days_record(
    *, ward: Ward, month: dt.date, bed_days: int, by: User | None, source: str = BedDaysSource.MANUAL
) -> MonthlyBedDays:
    """Record (or correct) a ward's occupied bed days for a month, entered by hand or imported."""
    check_monthly_bed_days(ward, month, bed_days)
    record, created = MonthlyBedDays.objects.update_or_create(
        ward=ward,
        month=month,
        defaults={"bed_days": bed_days, "source": source, "recorded_by": by, "recorded_at": timezone.now()},
    )
    mark_changed([(ward.pk, month)])
    audit_record(
        actor=by,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        record=record,
        record_label=f"{ward.code} {month:%Y-%m}: {bed_days}",
        provider_id=ward.provider_id,
        detail={"bed_days": bed_days, "source": source},
    )
    return record


def parse_month(value: str) -> dt.date:
    """Parse YYYY-MM (or YYYY-MM-01) to the first day of the month."""
    text = value.strip()
    if len(text) == 7:
        text += "-01"
    day = dt.date.fromisoformat(text)
    if day.day != 1:
        raise ValueError("not the first day of a month")
    return day


@transaction.atomic
def bed_days_import(*, source: Path | str | IO[str], by: User | None) -> dict[str, int]:
    """Import monthly occupied bed days from a CSV (columns ward_code, month, occupied_bed_days).

    All or nothing: any bad row rejects the file with every error listed. Re-importing the same file
    changes nothing (a row equal to what is stored is skipped).
    """
    wards = {w.code: w for w in Ward.objects.all()}
    errors: list[CellError] = []
    good: list[tuple[Ward, dt.date, int]] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for number, row in read_csv_rows(source, required_columns=BED_DAYS_COLUMNS):
        code, month_text, value_text = row["ward_code"], row["month"], row["occupied_bed_days"]
        ward = wards.get(code)
        if ward is None:
            errors.append(CellError(number, "ward_code", code, "no ward has this code"))
        try:
            month = parse_month(month_text)
        except ValueError:
            errors.append(
                CellError(number, "month", month_text, "enter the month as YYYY-MM, for example 2025-04")
            )
            month = None
        try:
            bed_days = BED_DAYS_RULE.parse(value_text)
        except FieldProblem:
            errors.append(
                CellError(
                    number,
                    "occupied_bed_days",
                    value_text[:100],
                    "enter a whole number of bed days, with the digits 0 to 9 only",
                )
            )
            bed_days = None
        if ward is None or month is None or bed_days is None:
            continue
        if (code, month) in seen:
            errors.append(
                CellError(
                    number,
                    "month",
                    month_text,
                    f"this ward and month already appear in row {seen[(code, month)]}",
                )
            )
            continue
        seen[(code, month)] = number
        try:
            check_monthly_bed_days(ward, month, bed_days)
        except BedDaysInvalid as problem:
            column = problem.field
            errors.append(CellError(number, column, row.get(column, ""), str(problem)))
            continue
        good.append((ward, month, bed_days))
    if errors:
        raise ImportRejected(errors)
    existing = {
        (ward_id, month): bed_days
        for ward_id, month, bed_days in MonthlyBedDays.objects.filter(
            ward__in=[w for w, _, _ in good]
        ).values_list("ward_id", "month", "bed_days")
    }
    created = changed = unchanged = 0
    for ward, month, bed_days in good:
        before = existing.get((ward.pk, month))
        if before == bed_days:
            unchanged += 1
            continue
        monthly_bed_days_record(ward=ward, month=month, bed_days=bed_days, by=by, source=BedDaysSource.IMPORT)
        if before is None:
            created += 1
        else:
            changed += 1
    return {"created": created, "changed": changed, "unchanged": unchanged}
