"""The administration services' own refusals, called as the pages call them (issue 18 item 1): each bad
value is refused on its field with a message saying what is wrong, nothing is saved, and a good change is
audited with its reason. The pages' tests (test_administration.py) cover the common journeys; these cover
the rarer refusals a careless administrator meets, so none of them goes unchecked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rrp.accounts.models import User
from rrp.accounts.roles import Role
from rrp.administration import services
from rrp.core.models import AuditEvent
from rrp.organisations.models import Provider, Region, Site
from rrp.people.models import StaffMember

WHY = "Setting up the new unit"


def refused(call, **kwargs) -> dict[str, list[str]]:
    """The field errors a service refused the change with."""
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def audited(record) -> AuditEvent:
    return AuditEvent.objects.filter(record_type=record._meta.label, record_id=str(record.pk)).latest("id")


def test_system_admin_adds_a_region_and_a_taken_code_is_refused(world):
    admin = world.users["system_admin"]
    region = services.region_create(by=admin, code=" y99 ", name="Test region", reason=WHY)
    assert region.code == "Y99"
    assert audited(region).detail == {"reason": WHY, "changes": {"code": "Y99", "name": "Test region"}}
    errors = refused(services.region_create, by=admin, code="y99", name="", reason="")
    assert errors["code"] == ["A region with the code Y99 already exists"]
    assert errors["reason"] == ["Enter why you are making this change"]
    assert "name" in errors  # the model's own check: a name is required
    assert Region.objects.filter(code="Y99").count() == 1


def test_only_the_system_admin_adds_regions_and_providers(world):
    with pytest.raises(PermissionDenied):
        services.region_create(by=world.users["provider_admin"], code="Y98", name="X", reason=WHY)
    with pytest.raises(PermissionDenied):
        services.provider_create(
            by=world.users["provider_governance"],
            ods_code="RZZ",
            name="X",
            kind="nhs_trust",
            region=world.regions[0],
            reason=WHY,
        )


def test_system_admin_adds_a_provider_with_its_commissioners(world):
    admin = world.users["system_admin"]
    provider = services.provider_create(
        by=admin,
        ods_code=" rzz ",
        name="New Trust",
        kind="nhs_trust",
        region=world.regions[0],
        commissioners=[world.commissioners[0]],
        reason=WHY,
    )
    assert provider.ods_code == "RZZ"
    assert list(provider.commissioners.all()) == [world.commissioners[0]]
    changes = audited(provider).detail["changes"]
    assert changes["commissioners"] == [world.commissioners[0].pk]
    assert changes["region"] == world.regions[0].pk


def test_a_provider_with_a_taken_code_no_region_or_an_unknown_kind_is_refused(world):
    errors = refused(
        services.provider_create,
        by=world.users["system_admin"],
        ods_code=world.providers[0].ods_code.lower(),
        name="Copy",
        kind="hospice",
        region=None,
        reason=WHY,
    )
    assert errors["ods_code"] == [
        f"A provider with the ODS code {world.providers[0].ods_code} already exists"
    ]
    assert errors["region"] == ["Choose the provider's NHS England region"]
    assert "kind" in errors
    assert not Provider.objects.filter(name="Copy").exists()


def test_a_site_is_added_and_renamed_and_a_rename_to_the_same_name_is_refused(world):
    admin = world.users["provider_admin"]
    provider = world.providers[0]
    site = services.site_create(
        by=admin, provider=provider, ods_code=" rzz01 ", name="Hill House", reason=WHY
    )
    assert (site.ods_code, site.provider) == ("RZZ01", provider)
    errors = refused(
        services.site_create, by=admin, provider=provider, ods_code="rzz01", name="Again", reason=WHY
    )
    assert errors["ods_code"] == ["A site with the ODS code RZZ01 already exists"]

    seen = services.fingerprint(site, services.SITE_FIELDS)
    services.site_change(by=admin, site=site, name="Hill House Hospital", reason=WHY, seen=seen)
    site.refresh_from_db()
    assert site.name == "Hill House Hospital"
    assert audited(site).detail["changes"] == {"name": {"from": "Hill House", "to": "Hill House Hospital"}}

    errors = refused(services.site_change, by=admin, site=site, name=" Hill House Hospital ", reason=WHY)
    assert errors["name"] == ["The name is the same as before: nothing to change"]
    with pytest.raises(services.StaleChange):
        services.site_change(by=admin, site=site, name="Other", reason=WHY, seen=seen)
    site.refresh_from_db()
    assert site.name == "Hill House Hospital"


def test_a_provider_admin_cannot_add_a_site_to_another_provider(world):
    with pytest.raises(PermissionDenied):
        services.site_create(
            by=world.users["provider_admin"], provider=world.providers[1], ods_code="X1", name="X", reason=WHY
        )
    assert not Site.objects.filter(ods_code="X1").exists()


def test_a_ward_with_an_unknown_specialism_or_no_beds_is_refused(world):
    site = world.wards["a1"].site
    errors = refused(
        services.ward_create,
        by=world.users["provider_admin"],
        site=site,
        code="NEW9",
        name="Oak",
        specialism="astrology",
        sex="female",
        beds=0,
        opened_on=dt.date(2026, 1, 1),
        reason=WHY,
    )
    assert errors["beds"] == ["Enter the number of beds: at least 1"]
    assert "specialism" in errors


def test_a_ward_change_to_no_beds_is_refused_and_nothing_changes(world):
    ward = world.wards["a1"]
    beds = ward.beds
    errors = refused(
        services.ward_change,
        by=world.users["provider_admin"],
        ward=ward,
        name=ward.name,
        specialism=ward.specialism,
        sex=ward.sex,
        beds=0,
        closed_on=None,
        reason=WHY,
    )
    assert errors["beds"] == ["Enter the number of beds: at least 1"]
    ward.refresh_from_db()
    assert ward.beds == beds


def test_a_ward_change_that_changes_nothing_is_refused(world):
    ward = world.wards["a1"]
    errors = refused(
        services.ward_change,
        by=world.users["provider_admin"],
        ward=ward,
        name=ward.name,
        specialism=ward.specialism,
        sex=ward.sex,
        beds=ward.beds,
        closed_on=ward.closed_on,
        reason=WHY,
    )
    assert errors["__all__"] == ["Nothing was changed: change a detail, or go back"]


def account(**overrides) -> dict:
    return {
        "username": "new.person",
        "first_name": "New",
        "last_name": "Person",
        "email": "new.person@example.nhs.uk",
        "job_title": "Nurse",
        "role": Role.WARD_STAFF,
        "wards": [],
        "password": "a-long-and-unusual-phrase-7",
        "reason": WHY,
    } | overrides


@pytest.mark.parametrize(
    ("by", "provider", "fields", "field", "message"),
    [
        (
            "provider_admin",
            0,
            {"role": Role.REGULATOR},
            "role",
            "Choose one of the roles you may give",
        ),
        (
            "system_admin",
            None,
            {"role": Role.WARD_MANAGER},
            "role",
            "A provider's role is given from the provider's page: add the account there",
        ),
        (
            "system_admin",
            0,
            {"role": Role.REGULATOR},
            "role",
            "An account of a provider has one of the provider's roles",
        ),
        (
            "system_admin",
            None,
            {"role": Role.COMMISSIONER},
            "commissioner",
            "Choose the integrated care board this commissioner works for",
        ),
        (
            "provider_admin",
            0,
            {"role": Role.WARD_STAFF},
            "wards",
            "Choose at least one ward: ward staff and ward managers see only their wards",
        ),
        (
            "provider_admin",
            0,
            {"role": Role.WARD_STAFF, "wards": ["b1"]},
            "wards",
            "Choose wards of this provider only",
        ),
        (
            "provider_admin",
            0,
            {"role": Role.PROVIDER_GOVERNANCE, "username": "WARD.STAFF.TAKEN"},
            "username",
            "The username WARD.STAFF.TAKEN is taken: choose another",
        ),
        (
            "provider_admin",
            0,
            {"role": Role.PROVIDER_GOVERNANCE, "password": "password"},
            "password",
            "This password is too common.",
        ),
    ],
)
def test_an_account_with_a_wrong_role_wards_username_or_password_is_refused_on_its_field(
    world, by, provider, fields, field, message
):
    User.objects.filter(pk=world.users["ward_staff"].pk).update(username="ward.staff.taken")
    values = account(**fields)
    values["wards"] = [world.wards[key] for key in values["wards"]]
    errors = refused(
        services.user_create,
        by=world.users[by],
        provider=None if provider is None else world.providers[provider],
        **values,
    )
    assert message in errors[field]
    assert (
        not User.objects.filter(username=values["username"]).exclude(pk=world.users["ward_staff"].pk).exists()
    )


def test_a_commissioner_account_keeps_its_board(world):
    created = services.user_create(
        by=world.users["system_admin"],
        provider=None,
        commissioner=world.commissioners[1],
        **account(role=Role.COMMISSIONER),
    )
    assert created.commissioner == world.commissioners[1]
    assert created.check_password("a-long-and-unusual-phrase-7")
    assert "password" not in audited(created).detail["changes"]


def test_no_one_else_manages_accounts(world):
    assert services.grantable_roles(world.users["provider_governance"]) == []
    assert not services.may_manage_account(world.users["ward_manager"], world.users["ward_staff"])
    assert set(services.grantable_roles(world.users["system_admin"])) == set(Role)
    assert services.grantable_roles(world.users["provider_admin"]) == [
        Role.WARD_STAFF,
        Role.WARD_MANAGER,
        Role.PROVIDER_GOVERNANCE,
        Role.PROVIDER_ADMIN,
        Role.EXPERT_BY_EXPERIENCE,
    ]
    # A provider administrator manages its own provider's accounts, not another provider's or a national one.
    admin = world.users["provider_admin"]
    assert services.may_manage_account(admin, world.users["ward_staff"])
    assert not services.may_manage_account(admin, world.users["regulator"])
    with pytest.raises(PermissionDenied):
        services.user_two_factor_reset(by=admin, account=world.users["regulator"], reason=WHY)


def test_an_account_change_that_changes_nothing_or_has_no_reason_is_refused(world):
    staff = world.users["ward_staff"]
    same = {
        "first_name": staff.first_name,
        "last_name": staff.last_name,
        "email": staff.email,
        "job_title": staff.job_title,
        "role": staff.role,
        "wards": list(staff.wards.all()),
        "is_active": True,
    }
    errors = refused(
        services.user_change, by=world.users["provider_admin"], account=staff, reason=WHY, **same
    )
    assert errors["__all__"] == ["Nothing was changed: change a detail, or go back"]
    errors = refused(
        services.user_two_factor_reset, by=world.users["provider_admin"], account=staff, reason=" "
    )
    assert errors["reason"] == ["Enter why you are making this change"]


def roster_entry(**overrides) -> dict:
    return {
        "given_name": "Ade",
        "family_name": "Okoro",
        "job_title": "Healthcare assistant",
        "staff_group": "nursing",
        "employee_number": "E100",
        "wards": [],
        "reason": WHY,
    } | overrides


def test_staff_are_added_with_their_wards_and_a_taken_employee_number_is_refused(world):
    admin = world.users["provider_admin"]
    provider = world.providers[0]
    member = services.staff_create(by=admin, provider=provider, **roster_entry(wards=[world.wards["a1"]]))
    assert list(member.wards.all()) == [world.wards["a1"]]
    changes = audited(member).detail["changes"]
    assert (changes["employee_number"], changes["wards"]) == ("E100", [world.wards["a1"].pk])

    errors = refused(
        services.staff_create,
        by=admin,
        provider=provider,
        **roster_entry(given_name="Bea", wards=[world.wards["b1"]], staff_group="astronaut"),
    )
    assert errors["employee_number"] == ["Someone on the roster already has the employee number E100"]
    assert errors["wards"] == ["Choose wards of this provider only"]
    assert "staff_group" in errors
    assert not StaffMember.objects.filter(given_name="Bea").exists()

    # Another provider may use the same employee number: numbers are the employer's own.
    other = services.staff_create(
        by=world.users["system_admin"], provider=world.providers[1], **roster_entry()
    )
    assert other.employee_number == "E100"


def test_a_roster_change_that_changes_nothing_is_refused(world):
    member = StaffMember.objects.get(family_name="Nurse")
    errors = refused(
        services.staff_change,
        by=world.users["provider_admin"],
        member=member,
        given_name=member.given_name,
        family_name=member.family_name,
        job_title=member.job_title,
        staff_group=member.staff_group,
        employee_number=member.employee_number,
        wards=[],
        left_on=None,
        reason=WHY,
    )
    assert errors["__all__"] == ["Nothing was changed: change a detail, or go back"]


def test_review_rules_with_no_interval_given_change_nothing(world):
    provider = world.providers[0]
    before = AuditEvent.objects.count()
    assert (
        services.provider_review_rules_set(by=world.users["provider_admin"], provider=provider, reason=WHY)
        is None
    )
    assert AuditEvent.objects.count() == before
    errors = refused(
        services.provider_review_rules_set, by=world.users["provider_admin"], provider=provider, reason=""
    )
    assert errors["reason"] == ["Enter why you are making this change"]
