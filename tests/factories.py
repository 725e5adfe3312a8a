"""Builders for synthetic test data. Plain functions with sensible defaults; override what a test needs."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.organisations.models import (
    Collaborative,
    CollaborativeMembership,
    Commissioner,
    Provider,
    Region,
    Site,
    Ward,
)
from rrp.people.models import HospitalSpell, Patient, StaffMember, WardStay

_counter = itertools.count(1)

# Valid NHS numbers (modulus 11) outside the 999 test range, for tests that are not in demo mode.
VALID_NHS_NUMBERS = [
    "9434765919",
    "4010232137",
    "9434765870",
    "9434765889",
    "9434765897",
    "9434765900",
    "9434765919",
]


def n() -> int:
    return next(_counter)


def region(**kw) -> Region:
    i = n()
    return Region.objects.create(**{"code": f"Y{i:02d}", "name": f"Region {i}", **kw})


def commissioner(*, region: Region, **kw) -> Commissioner:
    i = n()
    return Commissioner.objects.create(
        **{"ods_code": f"Q{i:03d}", "name": f"ICB {i}", "region": region, **kw}
    )


def provider(*, region: Region, commissioners: list[Commissioner] = (), **kw) -> Provider:
    i = n()
    p = Provider.objects.create(
        **{
            "ods_code": f"R{i:03d}",
            "name": f"Provider {i} NHS Trust",
            "kind": "nhs_trust",
            "region": region,
            **kw,
        }
    )
    p.commissioners.set(commissioners)
    return p


def site(*, provider: Provider, **kw) -> Site:
    i = n()
    return Site.objects.create(
        **{"provider": provider, "ods_code": f"S{i:04d}", "name": f"Hospital {i}", **kw}
    )


def ward(*, site: Site, **kw) -> Ward:
    i = n()
    return Ward.objects.create(
        **{
            "site": site,
            "provider": site.provider,
            "code": f"W{i:04d}",
            "name": f"Ward {i}",
            "specialism": "adult_acute",
            "sex": "mixed",
            "beds": 20,
            "opened_on": dt.date(2015, 1, 1),
            **kw,
        }
    )


def patient(*, provider: Provider, **kw) -> Patient:
    i = n()
    return Patient.objects.create(
        **{
            "provider": provider,
            "local_identifier": f"L{i:06d}",
            "given_name": f"Given{i}",
            "family_name": f"Family{i}",
            "date_of_birth": dt.date(1980, 1, 1),
            "sex": "1",
            **kw,
        }
    )


def stay(
    *,
    patient: Patient,
    ward: Ward,
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
) -> WardStay:
    started_at = started_at or timezone.now() - dt.timedelta(days=10)
    spell = HospitalSpell.objects.create(
        patient=patient, provider=ward.provider, admitted_at=started_at, discharged_at=ended_at
    )
    return WardStay.objects.create(
        spell=spell, patient=patient, ward=ward, started_at=started_at, ended_at=ended_at
    )


def user(*, role: Role, username: str | None = None, wards: list[Ward] = (), collaboratives=(), **kw) -> User:
    u = User.objects.create_user(
        username=username or f"user{n()}", password="correct-horse-battery", role=role, **kw
    )
    u.wards.set(wards)
    u.collaboratives.set(collaboratives)
    return u


@dataclass
class World:
    regions: list[Region] = field(default_factory=list)
    commissioners: list[Commissioner] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    wards: dict[str, Ward] = field(default_factory=dict)
    patients: dict[str, Patient] = field(default_factory=dict)
    collaborative: Collaborative | None = None
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    """Provider A (wards a1, a2) and provider B (ward b1) are commissioned by ICB 1; provider C (ward c1)
    by ICB 2. Ward a1 and c1 are in the collaborative. Each ward has one current patient."""
    w = World()
    r1, r2 = region(), region()
    icb1, icb2 = commissioner(region=r1), commissioner(region=r2)
    pa = provider(region=r1, commissioners=[icb1])
    pb = provider(region=r1, commissioners=[icb1])
    pc = provider(region=r2, commissioners=[icb2])
    w.regions, w.commissioners, w.providers = [r1, r2], [icb1, icb2], [pa, pb, pc]
    sa, sb, sc = site(provider=pa), site(provider=pb), site(provider=pc)
    w.wards = {"a1": ward(site=sa), "a2": ward(site=sa), "b1": ward(site=sb), "c1": ward(site=sc)}
    for key, wd in w.wards.items():
        p = patient(provider=wd.provider, given_name=f"Patient{key.upper()}")
        stay(patient=p, ward=wd)
        w.patients[key] = p
    w.collaborative = Collaborative.objects.create(
        name="National cohort", kind="national", starts_on=dt.date(2021, 4, 1)
    )
    for key in ("a1", "c1"):
        CollaborativeMembership.objects.create(
            collaborative=w.collaborative, ward=w.wards[key], joined_on=dt.date(2021, 4, 1)
        )
    w.users = {
        "ward_staff": user(role=Role.WARD_STAFF, provider=pa, wards=[w.wards["a1"]]),
        "ward_manager": user(role=Role.WARD_MANAGER, provider=pa, wards=[w.wards["a1"], w.wards["a2"]]),
        "provider_governance": user(role=Role.PROVIDER_GOVERNANCE, provider=pa, is_responsible_person=True),
        "commissioner": user(role=Role.COMMISSIONER, commissioner=icb1),
        "regulator": user(role=Role.REGULATOR),
        "national_analyst": user(role=Role.NATIONAL_ANALYST, collaboratives=[w.collaborative]),
        "system_admin": user(role=Role.SYSTEM_ADMIN),
        "collaborative_lead": user(role=Role.COLLABORATIVE_LEAD, collaboratives=[w.collaborative]),
        "provider_admin": user(role=Role.PROVIDER_ADMIN, provider=pa),
        # On no project team yet: reaches no ward until a project's team includes them.
        "expert_by_experience": user(
            role=Role.EXPERT_BY_EXPERIENCE, provider=pa, collaboratives=[w.collaborative]
        ),
    }
    StaffMember.objects.create(
        provider=pa, given_name="Sam", family_name="Nurse", job_title="Staff nurse", staff_group="nursing"
    )
    return w
