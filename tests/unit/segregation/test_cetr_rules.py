"""When a C(E)TR is due (`segregation.cetr`): the post-admission review, then the interval of the
person's group (NHS England's C(E)TR policy), months added as the calendar has them."""

from __future__ import annotations

import datetime as dt

import pytest

from rrp.segregation import cetr


@pytest.mark.parametrize(
    ("age", "specialism", "group"),
    [
        (15, "cyp", cetr.CHILD),
        (17, "forensic_medium", cetr.CHILD),  # a child is a child in any service
        (18, "ld_autism", cetr.ADULT),
        (40, "forensic_low", cetr.ADULT_SECURE),
        (40, "forensic_high", cetr.ADULT_SECURE),
        (40, "picu", cetr.ADULT),
    ],
)
def test_group_by_age_and_secure_service(age, specialism, group):
    assert cetr.group_for(age=age, specialism=specialism) == group


def test_post_admission_review_due_two_weeks_after_admission():
    due = cetr.next_due(admitted_on=dt.date(2026, 3, 1), last_held_on=None, group=cetr.ADULT)
    assert due == cetr.Due(dt.date(2026, 3, 15), post_admission=True)
    assert due.label() == "Post-admission C(E)TR"


def test_a_review_before_this_admission_does_not_count():
    due = cetr.next_due(admitted_on=dt.date(2026, 3, 1), last_held_on=dt.date(2025, 12, 1), group=cetr.ADULT)
    assert due.post_admission and due.due_on == dt.date(2026, 3, 15)


@pytest.mark.parametrize(
    ("group", "due_on"),
    [
        (cetr.CHILD, dt.date(2026, 6, 10)),
        (cetr.ADULT, dt.date(2026, 9, 10)),
        (cetr.ADULT_SECURE, dt.date(2027, 3, 10)),
    ],
)
def test_next_inpatient_review_by_group(group, due_on):
    due = cetr.next_due(admitted_on=dt.date(2026, 1, 1), last_held_on=dt.date(2026, 3, 10), group=group)
    assert due == cetr.Due(due_on, post_admission=False)


def test_months_end_on_the_last_day_of_a_shorter_month():
    assert cetr.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert cetr.add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_overdue_and_due_soon():
    due = cetr.Due(dt.date(2026, 5, 1), post_admission=False)
    assert due.overdue(dt.date(2026, 5, 2)) and not due.overdue(dt.date(2026, 5, 1))
    assert due.due_soon(dt.date(2026, 4, 10)) and not due.due_soon(dt.date(2026, 3, 1))
