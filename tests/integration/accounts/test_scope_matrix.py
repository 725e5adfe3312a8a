"""Role by role, each user sees exactly their scope: the right wards, patients and pages, and nothing
else, including when ids are guessed. See tests/factories.build_world for the organisations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rrp.accounts.scope import patient_wards_for, providers_for, wards_for
from rrp.improvement.models import QiProject, TeamMember, TeamRole
from rrp.people.selectors import patients_for
from tests.helpers import signed_in_client

# role -> (wards it sees, wards whose patients it sees by name)
EXPECTED = {
    "ward_staff": ({"a1"}, {"a1"}),
    "ward_manager": ({"a1", "a2"}, {"a1", "a2"}),
    "provider_governance": ({"a1", "a2"}, {"a1", "a2"}),
    "commissioner": ({"a1", "a2", "b1"}, set()),
    "regulator": ({"a1", "a2", "b1", "c1"}, {"a1", "a2", "b1", "c1"}),
    "national_analyst": ({"a1", "c1"}, set()),
    "system_admin": (set(), set()),
    "collaborative_lead": ({"a1", "c1"}, set()),
    "provider_admin": (set(), set()),
    # On the team of a project on a1 (``_expert_on_a_team``): that ward's pages, never its patients.
    "expert_by_experience": ({"a1"}, set()),
}
ALL_WARDS = {"a1", "a2", "b1", "c1"}


@pytest.fixture(autouse=True)
def _expert_on_a_team(world):
    """The expert by experience joins a project on ward a1 (their scope is the wards of their teams)."""
    project = QiProject.objects.create(
        provider=world.providers[0],
        title="Calmer evenings",
        problem="Restraint peaks in the evening.",
        aim_measure_slug="restrictive-interventions-per-1000-obd",
        baseline_start=dt.date(2025, 1, 1),
        baseline_end=dt.date(2025, 3, 31),
        baseline_value=3.0,
        aim_change_percent=25,
        aim_by=dt.date(2026, 9, 30),
        starts_on=dt.date(2025, 4, 1),
        created_by=world.users["ward_manager"],
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    project.wards.set([world.wards["a1"]])
    TeamMember.objects.create(
        project=project,
        user=world.users["expert_by_experience"],
        team_role=TeamRole.EXPERT_BY_EXPERIENCE,
        joined_on=dt.date(2025, 4, 1),
    )
    return project


def keys_of(world, objects) -> set[str]:
    ids = {o.pk for o in objects}
    return {key for key, ward in world.wards.items() if ward.pk in ids}


@pytest.mark.parametrize("role", EXPECTED)
def test_ward_scope_matches_role(world, role):
    user = world.users[role]
    seen, patient_wards = EXPECTED[role]
    assert keys_of(world, wards_for(user)) == seen
    assert keys_of(world, patient_wards_for(user)) == patient_wards


@pytest.mark.parametrize("role", EXPECTED)
def test_patient_scope_matches_role(world, role):
    user = world.users[role]
    _, patient_wards = EXPECTED[role]
    visible = set(patients_for(user).values_list("pk", flat=True))
    assert visible == {world.patients[key].pk for key in patient_wards}


@pytest.mark.parametrize("role", EXPECTED)
def test_ward_pages_answer_only_in_scope(world, role):
    client = signed_in_client(world.users[role])
    seen, _ = EXPECTED[role]
    if role in {"national_analyst", "collaborative_lead"}:
        seen = set()  # they see collaborative wards only pseudonymised, never the named ward pages
    for key in ALL_WARDS:
        response = client.get(f"/wards/{world.wards[key].pk}/")
        if key in seen:
            assert response.status_code == 200, (role, key)
        else:
            assert response.status_code in (403, 404), (role, key, response.status_code)


@pytest.mark.parametrize("role", EXPECTED)
def test_patient_pages_answer_only_in_scope(world, role):
    client = signed_in_client(world.users[role])
    _, patient_wards = EXPECTED[role]
    for key in ALL_WARDS:
        response = client.get(f"/patients/{world.patients[key].pk}/")
        if key in patient_wards:
            assert response.status_code == 200, (role, key)
            assert world.patients[key].family_name in response.content.decode()
        else:
            assert response.status_code in (403, 404), (role, key, response.status_code)


@pytest.mark.parametrize("role", EXPECTED)
def test_patient_list_shows_only_scope(world, role):
    client = signed_in_client(world.users[role])
    _, patient_wards = EXPECTED[role]
    response = client.get("/patients/")
    if not patient_wards:
        assert response.status_code == 403
        return
    page = response.content.decode()
    for key in ALL_WARDS:
        assert (world.patients[key].family_name in page) == (key in patient_wards), (role, key)


@pytest.mark.parametrize("role", EXPECTED)
def test_ward_list_names_only_scope(world, role):
    client = signed_in_client(world.users[role])
    seen, _ = EXPECTED[role]
    response = client.get("/wards/")
    if role in {"system_admin", "national_analyst", "collaborative_lead", "provider_admin"}:
        assert response.status_code == 403
        return
    page = response.content.decode()
    for key in ALL_WARDS:
        assert (f'/wards/{world.wards[key].pk}/"' in page) == (key in seen), (role, key)


@pytest.mark.parametrize("role", EXPECTED)
def test_audit_log_open_only_to_governance_and_admin(world, role):
    response = signed_in_client(world.users[role]).get("/audit/")
    assert response.status_code == (
        200 if role in {"provider_governance", "system_admin", "provider_admin"} else 403
    )


def test_commissioner_pages_never_show_patient_identifiers(world):
    client = signed_in_client(world.users["commissioner"])
    for key in ("a1", "a2", "b1"):
        page = client.get(f"/wards/{world.wards[key].pk}/").content.decode()
        for patient in world.patients.values():
            assert patient.family_name not in page
            assert patient.local_identifier not in page


def test_providers_for_commissioner_are_those_it_commissions(world):
    assert set(providers_for(world.users["commissioner"])) == {world.providers[0], world.providers[1]}


def test_inactive_user_sees_nothing(world):
    user = world.users["regulator"]
    user.is_active = False
    assert not wards_for(user).exists()
    assert not patients_for(user).exists()


def test_every_page_needs_sign_in(client, world):
    for path in ["/", "/wards/", f"/wards/{world.wards['a1'].pk}/", "/patients/", "/audit/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/account/sign-in/"), path


# role -> providers (by index in world.providers) on the providers page
PROVIDERS_SEEN = {
    "ward_staff": {0},
    "ward_manager": {0},
    "provider_governance": {0},
    "commissioner": {0, 1},
    "regulator": {0, 1, 2},
    "expert_by_experience": {0},
}


@pytest.mark.parametrize("role", EXPECTED)
def test_provider_list_names_only_scope(world, role):
    response = signed_in_client(world.users[role]).get("/providers/")
    if role not in PROVIDERS_SEEN:
        assert response.status_code == 403
        return
    page = response.content.decode()
    for index, provider in enumerate(world.providers):
        assert (provider.name in page) == (index in PROVIDERS_SEEN[role]), (role, provider.name)


def test_ward_list_filters_by_provider(world):
    client = signed_in_client(world.users["regulator"])
    page = client.get("/wards/", {"provider": world.providers[2].pk}).content.decode()
    assert f'/wards/{world.wards["c1"].pk}/"' in page
    assert f'/wards/{world.wards["a1"].pk}/"' not in page


def test_expert_by_experience_reaches_only_their_current_teams(world, _expert_on_a_team):
    expert = world.users["expert_by_experience"]
    assert keys_of(world, wards_for(expert)) == {"a1"}
    # Leaving the team ends their reach; a collaborative link never reaches its wards' pages.
    _expert_on_a_team.team.update(left_on=dt.date(2026, 1, 1))
    assert keys_of(world, wards_for(expert)) == set()
    assert signed_in_client(expert).get(f"/wards/{world.wards['a1'].pk}/").status_code == 404
