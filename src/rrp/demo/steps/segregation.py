"""Demo step: seclusion and long-term segregation episodes, their reviews and observations.

Rates and durations (see docs/segregation.md, "Demo data"): seclusions per 1,000 occupied bed days by
specialism, concentrated on a few patients; durations log-normal with a median of 5 hours (about one
in twenty lasts more than a day, a few several days); long-term segregation (LTS) for about one in
six long stays on learning disability and autism and high or medium secure wards, lasting months.
Reviews follow the default Code of Practice schedule, mostly on time, some late (about one in eight,
by 5 minutes to 2 hours) and, on a few wards, late more often; observations every 15 minutes for
seclusions in the last week. Episodes still going at the end of the period are active in the demo,
so the overdue views have something true to show.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db.models import Q
from django.utils import timezone

from rrp.accounts.models import User
from rrp.demo import reference as ref
from rrp.demo.registry import DemoContext, demo_step
from rrp.people.models import StaffMember, WardStay
from rrp.segregation import schedules
from rrp.segregation.models import (
    CommissionerVisit,
    EndPlanStep,
    EndPlanVersion,
    Episode,
    EpisodeVersion,
    IndependentReview,
    NamedAccessGrant,
    NamedAccessRevocation,
    Observation,
    PanelMember,
    Recommendation,
    RecommendationUpdate,
    Review,
)

# Seclusions per 1,000 occupied bed days (MHSDS-like orders of magnitude; PICU highest).
SECLUSION_RATE = {
    "picu": 12.0,
    "forensic_low": 3.0,
    "forensic_medium": 4.0,
    "forensic_high": 4.0,
    "ld_autism": 5.0,
    "cyp": 4.0,
    "adult_acute": 1.5,
    "older_adult": 0.2,
    "eating_disorder": 0.3,
    "rehabilitation": 0.5,
    "mother_baby": 0.0,
    "other": 0.5,
}
# Chance that a stay of at least 60 days includes a period of long-term segregation.
LTS_CHANCE = {"ld_autism": 0.2, "forensic_high": 0.15, "forensic_medium": 0.08, "picu": 0.01, "cyp": 0.03}
# Chance that a patient on a high-seclusion ward is in seclusion at the end of the period.
CURRENT_SECLUSION_CHANCE = 0.04
SECLUSION_MEDIAN_HOURS, SECLUSION_SIGMA = 5.0, 1.0
LTS_MEDIAN_DAYS, LTS_SIGMA = 90.0, 0.7
ROOMS = ["Seclusion room 1", "Seclusion room 2", "De-escalation suite"]
LTS_AREAS = ["Annexe flat", "Extra care area", "Self-contained suite"]
SECLUSION_REASONS = [
    "Assaulted a member of staff and continued to threaten others.",
    "Repeated attempts to assault other patients; not responding to de-escalation.",
    "Broke furniture and threatened staff with a piece of it.",
]
LTS_REASONS = ["Sustained risk of serious harm to others, a constant feature of presentation."]
SECLUSION_PLANS = [
    "End when calm for 30 minutes and able to agree a plan for returning to the ward.",
    "Graded return to the ward after a period of settled behaviour; review medication.",
]
LTS_PLANS = [
    "Graded reintegration: time on the main ward with two staff, increasing weekly.",
    "Positive behaviour support plan; sensory assessment; planned move to a bespoke community placement.",
]
OUTCOMES = [
    "Remains highly aroused; continue.",
    "Settling but not yet safe to end.",
    "Calm and engaging; end.",
]
OBSERVATIONS = ["Lying on the mattress, breathing normally.", "Pacing, shouting at the door.", "Asleep."]
TITLE_GROUP = {title: group for title, group, _, _ in ref.WARD_STAFF_MIX} | {
    ref.FORENSIC_STAFF[0]: ref.FORENSIC_STAFF[1]
}
APPEND_ONLY = (Observation, Review, EpisodeVersion, Episode)


def segregation_demo_wipe(ctx: DemoContext) -> None:
    """Delete the demo's episodes: their tables refuse DELETE, so (demo mode only, inside the generator's
    one transaction) the triggers are dropped and made again, as the force step does."""
    ctx.writer.delete_all_append_only(APPEND_ONLY)


def _minute(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(second=0, microsecond=0) if value is not None else None


def _utc(value: np.datetime64) -> dt.datetime:
    return value.astype("datetime64[s]").astype(dt.datetime).replace(tzinfo=dt.UTC)


def _np(value: dt.datetime | None) -> np.datetime64:
    if value is None:
        return np.datetime64("NaT", "s")
    return np.datetime64(value.astimezone(dt.UTC).replace(tzinfo=None), "s")


class _Rows:
    def __init__(self) -> None:
        self.columns: dict[str, list] = defaultdict(list)

    def add(self, **values) -> None:
        for name, value in values.items():
            self.columns[name].append(value)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {}
        for name, values in self.columns.items():
            if values and isinstance(values[0], np.datetime64):
                out[name] = np.array(values, dtype="datetime64[s]")
            else:
                out[name] = np.array(values, dtype=object)
        return out


# Not `after` "incidents": that step may be absent. When present it is registered first (force comes before
# segregation in INSTALLED_APPS), so it runs first and its `incident` frame is used to link episodes.
@demo_step("segregation", after=("people", "staff", "logins"), wipe=segregation_demo_wipe)
def segregation(ctx: DemoContext) -> None:
    """Seclusion and LTS episodes on the demo's wards, with reviews (some late) and observations."""
    rng = ctx.rng
    wards, stays, staff = ctx.frame("ward"), ctx.frame("ward_stay"), ctx.frame("staff")
    users = dict(User.objects.filter(username__in=["ward.staff"]).values_list("username", "pk"))
    recorder = users.get("ward.staff")
    if recorder is None or not len(stays["id"]):
        return
    cutoff = _utc(np.datetime64(ctx.last_day) + np.timedelta64(1, "D")) - dt.timedelta(hours=1)
    ward_index = {int(w): k for k, w in enumerate(wards["id"])}
    staff_by_ward: dict[tuple[int, str], list[int]] = defaultdict(list)
    for sid, wid, title in zip(staff["id"], staff["ward_id"], staff["job_title"], strict=True):
        staff_by_ward[(int(wid), TITLE_GROUP.get(str(title), "other"))].append(int(sid))
    names = {
        pk: (f"{given} {family}", title)
        for pk, given, family, title in StaffMember.objects.values_list(
            "id", "given_name", "family_name", "job_title"
        )
    }
    incidents = _incident_days(ctx)
    # Wards whose reviews are often late (about one in five wards), so the overdue views differ.
    sloppy = rng.random(len(wards["id"])) < 0.2

    ep, ver, rev, obs = _Rows(), _Rows(), _Rows(), _Rows()
    next_episode = 1
    propensity = rng.gamma(0.5, 2.0, size=len(stays["id"]))
    for i in range(len(stays["id"])):
        k = ward_index[int(stays["ward_id"][i])]
        specialism = str(wards["specialism"][k])
        start, end = _utc(stays["started_at"][i]), stays["ended_at"][i]
        end = cutoff if np.isnat(end) else min(_utc(end), cutoff)
        still_on_ward = end == cutoff
        if end <= start + dt.timedelta(days=1):
            continue
        days = (end - start).total_seconds() / 86400
        ward_id, patient_id = int(stays["ward_id"][i]), int(stays["patient_id"][i])
        provider_id = int(wards["provider_id"][k])
        late_chance = 0.35 if sloppy[k] else 0.1
        periods: list[tuple[str, dt.datetime, dt.datetime | None]] = []
        # Long-term segregation: one period in some long stays, starting anywhere in the stay, so the
        # ones still going at the end of the period are the current LTS register.
        if still_on_ward and days >= 21 and rng.random() < LTS_CHANCE.get(specialism, 0.0) / 2:
            # In LTS now: the register's current entries, weeks to months so far.
            so_far = min(float(rng.lognormal(np.log(LTS_MEDIAN_DAYS / 2), LTS_SIGMA)), days - 7)
            periods.append(("long_term_segregation", _minute(end - dt.timedelta(days=so_far)), None))
        elif days >= 45 and rng.random() < LTS_CHANCE.get(specialism, 0.0):
            lts_start = start + dt.timedelta(days=float(rng.uniform(7, days - 1)))
            length = dt.timedelta(days=float(min(rng.lognormal(np.log(LTS_MEDIAN_DAYS), LTS_SIGMA), 700)))
            lts_end = lts_start + length
            if lts_end >= end:
                lts_end = None if still_on_ward else end - dt.timedelta(hours=2)
            periods.append(("long_term_segregation", _minute(lts_start), _minute(lts_end)))
        # Seclusions: Poisson with the ward's rate and the patient's propensity, spread over the stay.
        count = rng.poisson(SECLUSION_RATE.get(specialism, 0.5) / 1000 * days * propensity[i])
        taken_until = start
        for offset in np.sort(rng.uniform(0.5, days, size=count)):
            s = start + dt.timedelta(days=float(offset))
            s = max(s, taken_until + dt.timedelta(hours=float(rng.uniform(1, 12))))
            hours = float(min(rng.lognormal(np.log(SECLUSION_MEDIAN_HOURS), SECLUSION_SIGMA), 24 * 7))
            e = s + dt.timedelta(hours=hours)
            if s >= end:
                break
            if e >= end:
                # Still in seclusion at the end of the period only if it began in the last day and the
                # patient is still on the ward; otherwise it ended before they left.
                if still_on_ward and end - s < dt.timedelta(hours=30):
                    e = None
                else:
                    e = max(end - dt.timedelta(minutes=5), s + dt.timedelta(minutes=30))
            s, e = _minute(s), _minute(e)
            periods.append(("seclusion", s, e))
            taken_until = e or end
        # A few people in seclusion now (the period's last hours), on the wards that seclude most.
        if (
            still_on_ward
            and taken_until < end - dt.timedelta(hours=24)
            and SECLUSION_RATE.get(specialism, 0) >= 3
            and rng.random() < CURRENT_SECLUSION_CHANCE
        ):
            periods.append(("seclusion", _minute(end - dt.timedelta(hours=float(rng.uniform(1, 20)))), None))
        for kind, s, e in periods:
            eid = next_episode
            next_episode += 1
            doctor = _pick(rng, staff_by_ward, ward_id, "medical")
            nurse = _pick(rng, staff_by_ward, ward_id, "nursing")
            by_doctor = kind == "long_term_segregation" or rng.random() < 0.3
            authoriser = doctor if by_doctor and doctor else nurse
            lts = kind == "long_term_segregation"
            ep.add(
                id=eid,
                provider_id=provider_id,
                ward_id=ward_id,
                patient_id=patient_id,
                kind=kind,
                created_at=_np(s + dt.timedelta(minutes=20)),
                created_by_id=recorder,
            )
            ver.add(
                episode_id=eid,
                number=1,
                recorded_at=_np(s + dt.timedelta(minutes=20)),
                recorded_by_id=recorder,
                change_reason="",
                started_at=_np(s),
                ended_at=_np(e),
                place=str(rng.choice(LTS_AREAS if lts else ROOMS)),
                authorised_by_id=authoriser,
                authorised_by_name=names[authoriser][0] if authoriser else "Duty doctor",
                authorised_by_doctor=bool(by_doctor and doctor),
                reason=str(rng.choice(LTS_REASONS if lts else SECLUSION_REASONS)),
                end_plan=str(rng.choice(LTS_PLANS if lts else SECLUSION_PLANS)),
                incident_id=None if lts else incidents.get((patient_id, s.date())),
                mdt_decision="MDT agreed long-term segregation to reduce a sustained risk of harm to others."
                if lts
                else "",
                mdt_decided_at=_np(s) if lts else _np(None),
                commissioner_representative="ICB case manager" if lts else "",
                end_reason=("Reintegrated onto the ward." if lts else "Calm; no longer needed.") if e else "",
            )
            _reviews(
                rng,
                rev,
                eid=eid,
                kind=kind,
                start=s,
                # Half the episodes still going have had no review for the last few hours: overdue now.
                end=e
                or (cutoff - dt.timedelta(hours=float(rng.uniform(1, 8))) if rng.random() < 0.5 else cutoff),
                by_doctor=bool(by_doctor and doctor),
                ward_id=ward_id,
                staff=staff_by_ward,
                names=names,
                late_chance=late_chance,
                recorder=recorder,
                ended=e is not None,
            )
            if kind == "seclusion" and (e or cutoff) > cutoff - dt.timedelta(days=7):
                _observations(
                    rng,
                    obs,
                    eid=eid,
                    start=s,
                    end=e or cutoff,
                    ward_id=ward_id,
                    staff=staff_by_ward,
                    names=names,
                    recorder=recorder,
                )
    if not ep.columns:
        return
    ctx.writer.insert(Episode, ep.arrays())
    ctx.writer.insert(EpisodeVersion, ver.arrays())
    if rev.columns:
        ctx.writer.insert(Review, rev.arrays())
    if obs.columns:
        ctx.writer.insert(Observation, obs.arrays())
    episode = ep.arrays()
    version = ver.arrays()
    ctx.publish(
        "segregation_episode",
        {
            "id": np.array(episode["id"], dtype=np.int64),
            "ward_id": np.array(episode["ward_id"], dtype=np.int64),
            "patient_id": np.array(episode["patient_id"], dtype=np.int64),
            "kind": np.array(episode["kind"], dtype=str),
            "started_at": version["started_at"],
            "ended_at": version["ended_at"],
        },
    )


def _incident_days(ctx: DemoContext) -> dict[tuple[int, dt.date], int]:
    """The patient's use-of-force incident on a day, to link a seclusion that began that day."""
    frame = ctx.frames.get("incident")
    if not frame or not len(frame["id"]):
        return {}
    days = ctx.first_day + np.asarray(frame["occurred_day"]).astype("timedelta64[D]").astype(object)
    return {
        (int(p), d): int(i) for i, p, d in zip(frame["id"], frame["patient_id"], days.tolist(), strict=True)
    }


def _pick(rng, staff, ward_id: int, group: str, exclude: int | None = None) -> int | None:
    choices = [s for s in staff.get((ward_id, group), []) if s != exclude]
    return int(rng.choice(choices)) if choices else None


def _reviews(
    rng, rows: _Rows, *, eid, kind, start, end, by_doctor, ward_id, staff, names, late_chance, recorder, ended
) -> None:
    """Reviews on the default schedule: each done a little early or on time, some late."""
    rules = schedules.DEFAULT_RULES

    def lateness() -> dt.timedelta:
        if rng.random() < late_chance:
            return dt.timedelta(minutes=float(rng.uniform(5, 120)))
        return -dt.timedelta(minutes=float(rng.uniform(0, 30)))

    def add(review_kind: str, at: dt.datetime, group: str | None, second: bool = False) -> None:
        reviewer = _pick(rng, staff, ward_id, group) if group else None
        other = _pick(rng, staff, ward_id, group, exclude=reviewer) if second else None
        if (group and reviewer is None) or (second and other is None):
            return
        final = ended and end - at < dt.timedelta(hours=1)
        rows.add(
            episode_id=eid,
            kind=review_kind,
            at=_np(at.replace(second=0, microsecond=0)),
            reviewer_id=reviewer,
            reviewer_name=names[reviewer][0] if reviewer else "Dr Independent Reviewer",
            reviewer_role=names[reviewer][1] if reviewer else "Consultant psychiatrist, another provider",
            second_reviewer_id=other,
            second_reviewer_name=names[other][0] if other else "",
            outcome=str(OUTCOMES[2] if final else rng.choice(OUTCOMES[:2])),
            decision="end" if final else "continue",
            recorded_at=_np(at + dt.timedelta(minutes=10)),
            recorded_by_id=recorder,
        )

    def series(review_kind, first, interval_after, group, second=False) -> list[dt.datetime]:
        done, due = [], start + first
        while True:
            at = max(due + lateness(), start + dt.timedelta(minutes=1))
            if at >= end:
                return done
            add(review_kind, at, group, second)
            done.append(at)
            due = at + interval_after(at)

    minutes = schedules.minutes
    if kind == "seclusion":
        mdt = series(
            "mdt",
            minutes(rules.seclusion_mdt_minutes),
            lambda _a: minutes(rules.seclusion_mdt_minutes),
            "medical",
        )
        first_mdt = mdt[0] if mdt else None

        def medical_interval(at):
            if first_mdt is not None and first_mdt <= at + minutes(rules.seclusion_medical_minutes):
                return minutes(rules.seclusion_medical_after_mdt_minutes)
            return minutes(rules.seclusion_medical_minutes)

        first = rules.seclusion_medical_minutes if by_doctor else rules.seclusion_first_medical_minutes
        series("medical", minutes(first), medical_interval, "medical")
        series(
            "nursing",
            minutes(rules.seclusion_nursing_minutes),
            lambda _a: minutes(rules.seclusion_nursing_minutes),
            "nursing",
            second=True,
        )
        if end - start >= minutes(rules.independent_mdt_continuous_minutes):
            at = (
                start
                + minutes(rules.independent_mdt_continuous_minutes)
                + dt.timedelta(minutes=float(rng.uniform(0, 240)))
            )
            if at < end:
                add("independent_mdt", at, "psychology")
    else:
        series(
            "approved_clinician",
            minutes(rules.lts_approved_clinician_minutes),
            lambda _a: minutes(rules.lts_approved_clinician_minutes),
            "medical",
        )
        series("mdt", minutes(rules.lts_mdt_minutes), lambda _a: minutes(rules.lts_mdt_minutes), "medical")
        series(
            "external_independent",
            minutes(rules.lts_external_minutes),
            lambda _a: minutes(rules.lts_external_minutes),
            None,
        )


def _observations(rng, rows: _Rows, *, eid, start, end, ward_id, staff, names, recorder) -> None:
    at = start + dt.timedelta(minutes=15)
    while at < end:
        observer = _pick(rng, staff, ward_id, "support") or _pick(rng, staff, ward_id, "nursing")
        rows.add(
            episode_id=eid,
            at=_np(at.replace(second=0, microsecond=0)),
            observer_id=observer,
            observer_name=names[observer][0] if observer else "Observer",
            note=str(rng.choice(OBSERVATIONS)),
            recorded_at=_np(at + dt.timedelta(minutes=2)),
            recorded_by_id=recorder,
        )
        at += dt.timedelta(minutes=float(rng.uniform(12, 17)))


# --- Oversight (issue 17): independent reviews with recommendations, plans to end segregation, and a
# commissioner's named-access grant, for everyone in long-term segregation at the end of the period.

OVERSIGHT_APPEND_ONLY = (
    CommissionerVisit,
    NamedAccessRevocation,
    NamedAccessGrant,
    EndPlanStep,
    EndPlanVersion,
    RecommendationUpdate,
    Recommendation,
    PanelMember,
    IndependentReview,
)
PANEL = [
    ("Dr Priya Independent", "independent_clinician", "Consultant psychiatrist, another trust"),
    ("Jordan Expert", "expert_by_experience", "Experts by experience network"),
    ("Casey Commissioner", "commissioner", "ICB case management"),
]
RECOMMENDATIONS = [
    ("Daily time off the unit in the garden, with two staff", "provider"),
    ("Find and commission a bespoke community placement", "commissioner"),
    ("Sensory assessment by an occupational therapist", "provider"),
]
STEPS = [
    "Meals in the main dining room with one-to-one support",
    "Two hours a day on the main ward with two staff",
    "Move back to a bedroom on the main ward",
]


def segregation_oversight_wipe(ctx: DemoContext) -> None:
    ctx.writer.delete_all_append_only(OVERSIGHT_APPEND_ONLY)


@demo_step("segregation_oversight", after=("segregation", "logins"), wipe=segregation_oversight_wipe)
def segregation_oversight(ctx: DemoContext) -> None:
    """For each person in LTS at the end of the period: an independent review with three recommendations
    (one overdue, one achieved with evidence, one not yet due) and a plan to end segregation with a step
    done, one late and one ahead; and a named-access grant for the demo commissioner to the first such
    person at the demo logins' provider."""
    rng = ctx.rng_for("segregation_oversight")
    users = dict(
        User.objects.filter(username__in=["ward.staff", "governance", "commissioner"]).values_list(
            "username", "pk"
        )
    )
    if len(users) < 3:
        return
    today = ctx.last_day
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    home = int(ctx.frame("provider")["id"][0])
    _ensure_home_lts(ctx, home=home, now=now, recorder=users["ward.staff"])
    lts = list(
        Episode.objects.filter(kind="long_term_segregation").active().select_related("patient").order_by("pk")
    )
    for episode in lts:
        began = timezone.localtime(episode.current_started_at).date()
        days_in = (today - began).days
        held_on = today - dt.timedelta(days=int(min(days_in, rng.integers(20, 50))))
        review = IndependentReview.objects.create(
            provider_id=episode.provider_id,
            patient_id=episode.patient_id,
            episode=episode,
            kind="independent_segregation",
            held_on=held_on,
            person_views="I want to go outside more and see my family. I do not like being on my own all day.",
            family_views="Family: he is calmer with a routine and familiar staff; they want a placement nearer home.",
            findings="Segregation is still needed to manage the risk to others, but the plan to end it has "
            "stalled: too little time off the unit and no placement being sought.",
            recorded_at=now,
            recorded_by_id=users["ward.staff"],
        )
        PanelMember.objects.bulk_create(
            PanelMember(independent_review=review, name=n, role=r, organisation=o) for n, r, o in PANEL
        )
        dues = [
            held_on + dt.timedelta(days=14),
            today + dt.timedelta(days=60),
            held_on + dt.timedelta(days=10),
        ]
        for number, ((text, owner), due) in enumerate(zip(RECOMMENDATIONS, dues, strict=True), start=1):
            rec = Recommendation.objects.create(
                independent_review=review, number=number, text=text, owner=owner, due_on=max(due, held_on)
            )
            RecommendationUpdate.objects.create(
                recommendation=rec,
                number=1,
                status="open",
                recorded_at=now,
                recorded_by_id=users["ward.staff"],
            )
            if number == 3:
                RecommendationUpdate.objects.create(
                    recommendation=rec,
                    number=2,
                    status="achieved",
                    evidence="Assessment done; sensory diet added to the care plan.",
                    recorded_at=now,
                    recorded_by_id=users["ward.staff"],
                )
        plan = EndPlanVersion.objects.create(
            episode=episode,
            number=1,
            aim="Living on the main ward with one-to-one support, then a move to a community placement.",
            recorded_at=now,
            recorded_by_id=users["ward.staff"],
        )
        done = today - dt.timedelta(days=int(min(days_in, rng.integers(15, 45))))
        EndPlanStep.objects.bulk_create(
            [
                EndPlanStep(plan=plan, number=1, text=STEPS[0], planned_on=done, done_on=done),
                EndPlanStep(plan=plan, number=2, text=STEPS[1], planned_on=today - dt.timedelta(days=7)),
                EndPlanStep(plan=plan, number=3, text=STEPS[2], planned_on=today + dt.timedelta(days=45)),
            ]
        )
    first = next((e for e in lts if e.provider_id == home), None)
    if first is not None:
        granted = NamedAccessGrant.objects.create(
            user_id=users["commissioner"],
            patient_id=first.patient_id,
            provider_id=home,
            lawful_basis="care_commissioning",
            basis_detail="Case manager for their placement and discharge planning.",
            starts_at=now - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=120),
            granted_by_id=users["governance"],
        )
        CommissionerVisit.objects.create(
            provider_id=home,
            patient_id=first.patient_id,
            grant=granted,
            visited_on=today - dt.timedelta(days=12),
            notes="Visited on the unit with the advocate. He showed us the garden and asked when he can go "
            "out for the day; staff say the plan's second step has not started for want of two staff.",
            recorded_at=now,
            recorded_by_id=users["commissioner"],
        )
    _cetrs(ctx, home=home, today=today, now=now, recorder=users["ward.staff"])


CETR_FINDINGS = (
    "Care is safe but the person does not need to be in hospital: discharge is delayed by the lack of a "
    "community placement with staff who know autism."
)


def _cetrs(ctx: DemoContext, *, home: int, today: dt.date, now: dt.datetime, recorder: int) -> None:
    """C(E)TRs for the inpatients at the logins' provider with a learning disability or autism, so the
    schedule has every kind of row: in turn a C(E)TR held 40 days ago (due later), one held long enough
    ago that the next is overdue, and none since admission (the post-admission one, overdue or due)."""
    stays = (
        WardStay.objects.filter(
            ward__provider_id=home, ended_at__isnull=True, spell__discharged_at__isnull=True
        )
        .filter(Q(patient__learning_disability="Y") | Q(patient__autism="Y"))
        .select_related("spell", "patient", "ward")
        .order_by("patient_id")
    )
    for i, stay in enumerate(stays):
        admitted = timezone.localtime(stay.spell.admitted_at).date()
        held_on = [today - dt.timedelta(days=40), today - dt.timedelta(days=400), None][i % 3]
        if held_on is None or held_on < admitted:
            continue
        kind = "cetr" if stay.patient.age_on(held_on) < 18 else "ctr"
        review = IndependentReview.objects.create(
            provider_id=home,
            patient_id=stay.patient_id,
            kind=kind,
            held_on=held_on,
            person_views="I want to live in my own flat near my family, with staff I know.",
            family_views="Family: they want to be involved in planning the move and visits every week.",
            findings=CETR_FINDINGS,
            recorded_at=now,
            recorded_by_id=recorder,
        )
        PanelMember.objects.bulk_create(
            PanelMember(independent_review=review, name=n, role=r, organisation=o) for n, r, o in PANEL
        )
        rec = Recommendation.objects.create(
            independent_review=review,
            number=1,
            text="Commission a community placement and agree a discharge date",
            owner="commissioner",
            due_on=held_on + dt.timedelta(days=90),
        )
        RecommendationUpdate.objects.create(
            recommendation=rec, number=1, status="open", recorded_at=now, recorded_by_id=recorder
        )


def _ensure_home_lts(ctx: DemoContext, *, home: int, now: dt.datetime, recorder: int) -> None:
    """Make sure someone is in LTS at the demo logins' provider, so the demo commissioner's grant and the
    governance pages have a person to show: if the random episodes left no one there, the patient on one of
    its wards now with the longest stay and no episode of LTS is put in LTS 75 days before the end."""
    if Episode.objects.filter(provider_id=home, kind="long_term_segregation").active().exists():
        return
    stays, wards = ctx.frame("ward_stay"), ctx.frame("ward")
    home_wards = {int(w) for w, p in zip(wards["id"], wards["provider_id"], strict=True) if int(p) == home}
    had_lts = set(Episode.objects.filter(kind="long_term_segregation").values_list("patient_id", flat=True))
    candidates = [
        (np.datetime64(started, "s"), int(patient), int(ward))
        for patient, ward, started, is_open in zip(
            stays["patient_id"], stays["ward_id"], stays["started_at"], stays["open"], strict=True
        )
        if int(ward) in home_wards and bool(is_open) and int(patient) not in had_lts
    ]
    if not candidates:
        return
    _started, patient_id, ward_id = min(candidates)
    started = now - dt.timedelta(days=75)
    episode = Episode.objects.create(
        provider_id=home,
        ward_id=ward_id,
        patient_id=patient_id,
        kind="long_term_segregation",
        created_at=started,
        created_by_id=recorder,
    )
    EpisodeVersion.objects.create(
        episode=episode,
        number=1,
        recorded_at=started,
        recorded_by_id=recorder,
        started_at=started,
        place=LTS_AREAS[0],
        authorised_by_name="Dr Demo Consultant",
        authorised_by_doctor=True,
        reason=LTS_REASONS[0],
        end_plan=LTS_PLANS[0],
        mdt_decision="The multidisciplinary team agreed long-term segregation is needed to reduce the risk.",
        mdt_decided_at=started,
        commissioner_representative="ICB case manager",
    )
