"""Demo step: the staff of each ward (nurses, healthcare assistants, doctors and others)."""

from __future__ import annotations

import numpy as np

from rrp.demo import reference as ref
from rrp.demo.registry import DemoContext, demo_step
from rrp.people.models import StaffMember


@demo_step("staff", after=("organisations",), models=(StaffMember.wards.through, StaffMember))
def staff(ctx: DemoContext) -> None:
    """A ward team sized to its beds, with job titles; some staff also work on a second ward."""
    rng = ctx.rng_for("staff")
    wards = ctx.frame("ward")
    n_wards = len(wards["id"])
    titles, groups, home = [], [], []
    mix = list(ref.WARD_STAFF_MIX)
    for k in range(n_wards):
        team = mix + (
            [(*ref.FORENSIC_STAFF, 1.0, 1.0)] if wards["specialism"][k].startswith("forensic") else []
        )
        for title, group, per_ten_beds, chance in team:
            if rng.random() >= chance:
                continue
            count = max(1, round(per_ten_beds * wards["beds"][k] / 10)) if per_ten_beds else 1
            titles += [title] * count
            groups += [group] * count
            home += [k] * count
    n = len(titles)
    home_index = np.array(home, dtype=np.int64)
    group = np.array(groups)
    female = rng.random(n) < np.where(np.isin(group, ["nursing", "support"]), 0.75, 0.5)
    given = np.where(
        female,
        np.array(ref.GIVEN_NAMES_FEMALE)[rng.integers(len(ref.GIVEN_NAMES_FEMALE), size=n)],
        np.array(ref.GIVEN_NAMES_MALE)[rng.integers(len(ref.GIVEN_NAMES_MALE), size=n)],
    )
    family = np.array(ref.FAMILY_NAMES)[rng.integers(len(ref.FAMILY_NAMES), size=n)]
    ids = np.arange(1, n + 1)
    provider_id = wards["provider_id"][home_index]
    ctx.writer.insert(
        StaffMember,
        {
            "id": ids,
            "provider_id": provider_id,
            "given_name": given,
            "family_name": family,
            "job_title": titles,
            "staff_group": group,
            # As a learning management system knows them, so training completions can be imported.
            "employee_number": [f"E{i:06d}" for i in ids],
        },
    )
    # Everyone works on their home ward; about one in ten also covers the provider's next ward.
    per_provider = ctx.options.wards_per_provider
    second = (rng.random(n) < 0.1) & (per_provider > 1)
    position = home_index % per_provider
    other = home_index - position + (position + 1) % per_provider
    link_staff = np.concatenate([ids, ids[second]])
    link_ward = np.concatenate([wards["id"][home_index], wards["id"][other[second]]])
    ctx.writer.insert(StaffMember.wards.through, {"staffmember_id": link_staff, "ward_id": link_ward})
    ctx.publish(
        "staff",
        {
            "id": ids,
            "provider_id": provider_id,
            "ward_id": wards["id"][home_index],
            "job_title": np.array(titles),
        },
    )
