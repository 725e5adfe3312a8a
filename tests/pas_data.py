"""Synthetic journeys through a hospital written both ways a patient administration system sends them: HL7
v2 ADT messages and the CSV files of `rrp import patients` / `rrp import ward-stays`. Used by the tests
that both routes give the same stays, and by bench/adt_bench.py. Only synthetic people: NHS numbers in
the 999 test range."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import nhs_number


@dataclass
class Journey:
    local_identifier: str
    nhs_number: str
    given_name: str
    family_name: str
    born: dt.date
    sex: str  # HL7 M/F
    visit_number: str
    stays: list[tuple[str, dt.datetime]] = field(default_factory=list)  # (ward code, from)
    discharged_at: dt.datetime | None = None


def synthetic_nhs_number(i: int) -> str:
    """A valid NHS number in the 999 test range, different for each i (a base whose check digit would
    be 10 is skipped, as no number has it)."""
    base = 999_000_000 + i * 4
    while True:
        for candidate in (f"{base:09d}{last}" for last in range(10)):
            if nhs_number.is_valid(candidate):
                return candidate
        base += 1


def journeys(
    ward_codes: list[str], *, patients: int, start: dt.datetime, days: int, seed: int = 1, prefix: str = "P"
) -> list[Journey]:
    """Each patient admitted once in the period, moved between wards 0-2 times, most discharged."""
    rng = random.Random(seed)
    made = []
    for i in range(patients):
        admitted = start + dt.timedelta(minutes=rng.randrange(days * 24 * 60 // 2))
        journey = Journey(
            local_identifier=f"{prefix}{i:07d}",
            nhs_number=synthetic_nhs_number(i + 20_000 * seed),
            given_name=rng.choice(["Alex", "Sam", "Jo", "Ash", "Kit", "Robin"]),
            family_name=rng.choice(["Smith", "Jones", "Patel", "Brown", "Khan", "Taylor"]),
            born=dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50)),
            sex=rng.choice("MF"),
            visit_number=f"V{prefix}{i:07d}",
        )
        moment = admitted
        ward = rng.choice(ward_codes)
        journey.stays.append((ward, moment))
        for _ in range(rng.choice([0, 0, 1, 2])):
            moment += dt.timedelta(minutes=rng.randrange(60, 20 * 24 * 60))
            ward = rng.choice([w for w in ward_codes if w != ward] or ward_codes)
            journey.stays.append((ward, moment))
        if rng.random() < 0.8:
            journey.discharged_at = moment + dt.timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
        made.append(journey)
    return made


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M+0000")


def adt_messages(items: list[Journey], *, prefix: str = "M") -> list[str]:
    """The ADT messages of the journeys, in the order the events happened (A01, A02s, A03)."""
    events: list[tuple[dt.datetime, int, str, Journey, str]] = []
    for j in items:
        for index, (ward, moment) in enumerate(j.stays):
            events.append((moment, 1, "A01" if index == 0 else "A02", j, ward))
        if j.discharged_at:
            events.append((j.discharged_at, 0, "A03", j, j.stays[-1][0]))
    events.sort(key=lambda e: (e[0], e[1]))
    return [
        adt_message(trigger, j, ward=ward, at=moment, control_id=f"{prefix}{n:08d}")
        for n, (moment, _, trigger, j, ward) in enumerate(events, start=1)
    ]


def adt_message(trigger: str, j: Journey, *, ward: str, at: dt.datetime, control_id: str) -> str:
    stamp = _ts(at)
    pv1_44 = stamp if trigger == "A01" else ""
    pv1_45 = stamp if trigger == "A03" else ""
    pv1 = ["PV1", "1", "I", f"{ward}^^^RRP"] + [""] * 15 + [j.visit_number] + [""] * 24 + [pv1_44, pv1_45]
    return "\r".join(
        [
            f"MSH|^~\\&|PAS|TRUST|RRP|TRUST|{stamp}||ADT^{trigger}^ADT_A01|{control_id}|P|2.4",
            f"EVN|{trigger}|{stamp}||||{stamp}",
            f"PID|1||{j.local_identifier}^^^TRUST^MR~{j.nhs_number}^^^NHS^NH||{j.family_name}^{j.given_name}||"
            f"{j.born:%Y%m%d}|{j.sex}",
            "|".join(pv1),
        ]
    )


def patients_csv(items: list[Journey]) -> str:
    lines = ["local_identifier,nhs_number,given_name,family_name,date_of_birth,sex"]
    for j in items:
        sex = "1" if j.sex == "M" else "2"
        lines.append(
            f"{j.local_identifier},{j.nhs_number},{j.given_name},{j.family_name},{j.born:%Y-%m-%d},{sex}"
        )
    return "\n".join(lines) + "\n"


def stays_csv(items: list[Journey]) -> str:
    lines = ["local_identifier,visit_number,ward_code,started_at,ended_at"]
    for j in items:
        for index, (ward, moment) in enumerate(j.stays):
            end = j.stays[index + 1][1] if index + 1 < len(j.stays) else j.discharged_at
            ended = end.astimezone(dt.UTC).isoformat() if end else ""
            lines.append(
                f"{j.local_identifier},{j.visit_number},{ward},{moment.astimezone(dt.UTC).isoformat()},{ended}"
            )
    return "\n".join(lines) + "\n"
