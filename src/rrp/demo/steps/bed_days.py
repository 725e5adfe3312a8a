"""Demo step: daily occupied bed days for every ward-day, derived from the ward stays."""

from __future__ import annotations

import numpy as np

from rrp.demo.registry import DemoContext, demo_step
from rrp.organisations.models import MonthlyBedDays, OccupiedBedDays
from rrp.people.services import daily_census


@demo_step("bed_days", after=("people",), models=(MonthlyBedDays, OccupiedBedDays))
def bed_days(ctx: DemoContext) -> None:
    """One OccupiedBedDays row per ward per day the ward is open, from `daily_census` over its stays.

    This is the same derivation the service uses for real ward stays (patients on the ward at
    midnight), done once per ward over numpy arrays instead of querying each ward's stays.
    """
    wards, stays = ctx.frame("ward"), ctx.frame("ward_stay")
    n_days, day0 = ctx.n_days, ctx.day0
    order = np.argsort(stays["ward_id"], kind="stable")
    ward_of_stay = stays["ward_id"][order]
    starts = day0 + stays["start_day"][order]
    ends = np.where(stays["open"][order], np.datetime64("NaT", "D"), day0 + stays["end_day"][order]).astype(
        "datetime64[D]"
    )
    bounds = np.searchsorted(ward_of_stay, np.concatenate([wards["id"], [wards["id"][-1] + 1]]))
    census = np.empty((len(wards["id"]), n_days), dtype=np.int64)
    for k in range(len(wards["id"])):
        part = slice(bounds[k], bounds[k + 1])
        census[k] = daily_census(starts[part], ends[part], first_day=ctx.first_day, last_day=ctx.last_day)

    days = np.arange(n_days)
    closed = np.where(wards["closed"] >= 0, wards["closed"], n_days)
    is_open = (days[None, :] >= wards["opened"][:, None]) & (days[None, :] <= closed[:, None])
    ward_index, day = np.nonzero(is_open)
    frame = {"ward_id": wards["id"][ward_index], "day": day, "bed_days": census[ward_index, day]}
    ctx.writer.insert(
        OccupiedBedDays,
        {
            "id": np.arange(1, len(day) + 1),
            "ward_id": frame["ward_id"],
            "date": day0 + day,
            "bed_days": frame["bed_days"],
        },
    )
    ctx.publish("occupied_bed_days", frame)
    open_beds = wards["beds"][ward_index].sum()
    ctx.extras["occupancy"] = float(frame["bed_days"].sum() / open_beds) if open_beds else 0.0
