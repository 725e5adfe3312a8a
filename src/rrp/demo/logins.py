"""Demo logins: one user per role, one shared password, TOTP devices for two-factor roles.

Only ever made in demo mode (the generator refuses otherwise). TOTP keys are derived from the seed,
so the same demo gives the same authenticator secrets, and `rrp demo-logins` can print them.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.demo.registry import DemoContext, demo_step
from rrp.organisations.models import MonthlyBedDays
from rrp.people.models import StaffMember

DEMO_PASSWORD = "demo-password-1"
TOTP_DEVICE_NAME = "Demo authenticator"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    given_name: str
    family_name: str
    job_title: str


DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin("ward.staff", Role.WARD_STAFF, "Sam", "Staffnurse", "Staff Nurse"),
    DemoLogin("ward.manager", Role.WARD_MANAGER, "Morgan", "Manager", "Ward Manager"),
    DemoLogin("governance", Role.PROVIDER_GOVERNANCE, "Gabriel", "Governance", "Director of Nursing"),
    DemoLogin("commissioner", Role.COMMISSIONER, "Casey", "Commissioner", "Mental Health Commissioning Lead"),
    DemoLogin("regulator", Role.REGULATOR, "Robin", "Regulator", "Inspector"),
    DemoLogin("analyst", Role.NATIONAL_ANALYST, "Alex", "Analyst", "Programme Analyst"),
    DemoLogin("admin", Role.SYSTEM_ADMIN, "Ashley", "Admin", "System Administrator"),
    DemoLogin(
        "collaborative.lead", Role.COLLABORATIVE_LEAD, "Cameron", "Lead", "Collaborative Programme Lead"
    ),
    DemoLogin("provider.admin", Role.PROVIDER_ADMIN, "Parker", "Admin", "Information Systems Manager"),
    DemoLogin("expert.experience", Role.EXPERT_BY_EXPERIENCE, "Jordan", "Rivers", "Expert by Experience"),
]
DEMO_USERNAMES = [login.username for login in DEMO_LOGINS]


def demo_totp_key(*, seed: int, username: str) -> str:
    """A 20-byte TOTP key (hex, as django-otp stores it) derived from the seed and username."""
    return hashlib.sha256(f"rrp-demo-totp:{seed}:{username}".encode()).hexdigest()[:40]


def totp_secret_base32(device: TOTPDevice) -> str:
    """The key as the base32 text an authenticator app accepts."""
    return base64.b32encode(device.bin_key).decode()


def totp_current_code(device: TOTPDevice) -> str:
    """The device's six-digit code for this moment."""
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{totp.token():0{device.digits}d}"


def demo_logins_wipe(ctx: DemoContext) -> None:
    """Remove the demo users, first unhooking rows that point at them but are not theirs to delete."""
    users = User.objects.filter(username__in=DEMO_USERNAMES)
    StaffMember.objects.filter(user__in=users).update(user=None)
    MonthlyBedDays.objects.filter(recorded_by__in=users).update(recorded_by=None)
    users.delete()


@demo_step("logins", after=("organisations", "collaboratives", "staff"), wipe=demo_logins_wipe)
def logins(ctx: DemoContext) -> None:
    """One user per role on the first provider's first ward, its ICB and the national collaborative."""
    validate_password(DEMO_PASSWORD)
    password = make_password(DEMO_PASSWORD)  # hash once: Argon2 is deliberately slow
    providers, staff = ctx.frame("provider"), ctx.frame("staff")
    provider_id, ward_id = int(providers["id"][0]), int(ctx.frame("ward")["id"][0])
    commissioner_id = int(providers["commissioner_id"][0])
    links: dict[Role, dict[str, object]] = {
        Role.WARD_STAFF: {"provider_id": provider_id},
        Role.WARD_MANAGER: {"provider_id": provider_id},
        Role.PROVIDER_GOVERNANCE: {"provider_id": provider_id, "is_responsible_person": True},
        Role.PROVIDER_ADMIN: {"provider_id": provider_id},
        Role.COMMISSIONER: {"commissioner_id": commissioner_id},
        # The trust that involves them, so its project leads can add them to a team.
        Role.EXPERT_BY_EXPERIENCE: {"provider_id": provider_id},
    }
    for login in DEMO_LOGINS:
        user = User.objects.create(
            username=login.username,
            password=password,
            first_name=login.given_name,
            last_name=login.family_name,
            email=f"{login.username}@demo.invalid",
            role=login.role,
            job_title=login.job_title,
            **links.get(login.role, {}),
        )
        if login.role in (Role.WARD_STAFF, Role.WARD_MANAGER):
            user.wards.set([ward_id])
            # Tie the login to a member of the ward's team with the same job title, if there is one.
            match = (staff["ward_id"] == ward_id) & (staff["job_title"] == login.job_title)
            if match.any():
                StaffMember.objects.filter(pk=int(staff["id"][match][0])).update(user=user)
        if login.role in (Role.NATIONAL_ANALYST, Role.COLLABORATIVE_LEAD, Role.EXPERT_BY_EXPERIENCE):
            user.collaboratives.set([1])
        if user.requires_two_factor:
            TOTPDevice.objects.create(
                user=user,
                name=TOTP_DEVICE_NAME,
                key=demo_totp_key(seed=ctx.seed, username=login.username),
                confirmed=True,
            )
        ctx.writer.counts[User._meta.label] += 1
