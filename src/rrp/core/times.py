"""Times as the wards keep them: UK local midnights and months, and times to the minute.

Records are stored in UTC; every count by day, week or month is by the UK calendar (a restraint at 00:30
on 1 June in summer is June's, though it is still 31 May in UTC). One place for these conversions, so
that the services, the measures and the reports cannot drift apart.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def to_the_minute(value: dt.datetime | None) -> dt.datetime | None:
    """The time without seconds: records are kept to the minute, as staff enter them."""
    return value.replace(second=0, microsecond=0) if value is not None else None


def local_midnight(day: dt.date) -> dt.datetime:
    """The (aware) start of this UK day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def local_month(moment: dt.datetime | dt.date) -> dt.date:
    """The first day of the UK month holding this moment (an aware time is converted first) or day."""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment.replace(day=1)
