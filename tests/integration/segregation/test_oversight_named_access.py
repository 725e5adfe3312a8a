"""Commissioners' named access (issue 17, item 3): time-limited grants with a lawful basis, every view
audited; with a grant in force the case manager sees the person by name, without one (never granted,
expired, revoked, another ICB) only the pseudonymised view; the alert on entering LTS; the ICB's view of
recommendations by status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.models import AuditEvent
from rrp.segregation.models import NamedAccessGrant
from rrp.segregation.oversight import independent_review_record, named_access_grant, named_access_revoke
from rrp.segregation.oversight_selectors import (
    lts_entries_for_commissioner,
    named_people_for,
    named_person_for,
    overdue_recommendations_for_commissioner,
    recommendations_for_commissioner,
)
from rrp.segregation.selectors import pseudonym
from tests import factories
from tests.helpers import signed_in_client

D = dt.timedelta(days=1)


@pytest.fixture
def governance(world):
    return world.users["provider_governance"]


@pytest.fixture
def case_manager(world):
    return world.users["commissioner"]


def grant(lts, governance, case_manager, **overrides):
    values = {
        "provider": lts.provider,
        "by": governance,
        "user": case_manager,
        "patient": lts.patient,
        "lawful_basis": "care_commissioning",
        "basis_detail": "Case manager for the placement and discharge planning",
        "ends_on": timezone.localdate() + 90 * D,
    } | overrides
    return named_access_grant(**values)


def test_with_a_grant_sees_the_person_by_name_audited(lts, governance, case_manager, patient):
    assert named_person_for(case_manager, patient.pk) is None
    g = grant(lts, governance, case_manager)
    person = named_person_for(case_manager, patient.pk)
    assert person.patient == patient and [e.pk for e in person.episodes] == [lts.pk]
    view = AuditEvent.objects.filter(actor_id=case_manager.pk, action="view", patient_id=patient.pk).get()
    assert view.detail["named_access_grant"] == g.pk and view.provider_id == lts.provider_id
    assert AuditEvent.objects.filter(record_type="segregation.NamedAccessGrant", action="create").exists()


def test_expired_revoked_and_other_icb_see_no_name(lts, governance, case_manager, patient, world):
    g = grant(lts, governance, case_manager, ends_on=timezone.localdate())
    later = timezone.now() + 2 * D
    assert named_person_for(case_manager, patient.pk) is not None
    # The grant's last day is today: tomorrow it has ended.
    from rrp.segregation import oversight_selectors

    assert not oversight_selectors._active_grants(case_manager, now=later).exists()
    named_access_revoke(grant=g, by=governance, reason="Placement found")
    assert named_person_for(case_manager, patient.pk) is None
    assert NamedAccessGrant.objects.filter(pk=g.pk).exists()  # kept, revoked
    # Another ICB's case manager cannot be granted access here.
    other = factories.user(role=Role.COMMISSIONER, commissioner=world.commissioners[1])
    with pytest.raises(ValidationError) as error:
        grant(lts, governance, other)
    assert error.value.message_dict["user"] == [
        "Choose a case manager of an ICB that commissions this provider"
    ]


def test_grant_rules_name_each_field(lts, governance, case_manager, world, seclusion):
    with pytest.raises(ValidationError) as error:
        grant(
            lts,
            governance,
            world.users["ward_staff"],
            patient=world.patients["a2"],
            lawful_basis="",
            basis_detail=" ",
            ends_on=timezone.localdate() + 200 * D,
        )
    errors = error.value.message_dict
    assert set(errors) == {"user", "patient", "lawful_basis", "basis_detail", "ends_on"}
    assert errors["ends_on"] == ["Access can be granted for at most 183 days at a time"]
    assert not NamedAccessGrant.objects.exists()
    with pytest.raises(PermissionDenied):
        grant(lts, world.users["ward_manager"], case_manager)


def test_pages_with_and_without_a_grant(lts, governance, case_manager, patient):
    client = signed_in_client(case_manager)
    url = reverse("segregation:named-person", args=[patient.pk])
    assert client.get(url).status_code == 404
    oversight = client.get(reverse("segregation:commissioner-oversight")).content.decode()
    # The alert: someone entered LTS in the last 28 days? This one began 120 days ago: not listed.
    assert patient.family_name not in oversight and "No one at the providers you commission" in oversight
    register = client.get(reverse("segregation:lts-register-commissioner")).content.decode()
    assert pseudonym(patient.pk) in register and patient.family_name not in register

    gov = signed_in_client(governance)
    page = gov.get(reverse("segregation:named-access", args=[lts.provider_id]))
    assert page.status_code == 200 and patient.family_name in page.content.decode()
    response = gov.post(
        reverse("segregation:named-access", args=[lts.provider_id]),
        {
            "user": case_manager.pk,
            "patient": patient.pk,
            "lawful_basis": "care_commissioning",
            "basis_detail": "Case manager",
            "ends_on": (timezone.localdate() + 30 * D).isoformat(),
        },
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert patient.family_name in html and "Every view is recorded" in html
    assert patient.family_name in client.get(reverse("segregation:commissioner-oversight")).content.decode()
    # Ward staff cannot grant.
    ward = signed_in_client(lts.created_by)
    assert ward.get(reverse("segregation:named-access", args=[lts.provider_id])).status_code == 403


def test_alert_on_entering_lts(ward, patient, nurse_user, roster, case_manager, world):
    from rrp.segregation.services import episode_start
    from tests.integration.segregation.episode_data import lts_kwargs

    episode_start(
        ward=ward,
        patient=patient,
        by=nurse_user,
        started_at=timezone.now() - 3 * D,
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
    entries = lts_entries_for_commissioner(case_manager)
    assert [e.label for e in entries] == [pseudonym(patient.pk)] and entries[0].patient_id is None
    # Another ICB is not alerted.
    other = factories.user(role=Role.COMMISSIONER, commissioner=world.commissioners[1])
    assert lts_entries_for_commissioner(other) == []
    html = signed_in_client(case_manager).get(reverse("segregation:commissioner-oversight")).content.decode()
    assert "1 person entered long-term segregation in the last 28 days" in html


def test_icb_view_of_recommendations(lts, nurse_user, governance, case_manager, patient):
    today = timezone.localdate()
    independent_review_record(
        episode=lts,
        by=nurse_user,
        held_on=today - 20 * D,
        panel=[
            {"name": "Dr Ivy", "role": "independent_clinician", "organisation": ""},
            {"name": "Eli", "role": "expert_by_experience", "organisation": ""},
        ],
        person_views="Wants to go home",
        family_views="Agrees",
        findings="Stalled",
        recommendations=[
            {"text": f"Move {patient.given_name} nearer home", "owner": "commissioner", "due_on": today - D},
            {"text": "More activity", "owner": "provider", "due_on": today + 9 * D},
        ],
    )
    rows = recommendations_for_commissioner(case_manager)
    assert [(r.state.overdue, r.patient_id) for r in rows] == [(True, None), (False, None)]
    html = (
        signed_in_client(case_manager)
        .get(reverse("segregation:commissioner-recommendations"))
        .content.decode()
    )
    assert "overdue by 1 day" in html and pseudonym(patient.pk) in html
    assert patient.given_name not in html  # the text, which names the person, needs a grant
    grant(lts, governance, case_manager)
    html = (
        signed_in_client(case_manager)
        .get(reverse("segregation:commissioner-recommendations"))
        .content.decode()
    )
    assert f"Move {patient.given_name} nearer home" in html


def test_commissioner_sees_the_overdue_actions_it_owns(lts, nurse_user, case_manager, world):
    """The commissioner's start page says how many recommendations at the providers it commissions are
    overdue, those commissioners own first, linked to the list narrowed to them; another ICB sees none."""
    today = timezone.localdate()
    independent_review_record(
        episode=lts,
        by=nurse_user,
        held_on=today - 20 * D,
        panel=[
            {"name": "Dr Ivy", "role": "independent_clinician", "organisation": ""},
            {"name": "Eli", "role": "expert_by_experience", "organisation": ""},
        ],
        person_views="Wants to go home",
        family_views="Agrees",
        findings="Stalled",
        recommendations=[
            {"text": "Find a placement", "owner": "commissioner", "due_on": today - 2 * D},
            {"text": "Fund an advocate", "owner": "commissioner", "due_on": today - D},
            {"text": "More activity", "owner": "provider", "due_on": today - D},
            {"text": "Sensory assessment", "owner": "provider", "due_on": today + D},
        ],
    )
    assert overdue_recommendations_for_commissioner(case_manager) == {"provider": 1, "commissioner": 2}
    client = signed_in_client(case_manager)
    html = client.get(reverse("segregation:commissioner-oversight")).content.decode()
    listed = reverse("segregation:commissioner-recommendations")
    assert "3 recommendations from reviews overdue" in html
    assert html.index("2 owned by commissioners") < html.index("1 owned by the provider")
    assert f"{listed}?owner=commissioner" in html
    rows = recommendations_for_commissioner(case_manager, owner="commissioner")
    assert [(r.state.recommendation.owner, r.state.days_overdue) for r in rows] == [
        ("commissioner", 2),
        ("commissioner", 1),
    ]
    narrowed = client.get(f"{listed}?owner=commissioner").content.decode()
    assert narrowed.count("overdue by") == 2
    assert 'aria-hidden="true">Owner </span>Commissioner</td>' in narrowed
    assert 'aria-hidden="true">Owner </span>Provider</td>' not in narrowed  # no provider-owned row

    other = factories.user(role=Role.COMMISSIONER, commissioner=world.commissioners[1])
    assert overdue_recommendations_for_commissioner(other) == {"provider": 0, "commissioner": 0}
    assert overdue_recommendations_for_commissioner(nurse_user) == {"provider": 0, "commissioner": 0}
    html = signed_in_client(other).get(reverse("segregation:commissioner-oversight")).content.decode()
    assert "recommendations-overdue" not in html


def test_named_access_is_to_one_person_for_one_case_manager(lts, governance, case_manager, roster, world):
    """Scope, role by role: a grant opens one person to the case manager it names, and nothing else. Not
    the other person in segregation at the same provider, not a colleague at the same ICB, and not any
    other role (who see the person through their own scope, if at all, never through this page)."""
    from rrp.segregation.services import episode_start
    from tests.integration.segregation.episode_data import lts_kwargs

    a1, a2 = world.patients["a1"], world.patients["a2"]
    episode_start(
        ward=world.wards["a2"],
        patient=a2,
        by=world.users["ward_manager"],
        started_at=timezone.now() - 30 * D,
        authorised_by=roster["doctor"],
        **lts_kwargs(),
    )
    grant(lts, governance, case_manager)
    colleague = factories.user(role=Role.COMMISSIONER, commissioner=world.commissioners[0])
    others = [u for role, u in world.users.items() if role != "commissioner"]
    for user in [case_manager, colleague, *others]:
        client = signed_in_client(user)
        for person in (a1, a2):
            for name in ("segregation:named-person", "segregation:commissioner-visit-new"):
                response = client.get(reverse(name, args=[person.pk]))
                if user == case_manager and person == a1:
                    assert response.status_code == 200, (user.role, name)
                    assert a1.family_name in response.content.decode()
                else:
                    assert response.status_code in (403, 404), (user.role, person.pk, name)
    assert [g.patient for g in named_people_for(case_manager)] == [a1]
    assert named_people_for(colleague) == []
