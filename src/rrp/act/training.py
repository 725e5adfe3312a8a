"""Staff training in the Act's topics (s5): who holds which course in date, each ward's compliance, the
import from a learning management system, and the warning on an incident.

A course's refresher falls due `refresher_months` after a completion; a member of staff is **trained**
on a day when they hold an in-date completion (completed on or before the day, refresher not yet due)
of every one of the provider's required courses. A ward's compliance is the share of the staff on its
roster (``StaffMember.wards``) who are trained today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.act.models import TrainingCompletion, TrainingCourse
from rrp.core.csv_import import CellError, ImportRejected, read_csv_rows
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.organisations.models import Provider, Ward
from rrp.people.models import StaffMember

#: A refresher due within this many days shows as "due soon".
DUE_SOON_DAYS = 30
IMPORT_COLUMNS = ["employee_number", "course_code", "completed_on"]
#: Columns an LMS export often carries that the import accepts and ignores (for people reading the file).
IGNORED_COLUMNS = ["staff_name", "course_title"]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day: 31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def refresher_due(completion_on: dt.date, course: TrainingCourse) -> dt.date:
    return add_months(completion_on, course.refresher_months)


@dataclass(frozen=True)
class CourseStatus:
    """One member of staff's standing on one course on a day."""

    course: TrainingCourse
    completed_on: dt.date | None
    due_on: dt.date | None
    state: str  # "current", "due_soon", "expired" or "never"

    @property
    def in_date(self) -> bool:
        return self.state in ("current", "due_soon")


def course_status(course: TrainingCourse, completions: Iterable[dt.date], day: dt.date) -> CourseStatus:
    """The standing on `day` from the latest completion on or before it."""
    done = max((c for c in completions if c <= day), default=None)
    if done is None:
        return CourseStatus(course, None, None, "never")
    due = refresher_due(done, course)
    if due <= day:
        state = "expired"
    elif (due - day).days <= DUE_SOON_DAYS:
        state = "due_soon"
    else:
        state = "current"
    return CourseStatus(course, done, due, state)


@dataclass(frozen=True)
class StaffTraining:
    staff: StaffMember
    courses: list[CourseStatus]

    @property
    def trained(self) -> bool:
        required = [c for c in self.courses if c.course.required]
        return bool(required) and all(c.in_date for c in required)


def _completions(staff_ids: Iterable[int]) -> dict[tuple[int, int], list[dt.date]]:
    found: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for staff_id, course_id, day in TrainingCompletion.objects.filter(
        staff_member_id__in=list(staff_ids)
    ).values_list("staff_member_id", "course_id", "completed_on"):
        found[(staff_id, course_id)].append(day)
    return found


def staff_training(
    staff: list[StaffMember], courses: list[TrainingCourse], day: dt.date
) -> list[StaffTraining]:
    """Each member of staff's standing on every course on `day`, in two queries whatever the numbers."""
    found = _completions(s.pk for s in staff)
    return [
        StaffTraining(s, [course_status(c, found.get((s.pk, c.pk), ()), day) for c in courses]) for s in staff
    ]


def provider_training(
    provider: Provider, *, day: dt.date, wards: list[Ward] | None = None
) -> tuple[list[TrainingCourse], list[StaffTraining]]:
    """The provider's courses and its staff's standing on them on `day`: all its staff, or (with `wards`)
    those on the roster of any of these wards."""
    courses = list(TrainingCourse.objects.filter(provider=provider).order_by("-required", "title"))
    staff = (
        StaffMember.objects.filter(provider=provider)
        .prefetch_related("wards")
        .order_by("family_name", "given_name")
    )
    if wards is not None:
        staff = staff.filter(wards__in=wards).distinct()
    return courses, staff_training(list(staff), courses, day)


@dataclass(frozen=True)
class WardCompliance:
    ward: Ward
    trained: int
    roster: int

    @property
    def percent(self) -> float | None:
        return 100 * self.trained / self.roster if self.roster else None


def ward_compliance(wards: Iterable[Ward], *, day: dt.date) -> list[WardCompliance]:
    """Each ward's trained staff out of its roster on `day` (wards of several providers at once)."""
    wards = list(wards)
    roster: dict[int, list[StaffMember]] = defaultdict(list)
    for member in StaffMember.objects.filter(wards__in=wards).prefetch_related("wards").distinct():
        for ward in member.wards.all():
            roster[ward.pk].append(member)
    courses_of: dict[int, list[TrainingCourse]] = defaultdict(list)
    for course in TrainingCourse.objects.filter(
        provider_id__in={w.provider_id for w in wards}, required=True
    ):
        courses_of[course.provider_id].append(course)
    found = _completions({m.pk for members in roster.values() for m in members})
    result = []
    for ward in wards:
        courses = courses_of[ward.provider_id]
        trained = sum(
            1
            for m in roster[ward.pk]
            if courses and all(course_status(c, found.get((m.pk, c.pk), ()), day).in_date for c in courses)
        )
        result.append(WardCompliance(ward, trained, len(roster[ward.pk])))
    return result


def untrained_on(
    staff_ids: Iterable[int], *, provider_id: int, day: dt.date
) -> dict[int, list[CourseStatus]]:
    """For each of these staff not trained on `day`: the required courses they did not hold in date.
    Empty when the provider has set no required course (nothing to hold anyone to)."""
    courses = list(TrainingCourse.objects.filter(provider_id=provider_id, required=True).order_by("title"))
    if not courses:
        return {}
    ids = sorted(set(staff_ids))
    found = _completions(ids)
    missing = {}
    for staff_id in ids:
        lacking = [
            s for c in courses if not (s := course_status(c, found.get((staff_id, c.pk), ()), day)).in_date
        ]
        if lacking:
            missing[staff_id] = lacking
    return missing


def training_import(*, provider: Provider, source: Path | str | IO[str], by: User | None) -> dict[str, int]:
    """Import course completions from a learning management system's CSV (columns employee_number,
    course_code, completed_on as YYYY-MM-DD; staff_name and course_title are read past).

    All or nothing: an unknown employee number or course code, a date that is not a real past date, or a
    row repeated in the file rejects the file with every problem by row and column. A completion already
    held is skipped, so importing the same file again adds nothing."""
    staff = dict(
        StaffMember.objects.filter(provider=provider)
        .exclude(employee_number="")
        .values_list("employee_number", "pk")
    )
    courses = {c.code: c for c in TrainingCourse.objects.filter(provider=provider)}
    today = timezone.localdate()
    errors: list[CellError] = []
    good: list[tuple[int, TrainingCourse, dt.date]] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    rows = read_csv_rows(
        source, required_columns=IMPORT_COLUMNS, allowed_columns=IMPORT_COLUMNS + IGNORED_COLUMNS
    )
    for number, row in rows:
        employee, code, day_text = row["employee_number"], row["course_code"], row["completed_on"]
        staff_id = staff.get(employee)
        if staff_id is None:
            errors.append(
                CellError(
                    number,
                    "employee_number",
                    employee,
                    f"no member of {provider.name}'s staff has this employee number",
                )
            )
        course = courses.get(code)
        if course is None:
            errors.append(
                CellError(number, "course_code", code, f"{provider.name} has no course with this code")
            )
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            errors.append(
                CellError(
                    number, "completed_on", day_text, "enter the date as YYYY-MM-DD, for example 2026-03-14"
                )
            )
            day = None
        if day is not None and day > today:
            errors.append(CellError(number, "completed_on", day_text, "the date is in the future"))
            day = None
        if staff_id is None or course is None or day is None:
            continue
        if (employee, code, day) in seen:
            errors.append(
                CellError(number, "(row)", "", f"the same completion is in row {seen[(employee, code, day)]}")
            )
            continue
        seen[(employee, code, day)] = number
        good.append((staff_id, course, day))
    if errors:
        raise ImportRejected(errors)
    return _save_completions(provider=provider, good=good, by=by)


@transaction.atomic
def _save_completions(
    *, provider: Provider, good: list[tuple[int, TrainingCourse, dt.date]], by: User | None
) -> dict[str, int]:
    held = set(
        TrainingCompletion.objects.filter(staff_member_id__in={s for s, _, _ in good}).values_list(
            "staff_member_id", "course_id", "completed_on"
        )
    )
    now = timezone.now()
    new = [
        TrainingCompletion(staff_member_id=s, course=c, completed_on=d, recorded_at=now, recorded_by=by)
        for s, c, d in good
        if (s, c.pk, d) not in held
    ]
    TrainingCompletion.objects.bulk_create(new)
    audit_record(
        actor=by,
        action=AuditAction.IMPORT,
        record_type="act.TrainingCompletion",
        record_label=f"Training completions imported ({len(new)} new)",
        provider_id=provider.pk,
        detail={"import": "training", "rows": len(good), "created": len(new)},
    )
    return {"rows": len(good), "created": len(new), "unchanged": len(good) - len(new)}


def incident_training_notices(page: object) -> list[str]:
    """For the incident page (registered with force): each member of staff on the roster who used force
    and did not hold every required course in date on the day of the incident."""
    staff = [s for s in getattr(page, "staff", []) if s.staff_member_id is not None]
    version = getattr(page, "version", None)
    if not staff or version is None:
        return []
    moment = version.occurred_at or page.incident.created_at
    day = timezone.localdate(moment)
    missing = untrained_on([s.staff_member_id for s in staff], provider_id=page.incident.provider_id, day=day)
    notices = []
    for involvement in staff:
        lacking = missing.get(involvement.staff_member_id)
        if lacking:
            what = "; ".join(
                f"{c.course.title}: {'never completed' if c.state == 'never' else f'refresher was due {c.due_on:%-d %B %Y}'}"
                for c in lacking
            )
            notices.append(f"{involvement.name} had no current training on {day:%-d %B %Y} ({what}).")
    return notices
