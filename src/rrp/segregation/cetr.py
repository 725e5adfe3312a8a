"""When a Care (Education) and Treatment Review (C(E)TR) is due: pure rules, no database.

NHS England's C(E)TR policy (*Care and Treatment Reviews: policy and guidance*, March 2017, updated
October 2021; replaced by the *Care (Education) and Treatment Reviews policy and code*, 2023) asks a
C(E)TR for every person with a learning disability or autistic person in a specialist mental health or
learning disability hospital, not only those in segregation:

- **after admission**: a post-admission C(E)TR within 2 weeks of admission when none was held before it
  (a community C(E)TR; RRP records only inpatients, so the first one it can see is after admission);
- **while in hospital**, at least every **3 months** for a child or young person (a CETR, under 18),
  every **6 months** for an adult, and every **12 months** for an adult in a secure service.

Sources: NHS England, *Care and Treatment Reviews (CTRs): policy and guidance*, March 2017 (v2.0,
Publications Gateway 06658); Parliamentary briefing on the October 2021 policy update ("offered on time
every six months for an adult, or every three months for a child or young person. In secure services
for adults they should be offered every 12 months"); local offers describing the post-admission CETR
"within 2 weeks of admission". Check the intervals against the 2023 *policy and code* with the
provider's learning disability and autism lead before relying on them: they are written once, here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

#: Days after admission by which the post-admission C(E)TR is due.
POST_ADMISSION_DAYS = 14

#: The ward specialisms that are secure services (organisations.Specialism values).
SECURE_SPECIALISMS = frozenset({"forensic_low", "forensic_medium", "forensic_high"})

#: Who the person is for the policy, and how many months apart their inpatient C(E)TRs are.
CHILD, ADULT, ADULT_SECURE = "child", "adult", "adult_secure"
INTERVAL_MONTHS: dict[str, int] = {CHILD: 3, ADULT: 6, ADULT_SECURE: 12}
GROUP_LABELS: dict[str, str] = {
    CHILD: "Child or young person (CETR every 3 months)",
    ADULT: "Adult (CTR every 6 months)",
    ADULT_SECURE: "Adult in a secure service (CTR every 12 months)",
}

#: A C(E)TR due within this many days is listed as due soon.
DUE_SOON_DAYS = 28


def group_for(*, age: int, specialism: str) -> str:
    """Which interval applies: a child (under 18) whatever the ward, else an adult in or out of a secure
    service."""
    if age < 18:
        return CHILD
    return ADULT_SECURE if specialism in SECURE_SPECIALISMS else ADULT


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter (31 Aug + 6 = 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    """The next C(E)TR a person needs: by when, and whether it is the post-admission one."""

    due_on: dt.date
    post_admission: bool

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today

    def due_soon(self, today: dt.date) -> bool:
        return today <= self.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS)

    def label(self) -> str:
        return "Post-admission C(E)TR" if self.post_admission else "Inpatient C(E)TR"


def next_due(*, admitted_on: dt.date, last_held_on: dt.date | None, group: str) -> Due:
    """The next C(E)TR due in this admission: the post-admission one when none has been held since
    admission, else the interval of the person's group after the last one."""
    if last_held_on is None or last_held_on < admitted_on:
        return Due(admitted_on + dt.timedelta(days=POST_ADMISSION_DAYS), post_admission=True)
    return Due(add_months(last_held_on, INTERVAL_MONTHS[group]), post_admission=False)
