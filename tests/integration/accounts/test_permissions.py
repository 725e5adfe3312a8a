"""accounts.permissions.has_permission, rule by rule, and the helpers views use.

The world (tests/factories.build_world): provider A has wards a1 and a2, B has b1, C has c1; ward staff
work on a1, the ward manager on a1 and a2, governance is provider A's; the regulator is read-only.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template import engines
from django.test import RequestFactory

from rrp.accounts.permissions import (
    has_permission,
    permission_required,
    require_permission,
    sees_unsuppressed,
)
from rrp.accounts.roles import (
    PERMISSION_DEFINITIONS,
    ROLE_DEFINITIONS,
    Permission,
    Role,
    role_grants,
)
from rrp.accounts.scope import scope_memo, scope_of
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.web.selectors import audit_events_for

P = Permission


def test_every_permission_is_described():
    assert set(PERMISSION_DEFINITIONS) == set(Permission)
    assert all(d.description.strip() for d in PERMISSION_DEFINITIONS.values())


def test_no_read_only_role_lists_a_permission_that_writes():
    for definition in ROLE_DEFINITIONS.values():
        if definition.read_only:
            writes = {p for p in definition.permissions if PERMISSION_DEFINITIONS[p].writes}
            assert not writes, definition.role


def test_has_permission_false_when_role_lacks_it(world):
    assert has_permission(world.users["provider_governance"], P.BOARD_REPORT_VIEW)
    assert not has_permission(world.users["ward_staff"], P.BOARD_REPORT_VIEW)


def test_has_permission_false_for_an_inactive_or_anonymous_user(world):
    user = world.users["provider_governance"]
    user.is_active = False
    assert not has_permission(user, P.BOARD_REPORT_VIEW)
    assert not has_permission(AnonymousUser(), P.WARD_VIEW)


def test_has_permission_false_for_a_ward_outside_scope(world):
    staff = world.users["ward_staff"]
    assert has_permission(staff, P.INCIDENT_RECORD, ward=world.wards["a1"])
    assert not has_permission(staff, P.INCIDENT_RECORD, ward=world.wards["a2"])
    assert not has_permission(staff, P.INCIDENT_RECORD, ward=world.wards["b1"])


def test_has_permission_patient_permission_needs_a_ward_whose_patients_are_seen(world, monkeypatch):
    # No role in the table holds a patient permission without seeing patients, so give the commissioner
    # one: it sees ward a1's figures, never its patients.
    commissioner = world.users["commissioner"]
    definition = ROLE_DEFINITIONS[Role.COMMISSIONER]
    widened = dataclasses.replace(definition, permissions=definition.permissions | {P.INCIDENT_VIEW})
    monkeypatch.setitem(ROLE_DEFINITIONS, Role.COMMISSIONER, widened)
    assert has_permission(commissioner, P.WARD_VIEW, ward=world.wards["a1"])
    assert has_permission(commissioner, P.INCIDENT_VIEW)
    assert not has_permission(commissioner, P.INCIDENT_VIEW, ward=world.wards["a1"])


def test_has_permission_false_for_a_provider_outside_scope(world):
    governance = world.users["provider_governance"]
    assert has_permission(governance, P.AIM_SET, provider=world.providers[0])
    assert not has_permission(governance, P.AIM_SET, provider=world.providers[1])


def test_has_permission_read_only_role_never_writes_even_if_the_table_says_so(world, monkeypatch):
    regulator = world.users["regulator"]
    definition = ROLE_DEFINITIONS[Role.REGULATOR]
    mistaken = dataclasses.replace(definition, permissions=definition.permissions | {P.INCIDENT_RECORD})
    monkeypatch.setitem(ROLE_DEFINITIONS, Role.REGULATOR, mistaken)
    assert not role_grants(Role.REGULATOR, P.INCIDENT_RECORD)
    assert not has_permission(regulator, P.INCIDENT_RECORD, ward=world.wards["a1"])
    assert has_permission(regulator, P.INCIDENT_VIEW, ward=world.wards["a1"])


def test_has_permission_unknown_context_key_raises(world):
    with pytest.raises(TypeError):
        has_permission(world.users["ward_staff"], P.INCIDENT_RECORD, incident=world.wards["a1"])


def test_has_permission_context_of_the_wrong_type_raises(world):
    with pytest.raises(TypeError, match="ward must be a Ward, not Provider"):
        has_permission(world.users["ward_staff"], P.INCIDENT_RECORD, ward=world.providers[0])
    with pytest.raises(TypeError, match="provider must be a Provider"):
        has_permission(world.users["ward_staff"], P.INCIDENT_RECORD, provider=world.wards["a1"].pk)


def test_has_permission_needs_a_permission_not_a_string(world):
    with pytest.raises(TypeError):
        has_permission(world.users["ward_staff"], "incident_record")


def test_require_permission_is_403_for_the_role_and_404_outside_scope(world):
    staff = world.users["ward_staff"]
    require_permission(staff, P.INCIDENT_RECORD, ward=world.wards["a1"])
    with pytest.raises(PermissionDenied):
        require_permission(staff, P.INCIDENT_REVIEW, ward=world.wards["a1"])
    with pytest.raises(Http404):
        require_permission(staff, P.INCIDENT_RECORD, ward=world.wards["b1"])


def test_permission_required_refuses_a_role_without_the_permission(world):
    @permission_required(P.AUDIT_VIEW)
    def view(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = world.users["provider_governance"]
    assert view(request).status_code == 200
    request.user = world.users["ward_manager"]
    with pytest.raises(PermissionDenied):
        view(request)


def test_scope_is_kept_for_a_request_and_fresh_outside_one(world, django_assert_num_queries):
    manager = world.users["ward_manager"]
    assert scope_of(manager) is not scope_of(manager)
    with scope_memo():
        assert scope_of(manager) is scope_of(manager)
        with django_assert_num_queries(1):  # the ward links, read once for every check below
            assert manager.requires_two_factor
            assert has_permission(manager, P.INCIDENT_REVIEW, ward=world.wards["a2"])
            assert not has_permission(manager, P.INCIDENT_REVIEW, ward=world.wards["b1"])


def test_scope_follows_a_change_of_role_within_a_request(world):
    user = world.users["ward_staff"]
    with scope_memo():
        assert not has_permission(user, P.BOARD_REPORT_VIEW)
        user.role = Role.PROVIDER_GOVERNANCE
        assert has_permission(user, P.BOARD_REPORT_VIEW, provider=world.providers[0])


def test_template_global_checks_the_page_user(world):
    template = engines["jinja2"].from_string(
        '{% if has_permission("huddle_view") %}huddle{% endif %}'
        '{% if has_permission("incident_record", ward=ward) %} record{% endif %}'
    )
    request = RequestFactory().get("/")
    request.user = world.users["ward_staff"]
    assert template.render({"ward": world.wards["a1"]}, request) == "huddle record"
    assert template.render({"ward": world.wards["b1"]}, request) == "huddle"
    with pytest.raises(ValueError):
        engines["jinja2"].from_string('{{ has_permission("huddle_viewing") }}').render({}, request)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_scope_id_sets_agree_with_its_querysets(world, role):
    # Membership is answered from id sets (some known without a query); they must be the querysets' ids.
    scope = scope_of(world.users[role])
    assert scope.ward_ids == set(scope.wards().values_list("pk", flat=True))
    assert scope.patient_ward_ids == set(scope.patient_wards().values_list("pk", flat=True))
    assert scope.provider_ids == set(scope.providers().values_list("pk", flat=True))
    sole = scope.sole_patient_ward_id
    assert sole == (next(iter(scope.patient_ward_ids)) if len(scope.patient_ward_ids) == 1 else None)


def test_audit_scope_is_every_entry_for_administrators_and_the_provider_for_governance(world):
    for provider in world.providers:
        audit_record(
            actor=None,
            action=AuditAction.VIEW,
            record_type="people.Patient",
            record_id=1,
            provider_id=provider.pk,
        )
    seen = {
        role: set(audit_events_for(world.users[role]).values_list("provider_id", flat=True))
        for role in ("system_admin", "provider_governance", "regulator")
    }
    assert seen == {
        "system_admin": {p.pk for p in world.providers},
        "provider_governance": {world.providers[0].pk},
        "regulator": set(),  # no AUDIT_VIEW
    }


# role -> the providers (by index in world.providers) whose figures it sees unsuppressed
UNSUPPRESSED = {
    "ward_staff": {0},
    "ward_manager": {0},
    "provider_governance": {0},
    "commissioner": set(),
    "regulator": {0, 1, 2},
    "national_analyst": set(),
    "system_admin": set(),
    "collaborative_lead": set(),
    "provider_admin": set(),
    "expert_by_experience": set(),
}


@pytest.mark.parametrize("role", UNSUPPRESSED)
def test_sees_unsuppressed_only_inside_the_provider_and_for_the_regulator(world, role):
    user = world.users[role]
    seen = {i for i, provider in enumerate(world.providers) if sees_unsuppressed(user, provider.pk)}
    assert seen == UNSUPPRESSED[role]
    user.is_active = False
    assert not any(sees_unsuppressed(user, provider.pk) for provider in world.providers)
