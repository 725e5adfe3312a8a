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
from rrp.force.models import Debrief
from rrp.people.models import RightsInformation, SupportPlanReviewRequest, SupportPlanVersion, VoiceCheck

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


# --- Debriefs after each use of force ---

PATIENT_OFFERED_SHARE = 0.85  # offered within 72 hours
PATIENT_HELD_SHARE = 0.75  # of those offered, held (the rest declined or not yet)
STAFF_DEBRIEF_SHARE = 0.7
PLAN_CHANGE_SHARE = 0.3
ACCOUNTS = (
    "I was frightened. Too many people came at once and nobody said what was happening.",
    "I was angry about my leave being stopped. I did not want to hurt anyone.",
    "I could not breathe properly when I was held. I want that to never happen again.",
    "The nurse I trust was not on shift. I needed someone to listen.",
    "I do not remember much. I felt ashamed afterwards.",
)
HELPED = (
    "Being asked if I wanted to go to the garden first.",
    "One person talking to me, not three.",
    "My headphones and some space.",
    "Being told why the decision was made.",
)
PLAN_CHANGES = (
    "Offer the garden before anything else.",
    "Only one person talks to me when I am upset.",
    "Ask me about oral medication before an injection.",
    "Tell my mum the same day.",
)
NOT_HELD = (
    "Declined; offered again the next day",
    "Too unwell to take part; offered again when settled",
    "Transferred to another ward before it could be held",
)


def debriefs_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only([Debrief, SupportPlanReviewRequest])


def _at_hours(ctx: DemoContext, day: np.ndarray, hours: np.ndarray) -> list[str]:
    moments = (ctx.day0 + day).astype("datetime64[s]") + (hours * 3600).astype("timedelta64[s]")
    return [f"{t}+00:00" for t in np.datetime_as_string(moments, unit="s").tolist()]


@demo_step("debriefs", after=("incidents", "support_plans", "logins"), wipe=debriefs_wipe)
def debriefs(ctx: DemoContext) -> None:
    """A patient debrief for most incidents (most within 72 hours, led by the patient, in their words;
    some declined), a staff debrief for most; what patients want changed asks for a plan review."""
    author = User.objects.filter(username="ward.staff").values_list("pk", flat=True).first()
    incidents = ctx.frames.get("incident")
    if author is None or incidents is None or not len(incidents["id"]):
        return
    rng = ctx.rng_for("debriefs")
    n = len(incidents["id"])
    day = incidents["occurred_day"]
    # Offered the next day or the one after (within 72 hours of any start that day); a few later.
    offered_hours = np.where(
        rng.random(n) < PATIENT_OFFERED_SHARE,
        24 + rng.integers(9, 42, size=n),
        24 * 4 + rng.integers(9, 17, size=n),
    )
    held = rng.random(n) < PATIENT_HELD_SHARE
    held_hours = offered_hours + np.where(held, rng.integers(1, 6, size=n), 0)
    # Nothing is recorded for incidents whose debrief would fall after the end of the period.
    keep = day + (held_hours // 24) + 1 < ctx.n_days
    ids, day, offered_hours, held, held_hours = (
        incidents["id"][keep],
        day[keep],
        offered_hours[keep],
        held[keep],
        held_hours[keep],
    )
    m = len(ids)
    if not m:
        return
    wants = held & (rng.random(m) < PLAN_CHANGE_SHARE)

    def pick(options: tuple[str, ...], mask: np.ndarray) -> list[str]:
        chosen = np.array(options, dtype=object)[rng.integers(len(options), size=m)]
        return np.where(mask, chosen, "").tolist()

    recorded = _at_hours(ctx, day, held_hours + 1)
    patient_rows = {
        "incident_id": ids,
        "kind": ["patient"] * m,
        "recorded_at": recorded,
        "recorded_by_id": np.full(m, author),
        "change_reason": [""] * m,
        "offered_at": _at_hours(ctx, day, offered_hours),
        "held_at": [
            t if h else None for t, h in zip(_at_hours(ctx, day, held_hours), held.tolist(), strict=True)
        ],
        "held_by": np.where(held, "Named nurse, with the patient's advocate", "").tolist(),
        "not_held_reason": pick(NOT_HELD, ~held),
        "account": pick(ACCOUNTS, held),
        "what_would_have_helped": pick(HELPED, held),
        "plan_changes": pick(PLAN_CHANGES, wants),
    }
    staff = rng.random(m) < STAFF_DEBRIEF_SHARE
    s = int(staff.sum())
    staff_rows = {
        "incident_id": ids[staff],
        "kind": ["staff"] * s,
        "recorded_at": _at_hours(ctx, day[staff], np.full(s, 20)),
        "recorded_by_id": np.full(s, author),
        "change_reason": [""] * s,
        "held_at": _at_hours(ctx, day[staff], np.full(s, 18)),
        "held_by": ["Nurse in charge"] * s,
        "not_held_reason": [""] * s,
        "what_would_have_helped": [""] * s,
        "plan_changes": [""] * s,
        "account": ["Hot debrief after the incident: what went well, what we would change."] * s,
        "staff_support_offered": [True] * s,
        "wellbeing_follow_up_on": ctx.day0 + (day[staff] + 7),
    }
    for columns in (patient_rows, staff_rows):
        if len(columns["incident_id"]):
            ctx.writer.insert(Debrief, columns)
    # What patients asked to change: a review request each, dated when the debrief was recorded.
    patient_of = dict(zip(incidents["id"].tolist(), incidents["patient_id"].tolist(), strict=True))
    wanted = np.flatnonzero(wants)
    if len(wanted):
        ctx.writer.insert(
            SupportPlanReviewRequest,
            {
                "patient_id": [patient_of[int(ids[i])] for i in wanted],
                "requested_at": [recorded[i] for i in wanted],
                "requested_by_id": np.full(len(wanted), author),
                "source": ["Patient debrief after the use of force"] * len(wanted),
                "wanted_changes": [patient_rows["plan_changes"][i] for i in wanted],
            },
        )


# --- Information about the use of force (Use of Force Act s4) ---

RIGHTS_GIVEN_SHARE = 0.8  # given within a few days of admission
RIGHTS_DELAYED_SHARE = 0.1  # not possible at first (with the reason), given later
CHOSEN_PERSON_SHARE = 0.2
FORMATS = ("written", "easy_read", "verbal", "translated", "audio_video")
FORMAT_WEIGHTS = np.array([0.45, 0.25, 0.2, 0.07, 0.03])


def rights_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only([RightsInformation])


@demo_step("rights_information", after=("people", "logins"), wipe=rights_wipe)
def rights_information(ctx: DemoContext) -> None:
    """Information about the use of force for most admissions within days; some not possible at first
    (too unwell) and given later; some also given to a person the patient chose; some never recorded."""
    author = User.objects.filter(username="ward.staff").values_list("pk", flat=True).first()
    spells = ctx.frames.get("spell")
    if author is None or spells is None or not len(spells["id"]):
        return
    rng = ctx.rng_for("rights_information")
    start = np.maximum(spells["start_day"], 0)
    n = len(start)
    draw = rng.random(n)
    given = draw < RIGHTS_GIVEN_SHARE
    delayed = (draw >= RIGHTS_GIVEN_SHARE) & (draw < RIGHTS_GIVEN_SHARE + RIGHTS_DELAYED_SHARE)
    rows: dict[str, list] = {
        k: []
        for k in ("spell", "day", "hour", "occasion", "recipient", "outcome", "format", "reason", "chosen")
    }

    def add(mask: np.ndarray, day: np.ndarray, **values: object) -> None:
        index = np.flatnonzero(mask & (day < ctx.n_days - 1))
        rows["spell"] += index.tolist()
        rows["day"] += day[index].tolist()
        rows["hour"] += rng.integers(9, 18, size=len(index)).tolist()
        for key in ("occasion", "recipient", "outcome", "reason", "chosen"):
            rows[key] += [values.get(key, "")] * len(index)
        if values.get("outcome") == "given":
            rows["format"] += rng.choice(FORMATS, size=len(index), p=FORMAT_WEIGHTS).tolist()
        else:
            rows["format"] += [""] * len(index)

    add(given, start + rng.integers(1, 4, size=n), occasion="admission", recipient="patient", outcome="given")
    add(
        delayed,
        start + 1,
        occasion="admission",
        recipient="patient",
        outcome="not_possible",
        reason="Too unwell to take it in; to be offered again when settled",
    )
    add(
        delayed,
        start + rng.integers(5, 11, size=n),
        occasion="repeated",
        recipient="patient",
        outcome="given",
    )
    add(
        given & (rng.random(n) < CHOSEN_PERSON_SHARE),
        start + rng.integers(2, 6, size=n),
        occasion="admission",
        recipient="chosen_person",
        outcome="given",
        chosen="Their nearest relative",
    )
    m = len(rows["spell"])
    if not m:
        return
    index = np.array(rows["spell"], dtype=np.int64)
    day, hour = np.array(rows["day"], dtype=np.int64), np.array(rows["hour"], dtype=np.int64)
    moments = _at_hours(ctx, day, hour)
    ctx.writer.insert(
        RightsInformation,
        {
            "patient_id": spells["patient_id"][index],
            "spell_id": spells["id"][index],
            "recorded_at": moments,
            "recorded_by_id": np.full(m, author),
            "occasion": rows["occasion"],
            "recipient": rows["recipient"],
            "chosen_person": rows["chosen"],
            "outcome": rows["outcome"],
            "format": rows["format"],
            "given_at": moments,
            "reason": rows["reason"],
        },
    )


# --- The weekly check: patients' own view of safety and respect ---

CHECKS_PER_WARD_WEEK = (3, 9)  # answers per ward per week
COMMENTS = (
    "Nights are loud and I do not sleep.",
    "Staff listened to me this week.",
    "I did not feel safe when someone was shouting in the lounge.",
    "The new activity room helps.",
    "I would like more time outside.",
    "One nurse really helped me when I was upset.",
)


def voice_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only([VoiceCheck])


@demo_step("voice_checks", after=("organisations", "incidents", "logins"), wipe=voice_wipe)
def voice_checks(ctx: DemoContext) -> None:
    """Weekly checks on every open ward for the last year: a few answers a week, feeling safe a little less
    often on wards (and in weeks) with more force used, and a comment now and then."""
    author = User.objects.filter(username="ward.staff").values_list("pk", flat=True).first()
    wards = ctx.frame("ward")
    if author is None or not len(wards["id"]):
        return
    rng = ctx.rng_for("voice_checks")
    first_week = max(0, ctx.n_days - 364)
    weeks = np.arange(first_week, ctx.n_days - 6, 7)
    opened, closed = np.maximum(wards["opened"], 0), wards["closed"]
    last = np.where(closed >= 0, closed, ctx.n_days)
    rows_ward, rows_day = [], []
    for i, ward_id in enumerate(wards["id"].tolist()):
        open_weeks = weeks[(weeks >= opened[i]) & (weeks + 6 < last[i])]
        counts = rng.integers(*CHECKS_PER_WARD_WEEK, size=len(open_weeks))
        rows_ward += [ward_id] * int(counts.sum())
        rows_day += (np.repeat(open_weeks, counts) + rng.integers(0, 7, size=int(counts.sum()))).tolist()
    n = len(rows_ward)
    if not n:
        return
    ward_safe = dict(
        zip(wards["id"].tolist(), rng.uniform(0.35, 0.7, size=len(wards["id"])).tolist(), strict=True)
    )
    p_safe = np.array([ward_safe[w] for w in rows_ward])
    draw = rng.random(n)
    felt_safe = np.where(draw < p_safe, "always", np.where(draw < p_safe + 0.35, "sometimes", "no"))
    draw = rng.random(n)
    respected = np.where(draw < p_safe + 0.15, "always", np.where(draw < p_safe + 0.45, "sometimes", "no"))
    commented = rng.random(n) < 0.25
    day = np.array(rows_day, dtype=np.int64)
    ctx.writer.insert(
        VoiceCheck,
        {
            "ward_id": rows_ward,
            "answered_at": _at_hours(ctx, day, rng.integers(10, 20, size=n)),
            "entered_by_id": np.full(n, author),
            "felt_safe": felt_safe.tolist(),
            "respected": respected.tolist(),
            "comment": np.where(
                commented, np.array(COMMENTS, dtype=object)[rng.integers(len(COMMENTS), size=n)], ""
            ).tolist(),
            "with_support": (rng.random(n) < 0.3).tolist(),
            "easy_read": (rng.random(n) < 0.2).tolist(),
        },
    )
