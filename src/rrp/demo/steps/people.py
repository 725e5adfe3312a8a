"""Demo steps for patients, hospital spells and ward stays.

The model: every bed of every ward is a renewal process. A bed is occupied for a log-normal length
of stay, then empty for an exponential gap whose mean is set so that the bed is occupied a target
fraction of the time (86-93% per ward, so wards average about 90%). At the start of the period the
process is already in its steady state: a bed is occupied with that probability, by a stay drawn
from the length-biased log-normal (log-mean mu + sigma^2; a bed seen at a random moment is more
likely to hold a long stay) and part-way through. Wards that open during the period fill from
empty; wards that close discharge everyone on the day they close.

Because each bed's stays never overlap, the derived census never exceeds the beds. Stays are then
joined into spells (most PICU stays are transfers from an adult acute ward of the same provider on
the day the acute stay ends) and spells into patients (about one spell in seven is a readmission of
someone discharged from the same ward at least a week earlier).
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import nhs_number
import numpy as np
import pandas as pd
from django.conf import settings

from rrp.demo import reference as ref
from rrp.demo.registry import DemoContext, demo_step
from rrp.demo.steps.organisations import choose
from rrp.people.models import HospitalSpell, Patient, WardStay
from rrp.people.validation import TEST_RANGE_PREFIX

OCCUPANCY_RANGE = (0.86, 0.93)
PICU_TRANSFER_SHARE = 0.75
READMISSION_SHARE = 0.15
READMISSION_MIN_GAP_DAYS = 7
SECONDS_PER_DAY = 86_400


def demo_nhs_numbers(*, rng: np.random.Generator, count: int) -> list[str]:
    """`count` different valid NHS numbers in the 999 test range, in a seeded order.

    The check digit is the `nhs-number` library's; bodies whose check digit would be 10 have no valid
    number and are skipped. The range holds about 909,000 valid numbers.
    """
    numbers: list[str] = []
    for body in rng.permutation(1_000_000).tolist():
        digits = f"{TEST_RANGE_PREFIX}{body:06d}"
        check = nhs_number.calculate_checksum(digits)
        if check is None or check > 9:
            continue
        numbers.append(f"{digits}{check}")
        if len(numbers) == count:
            return numbers
    raise ValueError(f"The 999 test range has fewer than {count} valid NHS numbers; make a smaller demo")


def local_to_utc(local: np.ndarray) -> np.ndarray:
    """Naive local (Europe/London) times as datetime64[s] -> the same instants in UTC.

    Demo events fall between 09:00 and 22:00, so none is in a clock-change gap or overlap.
    """
    index = pd.DatetimeIndex(local).tz_localize(
        settings.TIME_ZONE, ambiguous=False, nonexistent="shift_forward"
    )
    return index.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")


def simulate_bed_stays(*, ctx: DemoContext, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Stays on every bed of every ward, as day numbers from the period's first day.

    Returns columns `ward_index`, `bed`, `start`, `end` (end >= n_days means still on the ward at
    the end of the period).
    """
    wards = ctx.frame("ward")
    n_days = ctx.n_days
    n_wards = len(wards["id"])
    occupancy = rng.uniform(*OCCUPANCY_RANGE, size=n_wards)
    bed_offset = np.concatenate([[0], np.cumsum(wards["beds"])])
    out: dict[str, list[np.ndarray]] = {"ward_index": [], "bed": [], "start": [], "end": []}
    for name, profile in ref.PROFILES.items():
        ward_index = np.flatnonzero(wards["specialism"] == name)
        if not len(ward_index):
            continue
        bed_ward = np.repeat(ward_index, wards["beds"][ward_index])
        bed_id = bed_offset[bed_ward] + np.concatenate([np.arange(b) for b in wards["beds"][ward_index]])
        n_beds = len(bed_ward)
        mu, sigma = np.log(profile.los_median), profile.los_sigma
        mean_los = float(np.exp(mu + sigma**2 / 2))
        target = occupancy[bed_ward]
        gap_mean = mean_los * (1 - target) / target
        opened, closed = wards["opened"][bed_ward], wards["closed"][bed_ward]
        horizon = np.where(closed >= 0, closed, n_days)
        new_ward = opened > 0
        start_at = np.where(new_ward, opened, 0)

        # Steady state at the start: occupied beds hold a length-biased stay, part-way through.
        occupied = ~new_ward & (rng.random(n_beds) < target)
        biased = np.maximum(1, np.rint(rng.lognormal(mu + sigma**2, sigma, n_beds))).astype(np.int64)
        elapsed = np.floor(rng.random(n_beds) * biased).astype(np.int64)
        first_start = np.maximum(start_at - elapsed, opened)
        first_end = start_at - elapsed + biased
        keep = occupied & (first_start < horizon)
        out["ward_index"].append(bed_ward[keep])
        out["bed"].append(bed_id[keep])
        out["start"].append(first_start[keep])
        out["end"].append(first_end[keep])

        # Then stays follow one another: gap, stay, gap, stay ... until the horizon.
        free_from = np.where(
            occupied, first_end, start_at + np.where(new_ward, rng.integers(0, 30, n_beds), 0)
        )
        block = int(min(400, np.ceil(n_days / (mean_los + gap_mean.mean()) * 1.2) + 4))
        active = np.flatnonzero(free_from < horizon)
        while len(active):
            los = np.maximum(1, np.rint(rng.lognormal(mu, sigma, (len(active), block)))).astype(np.int64)
            gap = np.rint(rng.exponential(gap_mean[active][:, None], (len(active), block))).astype(np.int64)
            ends = free_from[active][:, None] + np.cumsum(gap + los, axis=1)
            starts = ends - los
            inside = starts < horizon[active][:, None]
            rows = np.nonzero(inside)[0]
            out["ward_index"].append(bed_ward[active][rows])
            out["bed"].append(bed_id[active][rows])
            out["start"].append(starts[inside])
            out["end"].append(ends[inside])
            free_from[active] = ends[:, -1]
            active = active[free_from[active] < horizon[active]]

    stays = {
        key: np.concatenate(parts) if parts else np.array([], dtype=np.int64) for key, parts in out.items()
    }
    closed = wards["closed"][stays["ward_index"]]
    stays["end"] = np.where(closed >= 0, np.minimum(stays["end"], closed), stays["end"])
    order = np.lexsort((stays["bed"], stays["start"]))
    return {key: values[order] for key, values in stays.items()}


def link_transfers(
    *, rng: np.random.Generator, stays: dict[str, np.ndarray], wards: dict[str, np.ndarray], n_days: int
) -> np.ndarray:
    """For each stay, the index of the stay it is a transfer from (or -1).

    Most PICU stays begin on the day a patient leaves an adult acute ward of the same provider whose
    sexes are compatible; that acute stay and the PICU stay become one spell.
    """
    specialism = wards["specialism"][stays["ward_index"]]
    provider = wards["provider_id"][stays["ward_index"]]
    sex = wards["sex"][stays["ward_index"]]
    previous = np.full(len(stays["start"]), -1, dtype=np.int64)
    acute_by_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    acute = np.flatnonzero((specialism == "adult_acute") & (stays["end"] < n_days))
    for i, p, e in zip(acute.tolist(), provider[acute].tolist(), stays["end"][acute].tolist(), strict=True):
        acute_by_day[(p, e)].append(i)
    picu = np.flatnonzero(specialism == "picu")
    wanted = rng.random(len(picu)) < PICU_TRANSFER_SHARE
    for j, p, s, want in zip(
        picu.tolist(), provider[picu].tolist(), stays["start"][picu].tolist(), wanted, strict=True
    ):
        candidates = acute_by_day.get((p, s))
        if not want or not candidates:
            continue
        for k, i in enumerate(candidates):
            if sex[i] == sex[j] or "mixed" in (sex[i], sex[j]):
                previous[j] = candidates.pop(k)
                break
    return previous


@demo_step("people", after=("organisations",), models=(Patient, HospitalSpell, WardStay))
def people(ctx: DemoContext) -> None:
    """Patients, their spells and ward stays, with realistic lengths of stay and occupancy."""
    rng = ctx.rng_for("people")
    wards = ctx.frame("ward")
    n_days = ctx.n_days
    stays = simulate_bed_stays(ctx=ctx, rng=rng)
    n_stays = len(stays["start"])
    previous = link_transfers(rng=rng, stays=stays, wards=wards, n_days=n_days)

    # Times of day: discharges 09:00-13:00, admissions 14:00-22:00; a transfer starts when the
    # acute stay ends.
    admit_seconds = rng.integers(14 * 3600, 22 * 3600, n_stays) // 60 * 60
    leave_seconds = rng.integers(9 * 3600, 13 * 3600, n_stays) // 60 * 60
    transfer = np.flatnonzero(previous >= 0)
    admit_seconds[transfer] = leave_seconds[previous[transfer]]
    is_open = stays["end"] >= n_days
    day0 = ctx.day0.astype("datetime64[s]")
    started_local = day0 + (stays["start"] * SECONDS_PER_DAY + admit_seconds).astype("timedelta64[s]")
    ended_local = day0 + (stays["end"] * SECONDS_PER_DAY + leave_seconds).astype("timedelta64[s]")
    ended_local[is_open] = np.datetime64("NaT", "s")
    started_at, ended_at = local_to_utc(started_local), local_to_utc(ended_local)

    # Spells: a stay that is not a transfer starts a spell; a transfer joins its predecessor's.
    head = previous < 0
    spell_index = np.cumsum(head) - 1
    spell_index[transfer] = spell_index[previous[transfer]]
    n_spells = int(head.sum())
    spell_ids = np.arange(1, n_spells + 1)
    head_stay = np.flatnonzero(head)  # stays are in start order, so spells are too
    last_stay_of_spell = head_stay.copy()
    last_stay_of_spell[spell_index[transfer]] = transfer  # a spell with a transfer ends with it
    spell_start_day = stays["start"][head_stay]
    spell_end_day = stays["end"][last_stay_of_spell]
    spell_open = is_open[last_stay_of_spell]
    home_ward = stays["ward_index"][head_stay]

    # Patients: about one spell in seven readmits someone discharged from the same ward.
    readmit = rng.random(n_spells) < READMISSION_SHARE
    patient_of_spell = np.empty(n_spells, dtype=np.int64)
    waiting: dict[int, list[tuple[int, int]]] = defaultdict(list)
    ready: dict[int, list[int]] = defaultdict(list)
    n_patients = 0
    for s, (ward, start, end, still_open, again) in enumerate(
        zip(
            home_ward.tolist(),
            spell_start_day.tolist(),
            spell_end_day.tolist(),
            spell_open.tolist(),
            readmit.tolist(),
            strict=True,
        )
    ):
        queue, pool = waiting[ward], ready[ward]
        while queue and queue[0][0] <= start - READMISSION_MIN_GAP_DAYS:
            pool.append(heapq.heappop(queue)[1])
        if again and pool:
            patient_of_spell[s] = patient_of_spell[pool.pop()]
        else:
            patient_of_spell[s] = n_patients
            n_patients += 1
        if not still_open:
            heapq.heappush(queue, (end, s))

    first_spell = np.full(n_patients, -1, dtype=np.int64)
    first_spell[patient_of_spell[::-1]] = np.arange(n_spells)[::-1]
    patient_ward = home_ward[first_spell]
    patient_ids = np.arange(1, n_patients + 1)
    patient_columns = _patient_columns(
        ctx=ctx, rng=rng, ward_index=patient_ward, first_day=spell_start_day[first_spell], ids=patient_ids
    )
    ctx.writer.insert(Patient, patient_columns)

    spell_patient = patient_ids[patient_of_spell]
    spell_provider = wards["provider_id"][home_ward]
    ctx.writer.insert(
        HospitalSpell,
        {
            "id": spell_ids,
            "patient_id": spell_patient,
            "provider_id": spell_provider,
            "admitted_at": started_at[head_stay],
            "discharged_at": ended_at[last_stay_of_spell],
        },
    )
    stay_ids = np.arange(1, n_stays + 1)
    stay_spell = spell_ids[spell_index]
    stay_patient = spell_patient[spell_index]
    stay_ward = wards["id"][stays["ward_index"]]
    ctx.writer.insert(
        WardStay,
        {
            "id": stay_ids,
            "spell_id": stay_spell,
            "patient_id": stay_patient,
            "ward_id": stay_ward,
            "started_at": started_at,
            "ended_at": ended_at,
        },
    )
    ctx.publish(
        "patient",
        {
            "id": patient_ids,
            "provider_id": patient_columns["provider_id"],
            "sex": patient_columns["sex"],
            "ethnic_category": patient_columns["ethnic_category"],
            "nhs_number": np.array(patient_columns["nhs_number"]),
        },
    )
    ctx.publish(
        "spell",
        {
            "id": spell_ids,
            "patient_id": spell_patient,
            "provider_id": spell_provider,
            "start_day": spell_start_day,
        },
    )
    ctx.publish(
        "ward_stay",
        {
            "id": stay_ids,
            "spell_id": stay_spell,
            "patient_id": stay_patient,
            "ward_id": stay_ward,
            "start_day": stays["start"],  # day numbers from the period's first day (local dates)
            "end_day": np.minimum(stays["end"], n_days),  # n_days: still on the ward at the end
            "open": is_open,
            "started_at": started_at,  # UTC
            "ended_at": ended_at,
        },
    )


def _patient_columns(
    *,
    ctx: DemoContext,
    rng: np.random.Generator,
    ward_index: np.ndarray,
    first_day: np.ndarray,
    ids: np.ndarray,
) -> dict[str, np.ndarray | list[str]]:
    """Demographics for each patient, shaped by the ward of their first admission."""
    wards = ctx.frame("ward")
    providers = ctx.frame("provider")
    n = len(ids)
    specialism = wards["specialism"][ward_index]
    ward_sex = wards["sex"][ward_index]
    female = np.where(ward_sex == "female", True, np.where(ward_sex == "male", False, rng.random(n) < 0.5))
    sex = np.where(female, "2", "1")

    age = np.empty(n)
    diagnosis = np.empty(n, dtype=object)
    legal = np.empty(n, dtype=object)
    learning_disability = np.empty(n, dtype=object)
    autism = np.empty(n, dtype=object)
    for name, profile in ref.PROFILES.items():
        mask = specialism == name
        k = int(mask.sum())
        if not k:
            continue
        mean, sd, low, high = profile.age
        age[mask] = np.clip(rng.normal(mean, sd, k), low, high + 0.99)
        diagnosis[mask] = choose(rng, profile.diagnoses, k)
        legal[mask] = choose(rng, profile.legal, k)
        unknown = rng.random(k) < 0.08
        learning_disability[mask] = np.where(
            unknown, "U", np.where(rng.random(k) < profile.learning_disability, "Y", "N")
        )
        autism[mask] = np.where(unknown, "U", np.where(rng.random(k) < profile.autism, "Y", "N"))
    birth = ctx.day0 + first_day - np.floor(age * 365.25).astype(np.int64)

    gender = np.where(rng.random(n) < 0.93, sex, choose(rng, {"3": 1, "4": 0.5, "X": 4, "Z": 1.5}, n))
    pregnancy = np.where(
        ~female | (specialism == "older_adult"),
        "na",
        np.where(
            specialism == "mother_baby", "postnatal", choose(rng, {"no": 80, "unknown": 19, "pregnant": 1}, n)
        ),
    )
    male_names, female_names = np.array(ref.GIVEN_NAMES_MALE), np.array(ref.GIVEN_NAMES_FEMALE)
    given = np.where(
        female,
        female_names[rng.integers(len(female_names), size=n)],
        male_names[rng.integers(len(male_names), size=n)],
    )
    family = np.array(ref.FAMILY_NAMES)[rng.integers(len(ref.FAMILY_NAMES), size=n)]
    provider_id = wards["provider_id"][ward_index]
    codes = providers["code"][provider_id - 1]
    return {
        "id": ids,
        "provider_id": provider_id,
        "nhs_number": demo_nhs_numbers(rng=rng, count=n),
        "local_identifier": [f"{c}-{i:07d}" for c, i in zip(codes.tolist(), ids.tolist(), strict=True)],
        "given_name": given,
        "family_name": family,
        "date_of_birth": birth,
        "sex": sex,
        "gender_identity": gender,
        "ethnic_category": choose(rng, ref.ETHNICITY, n),
        "religion": choose(rng, ref.RELIGION, n),
        "sexual_orientation": choose(rng, ref.SEXUAL_ORIENTATION, n),
        "disability": choose(rng, ref.DISABILITY, n),
        "pregnancy": pregnancy,
        "learning_disability": learning_disability.astype(str),
        "autism": autism.astype(str),
        "primary_mental_disorder": diagnosis.astype(str),
        "legal_status": legal.astype(str),
    }
