"""Values of measures whose numbers come from outside RRP's records (decision 0043): entered on a ward's
page, sent through the API or imported from an incident system's export, one append-only version per
correction.

Every route goes through ``record_values``, so a value is checked the same way wherever it comes from:
the measure must be an entered or imported one, the month (or, for a weekly measure, the ISO week from its
Monday; decision 0079) one that has ended, the numerator
a number of 0 or more, and the denominator given exactly when the measure has its own (blank where it is
over occupied bed days or is a plain count). The import (``measure_values_import``) is all or nothing and
idempotent: a row equal to the value held writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.csv_import import CellError, ImportRejected, read_csv_rows
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.measures.catalogue import Denominator, MeasureDefinition, all_measures
from rrp.measures.governance import refresh_catalogue
from rrp.measures.models import MeasureValue, ValuePeriod, ValueRoute
from rrp.organisations.models import Ward

#: The columns of ``rrp import measure-values`` and of the API's CSV, exactly (issue 20).
IMPORT_COLUMNS = ["ward_code", "measure", "period_start", "numerator", "denominator"]
#: The largest number a value may hold (the column's 12 digits, 2 after the point).
LARGEST = Decimal("9999999999.99")


def value_measures() -> dict[str, MeasureDefinition]:
    """The catalogue's measures whose values are entered or imported, by slug."""
    return {slug: d for slug, d in all_measures().items() if d.from_values}


def has_own_denominator(definition: MeasureDefinition) -> bool:
    """Whether each value carries its denominator (rather than RRP's bed days, or none)."""
    return definition.denominator is Denominator.ENTERED


@dataclass(frozen=True)
class ValueInput:
    """One value to record, already parsed: a ward, a measure, a month and the numbers."""

    ward: Ward
    definition: MeasureDefinition
    period_start: dt.date
    numerator: Decimal
    denominator: Decimal | None
    reason: str = ""
    base_version: int | None = None  # the version the person started from (a page or API correction)


def period_of(definition: MeasureDefinition) -> ValuePeriod:
    """The period a value of this measure counts: a month, or an ISO week for a weekly measure."""
    return ValuePeriod.WEEK if definition.weekly else ValuePeriod.MONTH


def period_text(start: dt.date, period: ValuePeriod | str) -> str:
    """How a page names a value's period: 'March 2026', or 'the week of 2 March 2026'."""
    if period == ValuePeriod.WEEK:
        return f"the week of {start.day} {start:%B %Y}"
    return f"{start:%B %Y}"


class ValueConflict(Exception):
    """Someone saved a newer version of this value since the person started (decision 0018); ``current``
    is the value held now (None if the version the person started from names none)."""

    def __init__(self, current: MeasureValue | None) -> None:
        self.current = current
        if current is None:
            text = "the value you started from is not saved: open the page again"
        else:
            name = all_measures()[current.measure_slug].name if current.measure_slug in all_measures() else ""
            text = (
                f"someone else saved {name or current.measure_slug} for {period_text(current.period_start, current.period)} since you "
                f"started (version {current.version}: {current.numerator_text}); check it, and save "
                "again if yours is right"
            )
        super().__init__(text)


# --- checking single fields (shared by the page, the API and the import) ------------------------------


def parse_number(text: str) -> tuple[Decimal | None, str | None]:
    """A value's number from its text: (number, None) or (None, the reason it is refused)."""
    text = text.strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "enter a number, for example 12 or 3.5"
    if not number.is_finite():
        return None, "enter a number, for example 12 or 3.5"
    if number < 0:
        return None, "enter 0 or more: a count cannot be negative"
    if number > LARGEST or number != number.quantize(Decimal("0.01")):
        return None, "enter a number under 10,000,000,000 with at most 2 decimal places"
    return number, None


def parse_month(text: str, *, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The first day of a month from YYYY-MM-DD (the 1st) or YYYY-MM; refused if the month has not
    ended (a part month would read as an improvement, and the future has no value yet)."""
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text if len(text) != 7 else f"{text}-01")
    except ValueError:
        return None, "enter the first day of the month as YYYY-MM-DD, for example 2026-03-01"
    if day.day != 1:
        return None, "enter the first day of the month, for example 2026-03-01"
    if day > today:
        return None, "the month is in the future"
    if day > today.replace(day=1) or day == today.replace(day=1):
        return None, "the month has not ended yet: enter it from the 1st of next month"
    return day, None


def parse_week(text: str, *, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The Monday an ISO week starts, from YYYY-MM-DD (a Monday) or YYYY-Www; refused if the week has
    not ended (a part week would read as an improvement, and the future has no value yet)."""
    text = text.strip()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None, "enter the Monday the week starts as YYYY-MM-DD, for example 2026-03-02"
    if day.isoweekday() != 1:
        monday = day - dt.timedelta(days=day.weekday())
        return None, (
            f"enter the Monday the week starts: {day.isoformat()} is a {day:%A} "
            f"(its week starts on {monday.isoformat()})"
        )
    if day > today:
        return None, "the week is in the future"
    if day + dt.timedelta(days=7) > today:
        return None, f"the week has not ended yet: enter it from Monday {day + dt.timedelta(days=7):%d %B %Y}"
    return day, None


def parse_period(
    text: str, definition: MeasureDefinition | None, *, today: dt.date
) -> tuple[dt.date | None, str | None]:
    """The start of the period a value counts: a week's Monday for a weekly measure, else a month's
    first day (an unknown measure is read as monthly, so its other cells are still checked)."""
    if definition is not None and definition.weekly:
        return parse_week(text, today=today)
    return parse_month(text, today=today)


def denominator_problem(definition: MeasureDefinition, denominator: Decimal | None) -> str | None:
    """Why this denominator does not suit the measure, or None."""
    if has_own_denominator(definition):
        if denominator is None:
            return "enter the denominator: this measure's values carry their own"
        if denominator == 0:
            return "enter a denominator above 0"
        return None
    if denominator is None:
        return None
    if definition.denominator is Denominator.OCCUPIED_BED_DAYS:
        return "leave it blank: this measure is over the ward's occupied bed days, which RRP holds"
    return "leave it blank: this measure is a count, with no denominator"


# --- reads ----------------------------------------------------------------------------------------------


def current_values(
    slug: str,
    *,
    ward_ids: Sequence[int],
    first_month: dt.date,
    last_month: dt.date,
    period: ValuePeriod = ValuePeriod.MONTH,
) -> dict[tuple[int, dt.date], MeasureValue]:
    """The current (highest) version of each ward's value of one measure per month (or per week, with
    ``period`` week: ``first_month`` and ``last_month`` then bound the Mondays): one query."""
    rows = MeasureValue.objects.filter(
        measure_slug=slug,
        period=period,
        ward_id__in=list(ward_ids),
        period_start__gte=first_month,
        period_start__lte=last_month,
    ).order_by("ward_id", "period_start", "version")
    return {(row.ward_id, row.period_start): row for row in rows}


@dataclass(frozen=True)
class HeldFigures:
    """The numbers of one value's current version (what a series needs, not who recorded it)."""

    numerator: Decimal
    denominator: Decimal | None


def current_figures_many(
    slugs: Sequence[str], *, ward_ids: Sequence[int], first_month: dt.date, last_month: dt.date
) -> dict[str, dict[tuple[int, dt.date], HeldFigures]]:
    """The current (highest) version's numbers of each ward's monthly value (not weekly ones: decision
    0079), for several measures at once, by slug (every slug asked for is a key, empty where nothing is held): ONE query, reading only
    the columns a series needs, so a board's six value measures cost one read, not six."""
    out: dict[str, dict[tuple[int, dt.date], HeldFigures]] = {slug: {} for slug in slugs}
    if not slugs or not ward_ids:
        return out
    rows = (
        MeasureValue.objects.filter(
            measure_slug__in=list(out),
            period=ValuePeriod.MONTH,
            ward_id__in=list(ward_ids),
            period_start__gte=first_month,
            period_start__lte=last_month,
        )
        .order_by("measure_slug", "ward_id", "period_start", "version")
        .values_list("measure_slug", "ward_id", "period_start", "numerator", "denominator")
    )
    for slug, ward_id, month, numerator, denominator in rows:
        out[slug][(ward_id, month)] = HeldFigures(numerator, denominator)  # the highest version comes last
    return out


def value_history(
    *, ward: Ward, slug: str, period_start: dt.date, period: ValuePeriod = ValuePeriod.MONTH
) -> list[MeasureValue]:
    """Every version of one value, newest first, with who recorded it."""
    return list(
        MeasureValue.objects.filter(ward=ward, measure_slug=slug, period=period, period_start=period_start)
        .select_related("recorded_by")
        .order_by("-version")
    )


# --- writes ---------------------------------------------------------------------------------------------


def _latest(items: Iterable[ValueInput]) -> dict[tuple[int, str, str, dt.date], MeasureValue]:
    keys = list(items)
    if not keys:
        return {}
    rows = (
        MeasureValue.objects.select_for_update()
        .filter(
            ward_id__in={i.ward.pk for i in keys},
            measure_slug__in={i.definition.slug for i in keys},
            period_start__in={i.period_start for i in keys},
        )
        .order_by("version")
    )
    return {(r.ward_id, r.measure_slug, r.period, r.period_start): r for r in rows}


@transaction.atomic
def record_values(
    items: Sequence[ValueInput], *, by: User | None, route: ValueRoute, label: str
) -> dict[str, int]:
    """Write each value that differs from the one held as its next version; return the counts
    (created: first values, corrected: new versions, unchanged: equal to the value held).

    A correction needs a reason (``ValueInput.reason``, or for an import one naming the file). With a
    ``base_version`` (a page or the API), a value someone else has changed since raises ValueConflict and
    nothing is saved. One audit event records the counts (no patient is named in a value)."""
    held = _latest(items)
    now = timezone.now()
    created = corrected = unchanged = 0
    rows: list[MeasureValue] = []
    for item in items:
        period = period_of(item.definition)
        key = (item.ward.pk, item.definition.slug, period.value, item.period_start)
        current = held.get(key)
        if item.base_version is not None and (current.version if current else 0) != item.base_version:
            raise ValueConflict(current)
        if current is not None and (current.numerator, current.denominator) == (
            item.numerator,
            item.denominator,
        ):
            unchanged += 1
            continue
        version = 1 if current is None else current.version + 1
        if version > 1 and not item.reason.strip():
            raise ValueError("a correction needs a reason")
        rows.append(
            MeasureValue(
                ward=item.ward,
                measure_slug=item.definition.slug,
                definition_version=item.definition.version,
                period=period,
                period_start=item.period_start,
                numerator=item.numerator,
                denominator=item.denominator,
                version=version,
                route=route,
                reason=item.reason.strip() if version > 1 else "",
                recorded_by=by,
                recorded_at=now,
            )
        )
        created += version == 1
        corrected += version > 1
    MeasureValue.objects.bulk_create(rows, batch_size=1000)
    counts = {"created": created, "corrected": corrected, "unchanged": unchanged}
    providers = {i.ward.provider_id for i in items}
    audit_record(
        actor=by,
        action=AuditAction.IMPORT if route is ValueRoute.IMPORTED else AuditAction.CREATE,
        record_type=MeasureValue._meta.label,
        record_label=label[:200],
        provider_id=providers.pop() if len(providers) == 1 else None,
        detail=counts,
    )
    return counts


def parse_value_rows(
    rows: Iterable[tuple[int, dict[str, str]]], *, wards: dict[str, Ward], today: dt.date, reason: str
) -> tuple[list[ValueInput], list[CellError]]:
    """Check rows of ``IMPORT_COLUMNS`` (row number, cells) against the wards the writer may write
    (by code) and the catalogue: the values and every problem by row and column."""
    measures = value_measures()
    good: list[ValueInput] = []
    errors: list[CellError] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    for number, row in rows:
        found = len(errors)
        code, slug = row.get("ward_code", ""), row.get("measure", "")
        ward = wards.get(code.casefold())
        if ward is None:
            errors.append(CellError(number, "ward_code", code, "no ward you may record for has this code"))
        definition = measures.get(slug)
        if definition is None:
            reason_text = (
                "this measure is counted from RRP's records, not entered"
                if slug in all_measures()
                else "no entered or imported measure has this key (see rrp measures list)"
            )
            errors.append(CellError(number, "measure", slug, reason_text))
        month, problem = parse_period(row.get("period_start", ""), definition, today=today)
        if problem:
            errors.append(CellError(number, "period_start", row.get("period_start", ""), problem))
        numerator, problem = parse_number(row.get("numerator", ""))
        if problem:
            errors.append(CellError(number, "numerator", row.get("numerator", ""), problem))
        denominator_text = row.get("denominator", "")
        denominator = None
        if denominator_text.strip():
            denominator, problem = parse_number(denominator_text)
            if problem:
                errors.append(CellError(number, "denominator", denominator_text, problem))
                continue
        if definition is not None and (problem := denominator_problem(definition, denominator)):
            errors.append(CellError(number, "denominator", denominator_text, problem))
        if len(errors) > found or ward is None or definition is None or month is None or numerator is None:
            continue
        key = (ward.code, definition.slug, month)
        if key in seen:
            errors.append(
                CellError(
                    number,
                    "(row)",
                    "",
                    f"the same ward, measure and {'week' if definition.weekly else 'month'} are in row {seen[key]}",
                )
            )
            continue
        seen[key] = number
        good.append(ValueInput(ward, definition, month, numerator, denominator, reason=reason))
    return good, errors


def measure_values_import(
    *, source: Path | str | IO[str], wards: Iterable[Ward], by: User | None, name: str | None = None
) -> dict[str, int]:
    """Import values from a CSV with exactly the columns ``IMPORT_COLUMNS`` (docs/measure-values.md).

    All or nothing: any bad cell rejects the file with every problem by row and column (ImportRejected).
    A row equal to the value held changes nothing, so the same file twice writes nothing the second
    time; a different value is a new version whose reason names the file. ``wards`` are those the
    importer may write (every ward from the command line; the API passes the token holder's)."""
    refresh_catalogue()  # a measure approved on the catalogue's pages may be imported at once
    name = name or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    by_code = {w.code.casefold(): w for w in wards}
    rows = read_csv_rows(source, required_columns=IMPORT_COLUMNS)
    good, errors = parse_value_rows(
        rows, wards=by_code, today=timezone.localdate(), reason=f"Corrected by the import of {name}"
    )
    if errors:
        raise ImportRejected(errors)
    counts = record_values(good, by=by, route=ValueRoute.IMPORTED, label=f"Measure values from {name}")
    return {"rows": len(good), **counts}
