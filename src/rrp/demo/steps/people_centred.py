"""Demo steps for people at the centre (issue 15): support plans, and (in later steps) debriefs, rights
information and the patients' weekly voice.

Support plans: every patient restrained twice or more gets a plan a few days after their second incident
(positive behaviour support plans for everyone restrained twice is a change the improvement step tests);
about half of those restrained again later have it reviewed, as a second version, after a later incident.
Review dates are 90 days on, so some plans are overdue at the end of the period, as on a real ward. The
words are drawn from short synthetic phrases. Written straight into the tables (``ctx.writer``) by the
ward.staff demo login, the only kind of user who can sign in.
"""

from __future__ import annotations

import numpy as np

from rrp.accounts.models import User
from rrp.demo.registry import DemoContext, demo_step
from rrp.people.models import SupportPlanVersion

REVIEW_AFTER_DAYS = 90
REVIEWED_SHARE = 0.5
PHRASES: dict[str, tuple[str, ...]] = {
    "what_matters": (
        "Music, my guitar and phoning my mum every evening",
        "Being listened to; time outside every day; my faith",
        "Seeing my children on Saturdays; keeping my room tidy",
        "Football on TV, cooking, and being called by my name",
    ),
    "triggers": (
        "Being told no without a reason; noise at night",
        "Leave being cancelled; being touched without warning",
        "Crowded lounge; being rushed at medication times",
    ),
    "early_signs": (
        "Pacing the corridor, going quiet, refusing food",
        "Raising my voice, swearing, staying in my room",
        "Clenched fists, asking the same question again and again",
    ),
    "primary_strategies": (
        "Explain decisions and changes early; offer headphones; daily one-to-one time",
        "Agree a daily timetable with me; keep leave as planned; sensory box in my room",
    ),
    "secondary_strategies": (
        "Offer the garden or the quiet room with one member of staff I know",
        "Talk calmly, give me space, offer a drink and my music",
        "Offer PRN oral medication early, as agreed with me",
    ),
    "tertiary_strategies": (
        "Standing or seated hold only, for as short a time as possible; never face down",
        "Guide to the quiet room; one staff member talks, the others step back",
    ),
    "safety_plan": (
        "Female staff for any physical care; knock and wait before entering",
        "Avoid holding my wrists (past trauma); tell me what you are going to do",
    ),
    "views_on_restraint": (
        "Please do not hold me face down",
        "I would rather be guided to my room than held",
    ),
    "views_on_seclusion": ("I prefer the quiet room with the door open", "No view given"),
    "views_on_rapid_tranquillisation": (
        "Offer oral medication first; I agree to an injection in my arm if I cannot take it",
        "Please explain what the injection is before giving it",
    ),
    "who_to_tell": ("My mum, by phone", "My advocate and my sister", "My partner, by text"),
}


def support_plans_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only([SupportPlanVersion])


@demo_step("support_plans", after=("incidents", "logins"), wipe=support_plans_wipe)
def support_plans(ctx: DemoContext) -> None:
    """A plan for every patient restrained twice or more, reviewed for about half of those restrained again."""
    author = User.objects.filter(username="ward.staff").values_list("pk", flat=True).first()
    incidents = ctx.frames.get("incident")
    if author is None or incidents is None or not len(incidents["id"]):
        return
    rng = ctx.rng_for("support_plans")
    order = np.lexsort((incidents["occurred_day"], incidents["patient_id"]))
    patient, day = incidents["patient_id"][order], incidents["occurred_day"][order]
    # Each incident's place in its patient's sequence (0 = first).
    starts = np.r_[0, np.flatnonzero(patient[1:] != patient[:-1]) + 1]
    rank = np.arange(len(patient)) - np.repeat(starts, np.diff(np.r_[starts, len(patient)]))
    last_day = ctx.n_days - 1
    second = rank == 1
    p1, d1 = patient[second], np.minimum(day[second] + rng.integers(1, 6, size=second.sum()), last_day)
    # A review after the patient's last incident, when it came at least a week after the first plan.
    last = np.r_[starts[1:] - 1, len(patient) - 1]
    last_of = dict(zip(patient[last].tolist(), day[last].tolist(), strict=True))
    later = np.array([last_of[p] for p in p1.tolist()], dtype=np.int64)
    reviewed = (later > d1 + 7) & (rng.random(len(p1)) < REVIEWED_SHARE)
    d2 = np.minimum(later + rng.integers(1, 6, size=len(p1)), last_day)
    rows_patient = np.r_[p1, p1[reviewed]]
    rows_day = np.r_[d1, d2[reviewed]]
    rows_number = np.r_[np.ones(len(p1), dtype=np.int64), np.full(reviewed.sum(), 2)]
    n = len(rows_patient)
    if not n:
        return
    at = (ctx.day0 + rows_day).astype("datetime64[s]") + np.timedelta64(11 * 3600, "s")
    columns = {
        "patient_id": rows_patient,
        "number": rows_number,
        "recorded_at": [f"{t}+00:00" for t in np.datetime_as_string(at, unit="s").tolist()],
        "recorded_by_id": np.full(n, author),
        "change_reason": np.where(rows_number == 1, "", "Reviewed with the patient after a debrief").tolist(),
        "made_with_patient": (rng.random(n) < 0.8).tolist(),
        "review_due": ctx.day0 + (rows_day + REVIEW_AFTER_DAYS),
    }
    for name, phrases in PHRASES.items():
        columns[name] = np.array(phrases, dtype=object)[rng.integers(len(phrases), size=n)].tolist()
    ctx.writer.insert(SupportPlanVersion, columns)
