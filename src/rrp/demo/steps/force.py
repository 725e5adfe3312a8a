"""Demo step: use-of-force incidents at realistic rates, with interventions, staff, debriefs and reviews.

The model (documented in docs/demo-data.md, "Use of force"):

- Each ward has a rate per 1,000 occupied bed days drawn around its specialism's typical rate
  (`SPECIALISM_RATE`: near zero on older adult, eating disorder and mother and baby wards, above 100
  on many PICU and learning disability and autism wards).
- Within a ward, a day's expected count follows seasonality (a summer peak, fewer at weekends) and,
  on some wards that joined an improvement collaborative, a sustained fall starting after they joined.
- Within a ward, who is restrained follows a heavy-tailed propensity per patient (gamma, shape 0.3),
  times an ethnicity factor (Black patients 3.5 times White); each ward's expected total is then
  rescaled to its rate, so the propensities move incidents between patients but not between wards.
- Each incident takes an intervention pattern (prone then supine, standing then rapid
  tranquillisation, seclusion, ...) by specialism, with minute-exact durations, two to five ward
  staff with their parts, a reason, de-escalation, debriefs, care-plan notification, injuries,
  police, flags and CQC tasks, then a review path (draft -> submitted -> reviewed -> closed, a few
  sent back and amended) cut off at the end of the period, so recent incidents are still drafts or
  submitted. Some are recorded days late; some drafts are incomplete.

Everything is drawn with numpy from the step's own generator, so a seed gives the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from types import SimpleNamespace

import numpy as np

from rrp.accounts.models import User
from rrp.demo.registry import DemoContext, demo_step
from rrp.demo.steps.people import local_to_utc
from rrp.force.codes import CqcReason, DeEscalation, IncidentFlagKind, IncidentStatus, StaffPart
from rrp.force.completeness import negligible_force_exemption_enabled, version_items_complete
from rrp.force.models import (
    CONTENT_FIELDS,
    CqcNotificationTask,
    Incident,
    IncidentFlag,
    IncidentStatusChange,
    IncidentVersion,
    InterventionRecord,
    StaffInvolvement,
    StaffStatement,
)
from rrp.people.models import Patient, StaffMember

# Typical incidents per 1,000 occupied bed days by ward specialism (the median of a log-normal per ward).
SPECIALISM_RATE: dict[str, float] = {
    "adult_acute": 12.0,
    "picu": 95.0,
    "forensic_low": 14.0,
    "forensic_medium": 20.0,
    "forensic_high": 25.0,
    "ld_autism": 110.0,
    "cyp": 45.0,
    "older_adult": 0.8,
    "eating_disorder": 0.6,
    "rehabilitation": 2.0,
    "mother_baby": 0.2,
    "other": 5.0,
}
WARD_RATE_SIGMA = 0.45  # spread of ward rates around the specialism's (log scale)

# Ethnicity factor on the per-patient propensity (NHS Data Model and Dictionary ethnic category).
BLACK_CATEGORIES = ("M", "N", "P")
MIXED_CATEGORIES = ("D", "E", "F", "G")
BLACK_FACTOR = 3.8
MIXED_FACTOR = 1.5
PROPENSITY_SHAPE = 0.3  # gamma shape: small = a few patients account for most restraint
PROPENSITY_CAP = 25.0

SEASON_AMPLITUDE = 0.15  # +-15% over the year, peak in late July
SEASON_PEAK_DAY_OF_YEAR = 205
WEEKEND_FACTOR = 0.85

IMPROVER_SHARE = 0.6  # of collaborative member wards, those with a sustained fall
IMPROVEMENT_LAG_DAYS = 60  # the fall starts this long after joining...
IMPROVEMENT_RAMP_DAYS = 240  # ...and reaches its full size this long after that
IMPROVEMENT_FALL = (0.25, 0.5)  # the size of the fall, uniform

LATE_SHARE = 0.08  # recorded 2-14 days after the event
PERIOD_END_HOUR_UTC = 23

# Intervention patterns: (name, interventions as (MHSDS type, median minutes, log sigma), staff parts,
# reason override or "").
PATTERNS: list[tuple[str, list[tuple[str, float, float]], list[str], str]] = [
    ("standing", [("07", 3, 0.6)], ["lead", "right_arm", "left_arm", "observer"], ""),
    ("seated", [("11", 5, 0.6)], ["lead", "right_arm", "left_arm"], ""),
    ("escort", [("08", 3, 0.5)], ["lead", "right_arm", "left_arm"], ""),
    (
        "prone_supine",
        [("01", 4, 0.7), ("09", 8, 0.6)],
        ["head", "right_arm", "left_arm", "legs", "observer"],
        "",
    ),
    (
        "prone_supine_rt",
        [("01", 5, 0.7), ("09", 6, 0.5), ("14", 2, 0.3)],
        ["head", "right_arm", "left_arm", "legs", "medication", "observer"],
        "",
    ),
    ("standing_rt", [("07", 4, 0.5), ("14", 2, 0.3)], ["lead", "right_arm", "left_arm", "medication"], ""),
    ("supine", [("09", 6, 0.6)], ["head", "right_arm", "left_arm", "legs"], ""),
    ("oral", [("16", 2, 0.3)], ["medication", "lead"], ""),
    (
        "standing_seclusion",
        [("07", 3, 0.5), ("05", 240, 0.8)],
        ["lead", "right_arm", "left_arm", "seclusion"],
        "",
    ),
    (
        "rt_seclusion",
        [("09", 5, 0.5), ("14", 2, 0.3), ("05", 360, 0.8)],
        ["head", "right_arm", "left_arm", "medication", "seclusion"],
        "",
    ),
    ("side", [("10", 5, 0.6)], ["head", "right_arm", "left_arm"], ""),
    ("kneeling", [("12", 4, 0.6)], ["lead", "right_arm", "left_arm"], ""),
    ("ng_feeding", [("11", 25, 0.3)], ["lead", "right_arm", "left_arm", "medication"], "15"),
    ("personal_care", [("07", 6, 0.5)], ["lead", "right_arm", "left_arm"], "14"),
    ("mechanical", [("09", 5, 0.5), ("04", 60, 0.7)], ["head", "right_arm", "left_arm", "legs"], ""),
    ("segregation", [("08", 4, 0.5), ("06", 4320, 0.6)], ["lead", "right_arm", "left_arm", "seclusion"], ""),
    (
        "injection_non_rt",
        [("11", 4, 0.5), ("15", 2, 0.3)],
        ["lead", "right_arm", "left_arm", "medication"],
        "13",
    ),
]
PATTERN_NAMES = [p[0] for p in PATTERNS]

_ACUTE = {
    "standing": 20, "seated": 8, "escort": 10, "prone_supine": 10, "prone_supine_rt": 8, "standing_rt": 10,
    "supine": 10, "oral": 6, "standing_seclusion": 6, "rt_seclusion": 3, "side": 3, "kneeling": 3,
    "personal_care": 1, "segregation": 0.3, "injection_non_rt": 1,
}  # fmt: skip
_FORENSIC = {
    "standing": 15, "seated": 5, "escort": 15, "prone_supine": 8, "prone_supine_rt": 6, "standing_rt": 6,
    "supine": 8, "oral": 4, "standing_seclusion": 15, "rt_seclusion": 6, "side": 3, "kneeling": 3,
    "mechanical": 0.5, "segregation": 3, "injection_non_rt": 2,
}  # fmt: skip
PATTERN_WEIGHTS: dict[str, dict[str, float]] = {
    "adult_acute": _ACUTE,
    "picu": {
        "standing": 14, "seated": 4, "escort": 8, "prone_supine": 12, "prone_supine_rt": 14, "standing_rt": 12,
        "supine": 8, "oral": 4, "standing_seclusion": 12, "rt_seclusion": 8, "side": 2, "kneeling": 2,
        "segregation": 1, "injection_non_rt": 1,
    },
    "forensic_low": _FORENSIC,
    "forensic_medium": _FORENSIC,
    "forensic_high": {**_FORENSIC, "mechanical": 3, "segregation": 5},
    "ld_autism": {
        "standing": 25, "seated": 20, "escort": 15, "prone_supine": 3, "prone_supine_rt": 1, "standing_rt": 2,
        "supine": 6, "oral": 8, "standing_seclusion": 6, "rt_seclusion": 1, "side": 5, "kneeling": 3,
        "personal_care": 4, "mechanical": 0.2, "segregation": 2, "injection_non_rt": 0.5,
    },
    "cyp": {
        "standing": 22, "seated": 15, "escort": 12, "prone_supine": 6, "prone_supine_rt": 3, "standing_rt": 4,
        "supine": 8, "oral": 5, "standing_seclusion": 6, "rt_seclusion": 2, "side": 4, "kneeling": 3,
        "ng_feeding": 6, "segregation": 1, "injection_non_rt": 1,
    },
    "older_adult": {
        "standing": 30, "seated": 25, "escort": 10, "standing_rt": 3, "supine": 3, "oral": 15,
        "standing_seclusion": 1, "side": 3, "personal_care": 20, "injection_non_rt": 2,
    },
    "eating_disorder": {"ng_feeding": 60, "seated": 20, "standing": 10, "oral": 5, "escort": 5},
    "rehabilitation": {
        "standing": 30, "seated": 10, "escort": 20, "supine": 10, "oral": 10, "standing_rt": 5,
        "standing_seclusion": 10, "prone_supine": 5,
    },
    "mother_baby": {"standing": 40, "seated": 30, "escort": 20, "oral": 10},
    "other": _ACUTE,
}  # fmt: skip

# MHSDS reason codes and their shares where the pattern does not fix the reason.
REASON_SHARES: dict[str, float] = {
    "10": 45, "11": 18, "17": 15, "13": 5, "16": 4, "19": 5, "18": 3, "12": 2, "98": 2, "99": 1,
}  # fmt: skip
REASON_TEXTS: dict[str, list[str]] = {
    "10": [
        "Hit out at another patient in the lounge and would not stop when asked.",
        "Threatened staff with a broken chair leg.",
        "Punched a member of staff and tried to continue the assault.",
    ],
    "11": [
        "Repeatedly banging head against the wall.",
        "Tying a ligature in the bathroom.",
        "Cutting arm with a piece of broken plastic.",
    ],
    "12": ["Climbing on furniture near a window while very unsteady.", "Running into the garden fence."],
    "13": ["Prescribed depot injection due, refused after a long discussion.", "Treatment under section 58."],
    "14": ["Heavily soiled and distressed; personal care as in the care plan.", "Needed help with washing."],
    "15": ["Nasogastric feed prescribed under the Mental Health Act; declined oral intake."],
    "16": ["Hours of extreme over-activity, exhausted and dehydrated."],
    "17": ["Throwing furniture across the dining room.", "Trying to set fire to clothing."],
    "18": ["Search for a blade the patient said they had hidden.", "Search after leave, suspected drugs."],
    "19": ["Tried to leave through the airlock while detained under section 3."],
    "98": ["Other: stopped the patient entering another patient's bedroom at night."],
    "99": ["Not known: the staff who knew the reason had left the shift before recording."],
}
PLACES = [
    "Lounge", "Corridor", "Patient's bedroom", "Dining room", "Garden", "Outside the nursing office",
    "Bathroom", "Clinic room", "Activity room", "Seclusion room", "Airlock", "Quiet room",
]  # fmt: skip
HOW_TEXT: dict[str, str] = {
    "standing": "Held standing by two staff using approved holds, talking with the patient throughout.",
    "seated": "Held seated on a sofa with arms supported by staff either side.",
    "escort": "Escorted with arms held by two staff from the lounge to the patient's bedroom.",
    "prone_supine": "Went to the floor face down during the hold; turned to supine as soon as safe.",
    "prone_supine_rt": "Went to the floor prone; turned supine; intramuscular rapid tranquillisation given.",
    "standing_rt": "Held standing while intramuscular rapid tranquillisation was given as prescribed.",
    "supine": "Held on the floor face up, head supported, breathing monitored throughout.",
    "oral": "Oral medication given as prescribed PRN after the patient was offered and accepted it.",
    "standing_seclusion": "Held standing, then escorted to seclusion; seclusion reviews as policy.",
    "rt_seclusion": "Held supine for rapid tranquillisation, then placed in seclusion with observations.",
    "side": "Held in the side position with head supported.",
    "kneeling": "Held kneeling with arms supported, then allowed to stand.",
    "ng_feeding": "Held seated for nasogastric feeding as in the feeding plan.",
    "personal_care": "Arms gently held standing while personal care was given as in the care plan.",
    "mechanical": "Held supine, then limb restraints applied as authorised; reviewed every 15 minutes.",
    "segregation": "Escorted to the segregation suite under long-term segregation.",
    "injection_non_rt": "Held seated while the prescribed intramuscular depot injection was given.",
}
OUTCOMES = [
    "Patient calmed and went back to the lounge; no injury.",
    "Patient rested in their bedroom with 1:1 observations.",
    "Patient settled after medication; physical observations within normal range.",
    "Patient apologised to staff later that day.",
    "Minor graze to the patient's elbow, first aid given.",
    "A member of staff had a bruised wrist and was checked by the duty doctor.",
]
NOTIFIED_TO = ["Patient's care coordinator", "Nearest relative", "Responsible clinician", "Named nurse"]
DEBRIEF_NOT_HELD = [
    "Patient declined a debrief.",
    "Patient too unwell to take part; to offer again tomorrow.",
    "Patient asleep at the end of the shift; handed over.",
]
DEESCALATION_CODES = list(DeEscalation.values)
DEESCALATION_TEXTS = [
    "Tried talking calmly in the quiet room for ten minutes.",
    "Offered a walk in the garden and a drink.",
    "Used the patient's positive behaviour support plan; did not settle.",
]
NON_STAFF_REASONS = {
    "police": "Police called as the patient had a weapon and staff could not keep others safe.",
    "security": "Hospital security asked to help as too few ward staff were free.",
}
SEND_BACK_NOTES = [
    "Please add whether a debrief was held with the patient.",
    "Please say who was told under the care plan, and when.",
]


# Version columns the step writes as JSON text.
JSON_FIELDS = frozenset({"non_staff_types", "deescalation", "patient_snapshot"})
# The force tables with append-only triggers, children first.
FORCE_APPEND_ONLY_MODELS = (
    StaffStatement,
    IncidentFlag,
    IncidentStatusChange,
    StaffInvolvement,
    InterventionRecord,
    IncidentVersion,
    Incident,
)


def _insert(ctx: DemoContext, model: type, columns: dict) -> None:
    """Insert the rows, if there are any (the writer cannot format an empty datetime column)."""
    if len(next(iter(columns.values()))):
        ctx.writer.insert(model, columns)


def _minutes(value: np.ndarray) -> np.ndarray:
    return (np.asarray(value) * 60).astype("timedelta64[s]")


def _choose(rng: np.random.Generator, values: Sequence[str], n: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(len(values), size=n)]


def _iso(values: np.ndarray) -> list[str]:
    text = np.datetime_as_string(values.astype("datetime64[s]"), unit="s")
    return [f"{t}+00:00" for t in text.tolist()]


def force_demo_wipe(ctx: DemoContext) -> None:
    """Delete the demo's incidents. Their tables refuse DELETE (append-only triggers), so, in demo mode
    only and inside the generator's one transaction, the triggers are dropped and made again."""
    ctx.writer.delete_all(CqcNotificationTask)
    ctx.writer.delete_all_append_only(FORCE_APPEND_ONLY_MODELS)


@demo_step(
    "incidents",
    after=("people", "bed_days", "staff", "collaboratives", "logins"),
    wipe=force_demo_wipe,
)
def incidents(ctx: DemoContext) -> None:
    """Incidents with their versions, interventions, staff, status changes, flags and CQC tasks."""
    rng = ctx.rng
    plan = _incident_plan(ctx, rng)
    if plan is None:
        return
    _write_incidents(ctx, rng, plan)
    if ctx.writer.postgres:
        # Fresh statistics, so that PostgreSQL plans the incident pages for millions of rows, not for
        # the empty tables it last looked at (the status subquery otherwise scans the whole status
        # table backwards: 0.9 s instead of 10 ms). ANALYZE sees this transaction's own rows.
        with ctx.writer.connection.cursor() as cursor:
            for model in (*FORCE_APPEND_ONLY_MODELS, CqcNotificationTask):
                cursor.execute(f"ANALYZE {ctx.writer.connection.ops.quote_name(model._meta.db_table)}")


def _ward_rates(ctx: DemoContext, rng: np.random.Generator) -> np.ndarray:
    """Each ward's rate per 1,000 occupied bed days (before seasonality and improvement)."""
    specialism = ctx.frame("ward")["specialism"]
    typical = np.array([SPECIALISM_RATE.get(s, SPECIALISM_RATE["other"]) for s in specialism])
    return typical * np.exp(rng.normal(0.0, WARD_RATE_SIGMA, size=len(typical)))


def _day_weights(ctx: DemoContext, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A ward x day matrix of relative rates (seasonality, weekends, improvement), and the fall per ward."""
    wards = ctx.frame("ward")
    n_wards, n_days = len(wards["id"]), ctx.n_days
    dates = ctx.day0 + np.arange(n_days)
    day_of_year = (dates - dates.astype("datetime64[Y]")).astype(int)
    weekday = (dates.astype(int) + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    season = 1 + SEASON_AMPLITUDE * np.cos(2 * np.pi * (day_of_year - SEASON_PEAK_DAY_OF_YEAR) / 365.25)
    season *= np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
    weights = np.tile(season, (n_wards, 1))

    # A sustained fall on some wards after they joined a collaborative (their first membership).
    members = ctx.frame("collaborative_membership")
    ward_index = np.searchsorted(wards["id"], members["ward_id"])
    joined = np.full(n_wards, np.iinfo(np.int64).max)
    np.minimum.at(joined, ward_index, members["joined"])
    improver = (joined < n_days) & (rng.random(n_wards) < IMPROVER_SHARE)
    fall = np.where(improver, rng.uniform(*IMPROVEMENT_FALL, size=n_wards), 0.0)
    start = np.where(improver, joined + IMPROVEMENT_LAG_DAYS, n_days)
    progress = np.clip((np.arange(n_days)[None, :] - start[:, None]) / IMPROVEMENT_RAMP_DAYS, 0.0, 1.0)
    weights *= 1.0 - fall[:, None] * progress
    return weights, fall


def _incident_plan(ctx: DemoContext, rng: np.random.Generator) -> dict[str, np.ndarray] | None:
    """Which patient on which ward is restrained on which day: numbers of incidents per stay, then days."""
    wards, stays, patients = ctx.frame("ward"), ctx.frame("ward_stay"), ctx.frame("patient")
    n_days = ctx.n_days
    rates = _ward_rates(ctx, rng)
    weights, fall = _day_weights(ctx, rng)

    # Propensity per patient: heavy-tailed, times the ethnicity factor.
    ethnicity = patients["ethnic_category"].astype(str)
    factor = np.where(
        np.isin(ethnicity, BLACK_CATEGORIES),
        BLACK_FACTOR,
        np.where(np.isin(ethnicity, MIXED_CATEGORIES), MIXED_FACTOR, 1.0),
    )
    propensity = np.minimum(
        rng.gamma(PROPENSITY_SHAPE, 1 / PROPENSITY_SHAPE, size=len(factor)), PROPENSITY_CAP
    )
    propensity *= factor

    # Occupied days of each stay in the period, and the sum of the ward's day weights over them.
    first = np.clip(stays["start_day"], 0, n_days)
    last = np.clip(stays["end_day"], 0, n_days)  # exclusive
    keep = last > first
    ward_index = np.searchsorted(wards["id"], stays["ward_id"])
    patient_index = np.searchsorted(patients["id"], stays["patient_id"])
    cumulative = np.concatenate([[0.0], np.cumsum(weights.ravel())])
    low = ward_index * n_days + first
    high = ward_index * n_days + last
    weight_sum = np.where(keep, cumulative[high] - cumulative[low], 0.0)

    # Expected incidents per stay, rescaled so that each ward's total matches its rate.
    raw = weight_sum * propensity[patient_index]
    target = np.bincount(ward_index, weights=weight_sum * rates[ward_index] / 1000, minlength=len(rates))
    raw_total = np.bincount(ward_index, weights=raw, minlength=len(rates))
    scale = np.divide(target, raw_total, out=np.zeros_like(target), where=raw_total > 0)
    counts = rng.poisson(raw * scale[ward_index])
    n = int(counts.sum())
    if n == 0:
        return None

    # The day of each incident within its stay, in proportion to the ward's day weights.
    stay_of = np.repeat(np.arange(len(counts)), counts)
    u = cumulative[low[stay_of]] + rng.random(n) * weight_sum[stay_of]
    flat = np.clip(np.searchsorted(cumulative, u, side="right") - 1, low[stay_of], high[stay_of] - 1)
    day = flat - ward_index[stay_of] * n_days
    ctx.extras["force_ward_rates"] = rates
    ctx.extras["force_ward_fall"] = fall
    return {
        "stay": stay_of,
        "ward_index": ward_index[stay_of],
        "patient_id": stays["patient_id"][stay_of],
        "day": day,
    }


def _write_incidents(ctx: DemoContext, rng: np.random.Generator, plan: dict[str, np.ndarray]) -> None:
    wards, stays = ctx.frame("ward"), ctx.frame("ward_stay")
    n = len(plan["day"])
    ward_index = plan["ward_index"]
    specialism = wards["specialism"][ward_index].astype(str)

    # When: an hour of the day weighted to the afternoon and evening, kept inside the stay.
    hour_weights = np.array([2, 1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 8, 6, 4, 3], float)
    hour = rng.choice(24, size=n, p=hour_weights / hour_weights.sum())
    local = (
        (ctx.day0 + plan["day"]).astype("datetime64[s]")
        + (hour * 3600).astype("timedelta64[s]")
        + (rng.integers(0, 60, size=n) * 60).astype("timedelta64[s]")
    )
    occurred = local_to_utc(local)
    stay_start = stays["started_at"][plan["stay"]].astype("datetime64[s]")
    stay_end = stays["ended_at"][plan["stay"]].astype("datetime64[s]")
    occurred = np.maximum(occurred, stay_start + np.timedelta64(30 * 60, "s"))
    limit = stay_end - np.timedelta64(3 * 3600, "s")
    occurred = np.where(~np.isnat(stay_end) & (occurred > limit), limit, occurred)
    occurred = occurred.astype("datetime64[m]").astype("datetime64[s]")

    # What: an intervention pattern by specialism; durations per intervention, one after another.
    names = sorted(PATTERN_WEIGHTS)
    matrix = np.array([[PATTERN_WEIGHTS[s].get(p, 0.0) for p in PATTERN_NAMES] for s in names], float)
    cumulative = np.cumsum(matrix / matrix.sum(axis=1, keepdims=True), axis=1)
    spec_row = np.searchsorted(names, np.where(np.isin(specialism, names), specialism, "other"))
    pattern = (rng.random(n)[:, None] > cumulative[spec_row]).sum(axis=1).clip(0, len(PATTERNS) - 1)

    iv_incident, iv_type, iv_start, iv_end = [], [], [], []
    cursor = occurred.copy()
    incident_end = occurred.copy()
    for step in range(3):
        has = np.array([len(p[1]) > step for p in PATTERNS])[pattern]
        idx = np.flatnonzero(has)
        if not len(idx):
            continue
        types = np.array([p[1][step][0] if len(p[1]) > step else "" for p in PATTERNS], dtype=object)
        median = np.array([p[1][step][1] if len(p[1]) > step else 1 for p in PATTERNS], float)
        sigma = np.array([p[1][step][2] if len(p[1]) > step else 0 for p in PATTERNS], float)
        pat = pattern[idx]
        minutes = np.maximum(1, np.round(median[pat] * np.exp(rng.normal(0, 1, len(idx)) * sigma[pat])))
        start = cursor[idx]
        end = start + _minutes(minutes)
        iv_incident.append(idx)
        iv_type.append(types[pat])
        iv_start.append(start)
        iv_end.append(end)
        cursor[idx] = end
        incident_end[idx] = end
    iv_incident_a = np.concatenate(iv_incident)
    order = np.lexsort((np.concatenate(iv_start), iv_incident_a))
    iv_incident_a = iv_incident_a[order]
    iv_type_a = np.concatenate(iv_type)[order]
    iv_start_a = np.concatenate(iv_start)[order]
    iv_end_a = np.concatenate(iv_end)[order]
    care_plan_p = np.where(np.isin(iv_type_a, ["14", "16", "15", "05", "06", "04"]), 0.7, 0.25)
    iv_care_plan = rng.random(len(iv_type_a)) < care_plan_p

    # Recorded: mostly within hours of the end, some days late; dropped if after the period's end.
    delay = np.where(
        rng.random(n) < LATE_SHARE,
        rng.uniform(2 * 86400, 14 * 86400, size=n),
        np.exp(rng.normal(np.log(90 * 60), 0.8, size=n)),
    ).astype("timedelta64[s]")
    created = incident_end + delay
    period_end = (np.datetime64(ctx.last_day, "D") + np.timedelta64(PERIOD_END_HOUR_UTC, "h")).astype(
        "datetime64[s]"
    )
    kept = created <= period_end

    # Number incidents in the order they were recorded (ids rise with time).
    order = np.flatnonzero(kept)[np.argsort(created[kept], kind="stable")]
    new_index = np.full(n, -1)
    new_index[order] = np.arange(len(order))
    iv_keep = new_index[iv_incident_a] >= 0
    iv_incident_a = new_index[iv_incident_a[iv_keep]]
    iv_type_a, iv_start_a, iv_end_a = iv_type_a[iv_keep], iv_start_a[iv_keep], iv_end_a[iv_keep]
    iv_care_plan = iv_care_plan[iv_keep]
    iv_sort = np.lexsort((iv_start_a, iv_incident_a))
    iv_incident_a, iv_type_a = iv_incident_a[iv_sort], iv_type_a[iv_sort]
    iv_start_a, iv_end_a, iv_care_plan = iv_start_a[iv_sort], iv_end_a[iv_sort], iv_care_plan[iv_sort]

    ward_index, specialism, pattern = ward_index[order], specialism[order], pattern[order]
    occurred, incident_end, created = occurred[order], incident_end[order], created[order]
    patient_id = plan["patient_id"][order]
    n = len(order)
    if n == 0:
        return
    ids = np.arange(1, n + 1)
    ward_id = wards["id"][ward_index]
    provider_id = wards["provider_id"][ward_index]

    users = dict(
        User.objects.filter(username__in=["ward.staff", "ward.manager", "governance"]).values_list(
            "username", "id"
        )
    )
    recorder, manager, governance = users["ward.staff"], users["ward.manager"], users["governance"]

    # Review path, cut off at the end of the period.
    status, changes, sent_back = _review_paths(rng, created=created, period_end=period_end)
    draft = status == IncidentStatus.DRAFT
    incomplete = draft & (rng.random(n) < 0.5)

    _insert(
        ctx,
        Incident,
        {
            "id": ids,
            "provider_id": provider_id,
            "ward_id": ward_id,
            "patient_id": patient_id,
            "created_at": created,
            "created_by_id": np.full(n, recorder),
            "source_system": np.full(n, "", dtype=object),
            "source_id": np.full(n, "", dtype=object),
        },
    )

    version = _version_columns(
        ctx,
        rng,
        ids=ids,
        specialism=specialism,
        ward_index=ward_index,
        pattern=pattern,
        patient_id=patient_id,
        occurred=occurred,
        incident_end=incident_end,
        created=created,
        incomplete=incomplete,
    )
    gaps = version.pop("_gaps")
    version.update(
        {
            "id": ids,
            "incident_id": ids,
            "patient_id": patient_id,
            "number": np.ones(n, dtype=np.int64),
            "recorded_at": created,
            "recorded_by_id": np.full(n, recorder),
            "change_reason": np.full(n, "", dtype=object),
        }
    )
    # Sent back: a second version answering the request, recorded just before resubmission.
    v2_incident = np.flatnonzero(sent_back["mask"])
    v2_ids = n + 1 + np.arange(len(v2_incident))
    v2 = {key: np.asarray(values)[v2_incident] for key, values in version.items()}
    v2.update(
        {
            "id": v2_ids,
            "number": np.full(len(v2_ids), 2),
            "recorded_at": sent_back["resubmitted_at"][v2_incident] - np.timedelta64(600, "s"),
            "change_reason": np.full(len(v2_ids), "Added what the reviewer asked for.", dtype=object),
            "debrief_patient_held": np.full(len(v2_ids), True, dtype=object),
            "debrief_patient_not_held_reason": np.full(len(v2_ids), "", dtype=object),
        }
    )

    # Interventions for version 1 and (copied) version 2; incomplete drafts may lack an end or care plan.
    no_end = gaps["ended"][iv_incident_a] & (np.arange(len(iv_incident_a)) == _last_of(iv_incident_a))
    ended = np.where(no_end, np.datetime64("NaT", "s"), iv_end_a)
    care_plan = np.where(gaps["care_plan"][iv_incident_a], None, iv_care_plan).astype(object)
    iv_version = ids[iv_incident_a]
    v2_of = np.full(n, -1)
    v2_of[v2_incident] = v2_ids
    copy = v2_of[iv_incident_a] >= 0
    n_iv = len(iv_incident_a) + int(copy.sum())
    _insert(
        ctx,
        InterventionRecord,
        {
            "id": np.arange(1, n_iv + 1),
            "version_id": np.concatenate([iv_version, v2_of[iv_incident_a][copy]]),
            "type_code": np.concatenate([iv_type_a, iv_type_a[copy]]),
            "started_at": np.concatenate([iv_start_a, iv_start_a[copy]]),
            "ended_at": np.concatenate([ended, ended[copy]]),
            "in_care_plan": np.concatenate([care_plan, care_plan[copy]]),
        },
    )

    staff_incident, staff_member, staff_name, staff_title = _write_staff(
        ctx, rng, ids=ids, ward_id=ward_id, pattern=pattern, no_staff=gaps["staff"], v2_of=v2_of
    )
    involved = (staff_incident, staff_member)
    # The versions go in last (foreign keys are checked at commit), once their interventions and staff
    # are known: each stores whether it is complete, by the services' own check.
    interventions_of = _grouped(
        iv_incident_a,
        [
            SimpleNamespace(type_code=t, ended_at=e, in_care_plan=c)
            for t, e, c in zip(
                iv_type_a.tolist(), ended.astype(object).tolist(), care_plan.tolist(), strict=True
            )
        ],
    )
    staff_of = _grouped(
        staff_incident,
        [
            SimpleNamespace(name=a, job_title=b)
            for a, b in zip(staff_name.tolist(), staff_title.tolist(), strict=True)
        ],
    )
    version["statutory_items_complete"] = _items_complete(
        version, np.arange(n), interventions_of=interventions_of, staff_of=staff_of
    )
    v2["statutory_items_complete"] = _items_complete(
        v2, v2_incident, interventions_of=interventions_of, staff_of=staff_of
    )
    _insert(ctx, IncidentVersion, version)
    _insert(ctx, IncidentVersion, v2)
    _write_statements(ctx, rng, involved=involved, created=created, period_end=period_end, author=recorder)
    _write_status_changes(ctx, ids=ids, changes=changes, users=(recorder, manager, governance))
    _write_flags(ctx, iv_incident=iv_incident_a, iv_type=iv_type_a, iv_start=iv_start_a, created=created)
    _write_cqc_tasks(
        ctx, rng, version=version, provider_id=provider_id, period_end=period_end, governance=governance
    )
    ctx.publish(
        "incident",
        {
            "id": ids,
            "ward_id": ward_id,
            "patient_id": patient_id,
            "occurred_day": ((occurred - ctx.day0.astype("datetime64[s]")) // 86400).astype(np.int64),
            "status": status.astype(str),
            "n_interventions": np.bincount(iv_incident_a, minlength=n),
        },
    )


def _last_of(group: np.ndarray) -> np.ndarray:
    """For rows sorted by group, the position of each group's last row, per row."""
    last = np.r_[np.flatnonzero(group[1:] != group[:-1]), len(group) - 1]
    return last[np.searchsorted(last, np.arange(len(group)))]


def _review_paths(
    rng: np.random.Generator, *, created: np.ndarray, period_end: np.datetime64
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, str, str]], dict[str, np.ndarray]]:
    """Status-change times for each incident; steps after the period's end have not happened yet."""
    n = len(created)
    hours = lambda median, sigma: np.exp(rng.normal(np.log(median * 3600), sigma, n)).astype("timedelta64[s]")  # noqa: E731
    stuck = rng.random(n)
    submitted = created + np.where(rng.random(n) < 0.85, hours(2, 1.0), hours(72, 0.8))
    sent = rng.random(n) < 0.04
    sent_back_at = submitted + hours(48, 0.6)
    resubmitted = sent_back_at + hours(30, 0.6)
    last_submit = np.where(sent, resubmitted, submitted)
    reviewed = last_submit + hours(72, 0.9)
    closed = reviewed + hours(168, 0.8)
    never = np.datetime64("NaT", "s")
    submitted = np.where(stuck < 0.015, never, submitted)  # some drafts never finished
    reviewed = np.where((stuck >= 0.015) & (stuck < 0.025), never, reviewed)  # some never reviewed
    closed = np.where((stuck >= 0.025) & (stuck < 0.045), never, closed)  # reviewed, not yet closed

    def happened(at: np.ndarray) -> np.ndarray:
        return ~np.isnat(at) & (at <= period_end)

    s_ok = happened(submitted)
    b_ok = s_ok & sent & happened(sent_back_at)
    r_ok = s_ok & (~sent | happened(resubmitted)) & happened(reviewed)
    r_ok &= ~sent | b_ok
    c_ok = r_ok & happened(closed)
    resub_ok = b_ok & happened(resubmitted)
    status = np.full(n, IncidentStatus.DRAFT.value, dtype=object)
    status[s_ok] = IncidentStatus.SUBMITTED.value
    status[b_ok] = IncidentStatus.SENT_BACK.value
    status[resub_ok] = IncidentStatus.SUBMITTED.value
    status[r_ok] = IncidentStatus.REVIEWED.value
    status[c_ok] = IncidentStatus.CLOSED.value
    S = IncidentStatus
    changes = [
        (np.ones(n, bool), created, "", S.DRAFT.value),
        (s_ok, submitted, S.DRAFT.value, S.SUBMITTED.value),
        (b_ok, sent_back_at, S.SUBMITTED.value, S.SENT_BACK.value),
        (resub_ok, resubmitted, S.SENT_BACK.value, S.SUBMITTED.value),
        (r_ok, reviewed, S.SUBMITTED.value, S.REVIEWED.value),
        (c_ok, closed, S.REVIEWED.value, S.CLOSED.value),
    ]
    return status, changes, {"mask": b_ok & resub_ok, "resubmitted_at": resubmitted}


def _version_columns(
    ctx: DemoContext,
    rng: np.random.Generator,
    *,
    ids: np.ndarray,
    specialism: np.ndarray,
    ward_index: np.ndarray,
    pattern: np.ndarray,
    patient_id: np.ndarray,
    occurred: np.ndarray,
    incident_end: np.ndarray,
    created: np.ndarray,
    incomplete: np.ndarray,
) -> dict[str, np.ndarray]:
    """The content of each incident's first version; incomplete drafts leave some statutory items out."""
    n = len(ids)
    none = np.full(n, None, dtype=object)
    blank = np.full(n, "", dtype=object)

    # Reasons: fixed by some patterns, otherwise by share.
    codes = list(REASON_SHARES)
    shares = np.array(list(REASON_SHARES.values()), float)
    reason = np.array(codes, dtype=object)[rng.choice(len(codes), size=n, p=shares / shares.sum())]
    fixed = np.array([p[3] for p in PATTERNS], dtype=object)[pattern]
    reason = np.where(fixed != "", fixed, reason)
    pick = rng.integers(0, 3, size=n)
    reason_text = np.array(
        [REASON_TEXTS[c][k % len(REASON_TEXTS[c])] for c, k in zip(reason, pick, strict=True)], dtype=object
    )

    # Injuries, police and others not on the unit's staff.
    secure = np.isin(specialism, ["picu", "forensic_low", "forensic_medium", "forensic_high"])
    injury_patient = rng.random(n) < 0.05
    serious = rng.random(n) < 0.003
    injury_patient |= serious
    injury_staff = rng.random(n) < 0.08
    injury_others = rng.random(n) < 0.01
    abuse = rng.random(n) < 0.002
    police = rng.random(n) < np.where(secure, 0.015, 0.005)
    requested = np.where(police, occurred + np.timedelta64(5 * 60, "s"), np.datetime64("NaT", "s"))
    arrived_mask = police & (rng.random(n) < 0.85)
    arrived = np.where(
        arrived_mask, requested + _minutes(rng.integers(10, 46, size=n)), np.datetime64("NaT", "s")
    )
    used_force = np.where(police, arrived_mask & (rng.random(n) < 0.3), None).astype(object)
    security = ~police & (rng.random(n) < 0.005)
    non_staff_types = np.where(police, '["police"]', np.where(security, '["security"]', "[]")).astype(object)
    non_staff_reason = np.where(
        police, NON_STAFF_REASONS["police"], np.where(security, NON_STAFF_REASONS["security"], "")
    ).astype(object)

    # De-escalation: one to four techniques from the checklist, sometimes with text.
    k = rng.integers(1, 5, size=n)
    ranks = np.argsort(rng.random((n, len(DEESCALATION_CODES))), axis=1)
    deescalation = np.array(
        [
            json.dumps([DEESCALATION_CODES[j] for j in sorted(row[:c])])
            for row, c in zip(ranks, k, strict=True)
        ],
        dtype=object,
    )
    deescalation_text = np.where(rng.random(n) < 0.4, _choose(rng, DEESCALATION_TEXTS, n), "").astype(object)

    # Care-plan notification (s6(5)(p)) and debriefs.
    notified = rng.random(n) < 0.8
    notified_at = np.where(
        notified,
        incident_end + (rng.uniform(1, 48, size=n) * 3600).astype("timedelta64[s]"),
        np.datetime64("NaT", "s"),
    )
    notified_at = np.where(notified_at > created, created, notified_at)
    offered = rng.random(n) < 0.85
    held = offered & (rng.random(n) < 0.65)
    not_held_reason = np.where(~held, _choose(rng, DEBRIEF_NOT_HELD, n), "").astype(object)
    camera_ward = rng.random(len(ctx.frame("ward")["id"])) < 0.4
    camera = np.where(
        camera_ward[ward_index] & (rng.random(n) < 0.8), np.char.add("BWC-", ids.astype(str)), ""
    ).astype(object)

    columns: dict[str, np.ndarray] = {
        "reason_code": reason,
        "reason_text": reason_text,
        "place_on_ward": _choose(rng, PLACES, n),
        "occurred_at": occurred,
        "ended_at": incident_end,
        "how_force_used": np.array([HOW_TEXT[PATTERN_NAMES[p]] for p in pattern], dtype=object),
        "outcome": _choose(rng, OUTCOMES, n),
        "patient_died": np.zeros(n, dtype=bool),
        "patient_serious_injury": serious,
        "injury_patient": injury_patient,
        "injury_staff": injury_staff,
        "injury_others": injury_others,
        "abuse_alleged": abuse,
        "police_requested_at": requested,
        "police_arrived_at": arrived,
        "police_used_force": used_force,
        "non_staff_involved": police | security,
        "non_staff_types": non_staff_types,
        "non_staff_reason": non_staff_reason,
        "deescalation": deescalation,
        "deescalation_text": deescalation_text,
        "care_plan_notification_sent": notified,
        "care_plan_notified_to": np.where(notified, _choose(rng, NOTIFIED_TO, n), "").astype(object),
        "care_plan_notified_at": notified_at,
        "debrief_patient_offered": offered,
        "debrief_patient_held": held,
        "debrief_patient_not_held_reason": not_held_reason,
        "debrief_staff_held": rng.random(n) < 0.7,
        "debrief_carers_held": rng.random(n) < 0.15,
        "camera_references": camera,
        "patient_snapshot": _snapshots(ctx, patient_id=patient_id, occurred=occurred),
        "negligible_force": np.zeros(n, dtype=bool),
        "negligible_force_justification": blank,
    }

    # Incomplete drafts: each leaves out some of the statutory items, at least one.
    gap_names = ["how", "outcome", "notification", "staff", "ended", "care_plan", "non_staff"]
    gaps = {name: incomplete & (rng.random(n) < 0.4) for name in gap_names}
    nothing = incomplete & ~np.logical_or.reduce(list(gaps.values()))
    gaps["how"] |= nothing
    columns["how_force_used"] = np.where(gaps["how"], blank, columns["how_force_used"])
    columns["outcome"] = np.where(gaps["outcome"], blank, columns["outcome"])
    columns["care_plan_notification_sent"] = np.where(gaps["notification"], none, notified).astype(object)
    columns["care_plan_notified_to"] = np.where(gaps["notification"], blank, columns["care_plan_notified_to"])
    columns["care_plan_notified_at"] = np.where(gaps["notification"], np.datetime64("NaT", "s"), notified_at)
    columns["ended_at"] = np.where(gaps["ended"], np.datetime64("NaT", "s"), incident_end)
    columns["non_staff_involved"] = np.where(gaps["non_staff"], none, police | security).astype(object)
    for name in (
        "debrief_patient_offered",
        "debrief_patient_held",
        "debrief_staff_held",
        "debrief_carers_held",
    ):
        columns[name] = np.where(incomplete, none, columns[name]).astype(object)
    columns["_gaps"] = gaps  # type: ignore[assignment]
    return columns


def _snapshots(ctx: DemoContext, *, patient_id: np.ndarray, occurred: np.ndarray) -> np.ndarray:
    """The patient's characteristics at the time (s6(5)(j)-(l)), as `services.patient_snapshot` keeps them."""
    wanted = np.unique(patient_id)
    fields = [
        "id", "primary_mental_disorder", "date_of_birth", "sex", "gender_identity", "ethnic_category", "religion",
        "sexual_orientation", "disability", "pregnancy", "learning_disability", "autism", "legal_status",
    ]  # fmt: skip
    rows = {}
    lo, hi = int(wanted.min()), int(wanted.max())
    wanted_set = set(wanted.tolist())
    for row in (
        Patient.objects.filter(id__gte=lo, id__lte=hi)
        .order_by()
        .values_list(*fields)
        .iterator(chunk_size=20_000)
    ):
        if row[0] in wanted_set:
            rows[row[0]] = row
    out = np.empty(len(patient_id), dtype=object)
    day = occurred.astype("datetime64[D]").astype(object)
    for i, (pid, on) in enumerate(zip(patient_id.tolist(), day.tolist(), strict=True)):
        r = rows[pid]
        dob = r[2]
        age = on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
        out[i] = json.dumps(
            {
                "primary_mental_disorder": r[1],
                "age": age,
                "sex": r[3],
                "gender_identity": r[4],
                "ethnic_category": r[5],
                "religion": r[6],
                "sexual_orientation": r[7],
                "disability": r[8],
                "pregnancy": r[9],
                "learning_disability": r[10],
                "autism": r[11],
                "legal_status": r[12],
            }
        )
    return out


def _write_staff(
    ctx: DemoContext,
    rng: np.random.Generator,
    *,
    ids: np.ndarray,
    ward_id: np.ndarray,
    pattern: np.ndarray,
    no_staff: np.ndarray,
    v2_of: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Two to six members of the ward's own nursing team per incident, each with their part."""
    staff = ctx.frame("staff")
    details = {
        pk: (f"{given} {family}", title, group)
        for pk, given, family, title, group in StaffMember.objects.order_by().values_list(
            "id", "given_name", "family_name", "job_title", "staff_group"
        )
    }
    group = np.array([details[pk][2] for pk in staff["id"].tolist()], dtype=object)
    hands_on = np.isin(group, ["nursing", "support"])
    # Each ward's pool: its hands-on staff, shuffled once; an incident takes consecutive members from a
    # random place in the pool, so nobody is listed twice.
    pool_ids = staff["id"][hands_on]
    pool_ward = staff["ward_id"][hands_on]
    shuffle = np.lexsort((rng.random(len(pool_ids)), pool_ward))
    pool_ids, pool_ward = pool_ids[shuffle], pool_ward[shuffle]
    ward_keys = np.unique(pool_ward)
    starts = np.searchsorted(pool_ward, ward_keys)
    sizes = np.diff(np.r_[starts, len(pool_ward)])
    position = np.searchsorted(ward_keys, ward_id)
    has_pool = (position < len(ward_keys)) & (ward_keys[np.minimum(position, len(ward_keys) - 1)] == ward_id)
    position = np.minimum(position, len(ward_keys) - 1)
    pool_start, pool_size = starts[position], np.where(has_pool, sizes[position], 0)

    parts_of = [p[2] for p in PATTERNS]
    max_parts = np.array([len(p) for p in parts_of])[pattern]
    minimum = np.minimum(2, max_parts)
    count = rng.integers(minimum, max_parts + 1)
    count = np.where(no_staff, 0, np.minimum(count, pool_size))
    incident = np.repeat(np.arange(len(ids)), count)
    slot = np.arange(len(incident)) - np.repeat(np.cumsum(count) - count, count)
    offset = rng.integers(0, 1 << 30, size=len(ids))
    pick = pool_start[incident] + (offset[incident] + slot) % np.maximum(pool_size[incident], 1)
    member = pool_ids[pick]
    part_table = np.full((len(PATTERNS), max(len(p) for p in parts_of)), "", dtype=object)
    for row, parts in enumerate(parts_of):
        part_table[row, : len(parts)] = parts
    part = part_table[pattern[incident], slot]
    name = np.array([details[pk][0] for pk in member.tolist()], dtype=object)
    title = np.array([details[pk][1] for pk in member.tolist()], dtype=object)
    assert set(np.unique(part).tolist()) <= set(StaffPart.values)
    version = ids[incident]
    copy = v2_of[incident] >= 0
    total = len(incident) + int(copy.sum())
    _insert(
        ctx,
        StaffInvolvement,
        {
            "id": np.arange(1, total + 1),
            "version_id": np.concatenate([version, v2_of[incident][copy]]),
            "staff_member_id": np.concatenate([member, member[copy]]),
            "name": np.concatenate([name, name[copy]]),
            "job_title": np.concatenate([title, title[copy]]),
            "part": np.concatenate([part, part[copy]]),
        },
    )
    return incident, member, name, title


def _grouped(group: np.ndarray, items: list) -> dict[int, list]:
    """Items by their group (incident index)."""
    out: dict[int, list] = {}
    for key, item in zip(group.tolist(), items, strict=True):
        out.setdefault(key, []).append(item)
    return out


def _items_complete(
    columns: dict[str, np.ndarray],
    incident: np.ndarray,
    *,
    interventions_of: dict[int, list],
    staff_of: dict[int, list],
) -> np.ndarray:
    """``force.completeness.version_items_complete`` for each row of version columns (of incidents
    ``incident``), as the services would store it: the columns turned back into Python values (None for a
    missing time, decoded JSON) one field at a time, then the check row by row."""
    n = len(incident)
    values: dict[str, list] = {}
    for name in CONTENT_FIELDS:
        column = np.asarray(columns[name])
        if column.dtype.kind == "M":
            values[name] = column.astype("datetime64[s]").astype(object).tolist()
        elif name in JSON_FIELDS:
            cache: dict[str, object] = {}
            values[name] = [
                cache[text] if text in cache else cache.setdefault(text, json.loads(text))
                for text in column.tolist()
            ]
        else:
            values[name] = column.tolist()
    exemption = negligible_force_exemption_enabled()
    complete = np.zeros(n, dtype=bool)
    for row, key in enumerate(incident.tolist()):
        complete[row] = version_items_complete(
            version=SimpleNamespace(**{name: values[name][row] for name in CONTENT_FIELDS}),
            interventions=interventions_of.get(key, ()),
            staff=staff_of.get(key, ()),
            exemption_enabled=exemption,
        )
    return complete


STATEMENTS = [
    "I held the patient's right arm and talked with them throughout; they settled after a few minutes.",
    "I led the hold. We tried talking and offering the quiet room first, but the patient kept hitting out.",
    "I was the observer and checked breathing and colour the whole time; no concerns.",
]


def _write_statements(
    ctx: DemoContext,
    rng: np.random.Generator,
    *,
    involved: tuple[np.ndarray, np.ndarray],
    created: np.ndarray,
    period_end: np.datetime64,
    author: int,
) -> None:
    """Half the incidents the `ward.staff` login's own staff member took part in get their statement
    (statements are written by a signed-in member of staff, and only the demo logins can sign in)."""
    incident, member = involved
    linked = StaffMember.objects.filter(user_id=author).values_list(
        "id", "given_name", "family_name", "job_title"
    )
    if not linked:
        return
    staff_id, given, family, title = linked[0]
    rows = np.flatnonzero((member == staff_id) & (rng.random(len(member)) < 0.5))
    at = created[incident[rows]] + (rng.uniform(1, 24, size=len(rows)) * 3600).astype("timedelta64[s]")
    rows, at = rows[at <= period_end], at[at <= period_end]
    _insert(
        ctx,
        StaffStatement,
        {
            "id": np.arange(1, len(rows) + 1),
            "incident_id": incident[rows] + 1,
            "staff_member_id": np.full(len(rows), staff_id),
            "author_id": np.full(len(rows), author),
            "name": np.full(len(rows), f"{given} {family}, {title}", dtype=object),
            "text": _choose(rng, STATEMENTS, len(rows)),
            "recorded_at": at,
        },
    )


def _write_status_changes(
    ctx: DemoContext,
    *,
    ids: np.ndarray,
    changes: list[tuple[np.ndarray, np.ndarray, str, str]],
    users: tuple[int, int, int],
) -> None:
    """Status-change rows, numbered so that each incident's latest step has its highest id."""
    recorder, manager, governance = users
    by_status = {
        IncidentStatus.DRAFT.value: recorder,
        IncidentStatus.SUBMITTED.value: recorder,
        IncidentStatus.SENT_BACK.value: manager,
        IncidentStatus.REVIEWED.value: manager,
        IncidentStatus.CLOSED.value: governance,
    }
    incident, at, from_status, to_status, step = [], [], [], [], []
    for number, (mask, when, before, after) in enumerate(changes):
        idx = np.flatnonzero(mask)
        incident.append(idx)
        at.append(when[idx])
        from_status.append(np.full(len(idx), before, dtype=object))
        to_status.append(np.full(len(idx), after, dtype=object))
        step.append(np.full(len(idx), number))
    incident_a, step_a = np.concatenate(incident), np.concatenate(step)
    order = np.lexsort((step_a, incident_a))
    to_a = np.concatenate(to_status)[order]
    note = np.where(to_a == IncidentStatus.SENT_BACK.value, SEND_BACK_NOTES[0], "").astype(object)
    _insert(
        ctx,
        IncidentStatusChange,
        {
            "id": np.arange(1, len(order) + 1),
            "incident_id": ids[incident_a[order]],
            "at": np.concatenate(at)[order],
            "by_id": np.array([by_status[s] for s in to_a.tolist()]),
            "from_status": np.concatenate(from_status)[order],
            "to_status": to_a,
            "note": note,
        },
    )


def _write_flags(
    ctx: DemoContext,
    *,
    iv_incident: np.ndarray,
    iv_type: np.ndarray,
    iv_start: np.ndarray,
    created: np.ndarray,
) -> None:
    """A prone-restraint review flag and a rapid-tranquillisation monitoring flag, once per incident."""
    incident, kind, detail = [], [], []
    for code, flag in (
        ("01", IncidentFlagKind.PRONE_REVIEW.value),
        ("14", IncidentFlagKind.RT_MONITORING.value),
    ):
        rows = np.flatnonzero(iv_type == code)
        rows = rows[np.r_[True, iv_incident[rows][1:] != iv_incident[rows][:-1]]] if len(rows) else rows
        starts = _iso(iv_start[rows])
        if code == "01":
            text = [json.dumps({"prone_started_at": s}) for s in starts]
        else:
            text = [json.dumps({"standard": "NICE QS154", "interval_minutes": 60, "from": s}) for s in starts]
        incident.append(iv_incident[rows])
        kind.append(np.full(len(rows), flag, dtype=object))
        detail.append(np.array(text, dtype=object))
    incident_a = np.concatenate(incident)
    order = np.argsort(incident_a, kind="stable")
    incident_a = incident_a[order]
    _insert(
        ctx,
        IncidentFlag,
        {
            "id": np.arange(1, len(order) + 1),
            "incident_id": incident_a + 1,
            "version_id": incident_a + 1,
            "kind": np.concatenate(kind)[order],
            "raised_at": created[incident_a],
            "detail": np.concatenate(detail)[order],
        },
    )


def _write_cqc_tasks(
    ctx: DemoContext,
    rng: np.random.Generator,
    *,
    version: dict[str, np.ndarray],
    provider_id: np.ndarray,
    period_end: np.datetime64,
    governance: int,
) -> None:
    """A CQC regulation 18 task for each incident with serious injury, police or an abuse allegation."""
    police = ~np.isnat(version["police_requested_at"])
    reasons = [
        (np.asarray(version["patient_serious_injury"], bool), CqcReason.SERIOUS_INJURY.value),
        (police, CqcReason.POLICE.value),
        (np.asarray(version["abuse_alleged"], bool), CqcReason.ABUSE_ALLEGATION.value),
    ]
    any_reason = np.logical_or.reduce([mask for mask, _ in reasons])
    idx = np.flatnonzero(any_reason)
    text = [json.dumps([reason for mask, reason in reasons if mask[i]]) for i in idx.tolist()]
    raised = version["recorded_at"][idx]
    done = rng.uniform(0, 3 * 86400, size=len(idx)).astype("timedelta64[s]")
    completed_at = raised + done
    complete = (rng.random(len(idx)) >= 0.05) & (completed_at <= period_end - np.timedelta64(2 * 86400, "s"))
    not_required = complete & (rng.random(len(idx)) < 0.15)
    status = np.where(complete, np.where(not_required, "not_required", "notified"), "open").astype(object)
    _insert(
        ctx,
        CqcNotificationTask,
        {
            "id": np.arange(1, len(idx) + 1),
            "incident_id": idx + 1,
            "provider_id": provider_id[idx],
            "raised_at": raised,
            "reasons": np.array(text, dtype=object),
            "regulation": np.full(len(idx), "Regulation 18", dtype=object),
            "due": np.full(len(idx), "Without delay", dtype=object),
            "status": status,
            "completed_at": np.where(complete, completed_at, np.datetime64("NaT", "s")),
            "completed_by_id": np.where(complete, governance, None).astype(object),
            "note": np.where(
                not_required, "Already reported to NHS England as a serious incident.", ""
            ).astype(object),
        },
    )
