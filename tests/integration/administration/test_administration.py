"""The administration pages and services (issue 18 item 1): the provider administrator keeps its own
provider's sites, wards, accounts, staff roster and review rules, and nothing else; the system
administrator keeps every provider's; each change has a reason in the audit log and nothing is deleted.

The world (tests/factories.build_world): provider A has wards a1 and a2, B has b1, C has c1; the provider
administrator is provider A's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.administration import services
from rrp.core.models import AuditEvent
from rrp.organisations.models import Site, Ward
from rrp.people.models import StaffMember
from rrp.segregation.models import RULE_FIELDS
from rrp.segregation.services import rules_for
from tests import factories
from tests.helpers import signed_in_client

REASON = "New ward opening in the spring"


def ward_post(site: Site, **overrides) -> dict:
    return {
        "site": site.pk,
        "code": "NEW1",
        "name": "Willow",
        "specialism": "adult_acute",
        "sex": "female",
        "beds": "18",
        "opened_on": "2026-01-05",
        "reason": REASON,
    } | overrides


def last_audit(record_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(record_type=record_type).order_by("-id").first()


def test_provider_admin_adds_a_ward_to_its_provider_with_the_reason_audited(world):
    admin = world.users["provider_admin"]
    site = world.wards["a1"].site
    response = signed_in_client(admin).post(
        f"/administration/providers/{world.providers[0].pk}/wards/add/", ward_post(site)
    )
    assert response.status_code == 302
    ward = Ward.objects.get(code="NEW1")
    assert (ward.provider, ward.beds, ward.sex) == (world.providers[0], 18, "female")
    event = last_audit("organisations.Ward")
    assert event.actor_id == admin.pk and event.provider_id == world.providers[0].pk
    assert event.detail["reason"] == REASON
    assert event.detail["changes"]["beds"] == 18


def test_a_change_without_a_reason_is_refused_naming_the_field_and_saves_nothing(world):
    admin = world.users["provider_admin"]
    site = world.wards["a1"].site
    response = signed_in_client(admin).post(
        f"/administration/providers/{world.providers[0].pk}/wards/add/",
        ward_post(site, reason="  ", beds="0"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter why you are making this change" in page
    assert "Enter the number of beds: at least 1" in page
    assert not Ward.objects.filter(code="NEW1").exists()


def test_a_taken_ward_code_is_refused_by_name(world):
    admin = world.users["provider_admin"]
    taken = world.wards["b1"].code  # another provider's: codes are unique across RRP
    with pytest.raises(ValidationError) as refused:
        services.ward_create(
            by=admin,
            site=world.wards["a1"].site,
            code=taken,
            name="X",
            specialism="picu",
            sex="male",
            beds=10,
            opened_on=dt.date(2025, 1, 1),
            reason=REASON,
        )
    assert "already exists" in refused.value.message_dict["code"][0]


def test_closing_a_ward_keeps_it_and_it_can_reopen(world):
    admin = world.users["provider_admin"]
    ward = world.wards["a2"]
    common = {"name": ward.name, "specialism": ward.specialism, "sex": ward.sex, "beds": ward.beds}
    services.ward_change(
        by=admin, ward=ward, closed_on=dt.date(2026, 3, 31), reason="Merged into a1", **common
    )
    ward.refresh_from_db()
    assert ward.closed_on == dt.date(2026, 3, 31)
    assert ward.ward_stays.exists()  # its history is still there
    services.ward_change(by=admin, ward=ward, closed_on=None, reason="Reopened for winter", **common)
    ward.refresh_from_db()
    assert ward.closed_on is None
    event = last_audit("organisations.Ward")
    assert event.detail["changes"] == {"closed_on": {"from": "2026-03-31", "to": None}}


def test_a_ward_cannot_close_before_it_opened(world):
    ward = world.wards["a2"]
    with pytest.raises(ValidationError) as refused:
        services.ward_change(
            by=world.users["provider_admin"],
            ward=ward,
            name=ward.name,
            specialism=ward.specialism,
            sex=ward.sex,
            beds=ward.beds,
            closed_on=ward.opened_on - dt.timedelta(days=1),
            reason="x",
        )
    # The date as the NHS.UK style writes it (4 May 2023, never 04 May 2023).
    opened = f"{ward.opened_on.day} {ward.opened_on:%B %Y}"
    assert refused.value.message_dict["closed_on"] == [f"The ward cannot close before it opened ({opened})"]


def test_a_change_from_a_stale_page_is_refused(world):
    admin = world.users["provider_admin"]
    ward = world.wards["a2"]
    seen = services.fingerprint(ward, services.WARD_FIELDS)
    common = {"specialism": ward.specialism, "sex": ward.sex, "beds": ward.beds, "closed_on": None}
    services.ward_change(by=admin, ward=ward, name="Oak", reason="Renamed by the trust", seen=seen, **common)
    with pytest.raises(services.StaleChange):
        services.ward_change(by=admin, ward=ward, name="Ash", reason="Renamed again", seen=seen, **common)
    ward.refresh_from_db()
    assert ward.name == "Oak"


def test_provider_admin_cannot_touch_another_providers_set_up(world):
    admin = world.users["provider_admin"]
    client = signed_in_client(admin)
    b1 = world.wards["b1"]
    provider_b = world.providers[1]
    b_user = factories.user(role=Role.WARD_STAFF, provider=provider_b, wards=[b1])
    b_staff = StaffMember.objects.create(
        provider=provider_b, given_name="Bo", family_name="B", job_title="Nurse", staff_group="nursing"
    )
    for path in [
        f"/administration/providers/{provider_b.pk}/",
        f"/administration/providers/{provider_b.pk}/wards/add/",
        f"/administration/providers/{provider_b.pk}/accounts/add/",
        f"/administration/providers/{provider_b.pk}/staff/",
        f"/administration/providers/{provider_b.pk}/review-rules/",
        f"/administration/wards/{b1.pk}/",
        f"/administration/sites/{b1.site_id}/",
        f"/administration/accounts/{b_user.pk}/",
        f"/administration/accounts/{b_user.pk}/two-factor/",
        f"/administration/accounts/{world.users['system_admin'].pk}/",
        f"/administration/staff/{b_staff.pk}/",
    ]:
        assert client.get(path).status_code == 404, path
        # 405 for the pages that only show (the provider's page, the roster)
        assert client.post(path, {"reason": "x", "name": "Taken"}).status_code in (404, 405), path
    b1.refresh_from_db()
    assert b1.name != "Taken"
    with pytest.raises(PermissionDenied):
        services.site_create(by=admin, provider=provider_b, ods_code="XB1", name="B site", reason="x")
    with pytest.raises(PermissionDenied):
        services.user_change(
            by=admin,
            account=b_user,
            first_name="",
            last_name="",
            email="",
            job_title="",
            role=Role.WARD_STAFF,
            wards=[b1],
            is_active=False,
            reason="x",
        )


def test_provider_admin_cannot_open_any_patient_or_incident_page(world, complete_incident):
    client = signed_in_client(world.users["provider_admin"])
    for path in [
        "/patients/",
        f"/patients/{world.patients['a1'].pk}/",
        "/incidents/",
        f"/incidents/{complete_incident.pk}/",
        f"/wards/{world.wards['a1'].pk}/",
        "/wards/",
    ]:
        assert client.get(path).status_code in (403, 404), path


@pytest.mark.parametrize(
    "role", ["system_admin", "regulator", "commissioner", "national_analyst", "collaborative_lead"]
)
def test_provider_admin_gives_only_its_providers_roles(world, role):
    client = signed_in_client(world.users["provider_admin"])
    response = client.post(
        f"/administration/providers/{world.providers[0].pk}/accounts/add/",
        {
            "first_name": "Eve",
            "last_name": "Escalate",
            "username": "eve",
            "role": role,
            "password": "a-long-first-password-9",
            "reason": "Trying to reach further",
        },
    )
    assert response.status_code == 400
    assert (
        "Choose one of the roles you may give" in response.content.decode()
        or "Choose the role" in response.content.decode()
    )
    assert not User.objects.filter(username="eve").exists()


def test_provider_admin_adds_an_expert_by_experience_to_its_provider(world):
    """Decision 0083 (0071 left it to the system administrator): the trust's own administrator gives the
    expert by experience role on its provider's page; the account belongs to the provider, so its project
    leads can add them to a team, and it reaches no ward until they do."""
    client = signed_in_client(world.users["provider_admin"])
    page = client.get(f"/administration/providers/{world.providers[0].pk}/accounts/add/").content.decode()
    assert 'value="expert_by_experience"' in page
    assert 'value="commissioner"' not in page and 'value="collaborative_lead"' not in page
    response = client.post(
        f"/administration/providers/{world.providers[0].pk}/accounts/add/",
        {
            "first_name": "Jo",
            "last_name": "Lived",
            "username": "jo.lived",
            "email": "jo@example.org",
            "job_title": "Expert by experience",
            "role": "expert_by_experience",
            "first_sign_in": "password",
            "password": "a-long-first-password-9",
            "reason": "Joining the seclusion reduction project",
        },
    )
    assert response.status_code == 302
    expert = User.objects.get(username="jo.lived")
    assert expert.role == Role.EXPERT_BY_EXPERIENCE and expert.provider == world.providers[0]
    assert not expert.wards.exists() and not expert.requires_two_factor
    assert last_audit("accounts.User").detail["reason"] == "Joining the seclusion reduction project"
    # Theirs to keep: the provider administrator opens and changes the account afterwards.
    account_page = client.get(f"/administration/accounts/{expert.pk}/")
    assert account_page.status_code == 200


def test_provider_admin_cannot_give_an_expert_by_experience_wards_or_another_providers(world):
    admin = world.users["provider_admin"]
    common = {
        "by": admin,
        "username": "jo.lived",
        "first_name": "Jo",
        "last_name": "Lived",
        "email": "",
        "job_title": "",
        "role": Role.EXPERT_BY_EXPERIENCE,
        "password": "a-long-first-password-9",
        "reason": "Joining a project",
    }
    with pytest.raises(ValidationError) as refused:
        services.user_create(provider=world.providers[0], wards=[world.wards["a1"]], **common)
    assert refused.value.message_dict["wards"] == [
        "Tick no wards for an expert by experience: they see only the wards of the project teams they are "
        "added to"
    ]
    with pytest.raises(PermissionDenied):
        services.user_create(provider=world.providers[1], **common)
    assert not User.objects.filter(username="jo.lived").exists()
    # Another provider's expert by experience is not theirs to change.
    other = factories.user(role=Role.EXPERT_BY_EXPERIENCE, provider=world.providers[1])
    assert services.may_manage_account(admin, world.users["expert_by_experience"])
    assert not services.may_manage_account(admin, other)
    assert signed_in_client(admin).get(f"/administration/accounts/{other.pk}/").status_code == 404


def test_provider_admin_adds_a_ward_manager_with_its_wards_only(world):
    admin = world.users["provider_admin"]
    a1, b1 = world.wards["a1"], world.wards["b1"]
    common = {
        "by": admin,
        "provider": world.providers[0],
        "username": "wm2",
        "first_name": "Wendy",
        "last_name": "M",
        "email": "",
        "job_title": "Ward manager",
        "role": Role.WARD_MANAGER,
        "password": "a-long-first-password-9",
        "reason": "New starter",
    }
    with pytest.raises(ValidationError) as refused:
        services.user_create(wards=[a1, b1], **common)
    assert refused.value.message_dict["wards"] == ["Choose wards of this provider only"]
    account = services.user_create(wards=[a1], **common)
    assert account.provider == world.providers[0] and list(account.wards.all()) == [a1]
    assert account.check_password("a-long-first-password-9")
    assert last_audit("accounts.User").detail["reason"] == "New starter"


def test_deactivating_keeps_the_account_and_it_cannot_sign_in(world):
    admin = world.users["provider_admin"]
    staff = world.users["ward_staff"]
    client = signed_in_client(admin)
    page = client.get(f"/administration/accounts/{staff.pk}/").content.decode()
    seen = services.fingerprint(staff, services.USER_FIELDS)
    assert seen in page
    response = client.post(
        f"/administration/accounts/{staff.pk}/",
        {
            "first_name": staff.first_name or "Sam",
            "last_name": staff.last_name or "Staff",
            "email": "",
            "job_title": "",
            "role": "ward_staff",
            "wards": [world.wards["a1"].pk],
            "reason": "Left the trust",
            "seen": seen,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    staff.refresh_from_db()
    assert staff.is_active is False
    assert signed_in_client(staff).get("/").status_code != 200
    assert last_audit("accounts.User").detail["changes"]["is_active"] == {"from": True, "to": False}


def test_an_administrator_cannot_deactivate_themselves(world):
    admin = world.users["provider_admin"]
    with pytest.raises(ValidationError) as refused:
        services.user_change(
            by=admin,
            account=admin,
            first_name="P",
            last_name="A",
            email="",
            job_title="",
            role=Role.PROVIDER_ADMIN,
            wards=[],
            is_active=False,
            reason="Oops",
        )
    assert "is_active" in refused.value.message_dict


def test_two_factor_reset_forgets_the_device_with_the_reason(world):
    governance = world.users["provider_governance"]
    TOTPDevice.objects.create(user=governance, name="phone", confirmed=True)
    response = signed_in_client(world.users["provider_admin"]).post(
        f"/administration/accounts/{governance.pk}/two-factor/", {"reason": "Lost phone"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=governance, name="phone").exists()
    assert last_audit("accounts.User").detail["reason"] == "Lost phone"


def test_a_leaver_stays_on_the_roster(world):
    admin = world.users["provider_admin"]
    member = StaffMember.objects.get(family_name="Nurse")
    client = signed_in_client(admin)
    response = client.post(
        f"/administration/staff/{member.pk}/",
        {
            "given_name": member.given_name,
            "family_name": member.family_name,
            "job_title": member.job_title,
            "staff_group": member.staff_group,
            "employee_number": "",
            "left_on": "2026-11-30",
            "reason": "Resigned",
            "seen": services.fingerprint(member, services.STAFF_FIELDS),
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.left_on == dt.date(2026, 11, 30)
    page = client.get(f"/administration/providers/{world.providers[0].pk}/staff/").content.decode()
    assert "Sam Nurse" in page and "30 November 2026" in page


def test_review_rules_are_set_with_a_reason(world):
    provider = world.providers[0]
    before = rules_for(provider.pk)
    client = signed_in_client(world.users["provider_admin"])
    form = {name: getattr(before, name) for name in RULE_FIELDS}
    changed = RULE_FIELDS[0]
    form[changed] = getattr(before, changed) + 5
    response = client.post(
        f"/administration/providers/{provider.pk}/review-rules/", form | {"reason": "Policy v4 approved"}
    )
    assert response.status_code == 302
    assert getattr(rules_for(provider.pk), changed) == getattr(before, changed) + 5
    event = last_audit("segregation.ReviewRules")
    assert event.detail["reason"] == "Policy v4 approved"


@pytest.mark.parametrize(
    "role",
    ["ward_staff", "ward_manager", "provider_governance", "commissioner", "regulator", "national_analyst"],
)
def test_other_roles_have_no_administration(world, role):
    client = signed_in_client(world.users[role])
    assert client.get("/administration/").status_code == 403
    assert client.get(f"/administration/providers/{world.providers[0].pk}/").status_code == 403
    assert "/administration/" not in client.get("/").content.decode()


def test_administration_is_in_the_header_for_administrators(world):
    for role in ("system_admin", "provider_admin"):
        assert 'href="/administration/"' in signed_in_client(world.users[role]).get("/").content.decode()


def test_system_admin_sees_every_provider_and_provider_admin_goes_to_its_own(world):
    page = signed_in_client(world.users["system_admin"]).get("/administration/").content.decode()
    assert all(p.name in page for p in world.providers)
    response = signed_in_client(world.users["provider_admin"]).get("/administration/")
    assert response.status_code == 302
    assert response["Location"] == f"/administration/providers/{world.providers[0].pk}/"


def test_the_audit_log_shows_why_and_the_provider_admin_sees_only_its_provider(world):
    admin = world.users["provider_admin"]
    ward = world.wards["a2"]
    services.ward_change(
        by=admin,
        ward=ward,
        name="Rowan",
        specialism=ward.specialism,
        sex=ward.sex,
        beds=ward.beds,
        closed_on=None,
        reason="Renamed after the consultation",
    )
    services.ward_change(
        by=world.users["system_admin"],
        ward=world.wards["b1"],
        name="Birch",
        specialism="picu",
        sex="male",
        beds=8,
        closed_on=None,
        reason="Provider B's own change",
    )
    page = signed_in_client(admin).get("/audit/").content.decode()
    assert f"ward {ward.pk}" in page and "Why: Renamed after the consultation" in page
    assert "Provider B&#39;s own change" not in page and "Provider B's own change" not in page
