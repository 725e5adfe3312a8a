"""Collaboratives run from RRP (issue 14, item 6; decision 0059): a collaborative lead starts one, invites
wards that join only when their provider accepts, records leaving, sets aims, curates the change package
and publishes a template driver diagram that member projects start from; all scoped and audited.

The world (tests/factories.build_world): provider A has wards a1 and a2, B has b1, C has c1; a1 and c1 are
in "National cohort", which the collaborative lead leads; governance is provider A's."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.scope import collaboratives_for
from rrp.core.models import AuditEvent
from rrp.improvement import collaborative_selectors, collaborative_services, diagram_services
from rrp.improvement.models import (
    ChangeIdea,
    CollaborativeInvitation,
    ImprovementAim,
    TemplateDiagramVersion,
)
from rrp.improvement.services import improvement_aim_record
from rrp.organisations.models import Collaborative, CollaborativeMembership
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.improvement.test_projects import figures, started  # noqa: F401

pytestmark = pytest.mark.django_db

TEMPLATE = """Staff notice and act on rising tension early
- Daily safety huddle names the patients at risk
  * Safety huddles
Patients shape their own care
- Care plans in the patient's own words
"""


@pytest.fixture(autouse=True)
def package(db):
    diagram_services.ensure_starter_package()


def _start(world, name="North West restraint reduction", **overrides) -> Collaborative:
    values = {
        "name": name,
        "kind": "regional",
        "region": world.regions[0],
        "aim": "25% fewer restrictive interventions by 2028",
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": None,
        "by": world.users["collaborative_lead"],
    }
    return collaborative_services.collaborative_create(**(values | overrides))


def _invite(world, collaborative, ward_key="a2", day=dt.date(2026, 2, 1)) -> CollaborativeInvitation:
    return collaborative_services.ward_invite(
        collaborative=collaborative,
        ward=world.wards[ward_key],
        proposed_joining_on=day,
        message="Join us",
        by=world.users["collaborative_lead"],
    )


def test_a_lead_starts_a_collaborative_and_leads_it_alone(world):
    collaborative = _start(world)
    lead = world.users["collaborative_lead"]
    assert collaborative in collaboratives_for(lead)
    assert collaborative_services.may_lead(lead, collaborative)
    assert not collaborative_services.may_lead(world.users["national_analyst"], collaborative)
    assert not collaborative_services.may_lead(factories.user(role="collaborative_lead"), collaborative)
    assert AuditEvent.objects.filter(
        record_type="organisations.Collaborative", record_id=str(collaborative.pk), action="create"
    ).exists()
    # Nobody else may start one.
    for role in ("provider_governance", "national_analyst", "system_admin", "regulator"):
        with pytest.raises(PermissionDenied):
            _start(world, name=f"By {role}", by=world.users[role])


def test_starting_a_collaborative_names_each_bad_field_and_saves_nothing(world):
    _start(world, name="Taken")
    with pytest.raises(ValidationError) as raised:
        _start(world, name="taken", kind="regional", region=None, starts_on=None, aim="NHS 943 476 5919")
    errors = raised.value.message_dict
    assert set(errors) == {"name", "region", "starts_on", "aim"}
    assert "already a collaborative" in errors["name"][0]
    with pytest.raises(ValidationError) as raised:
        _start(world, name="Backwards", ends_on=dt.date(2025, 1, 1))
    assert set(raised.value.message_dict) == {"ends_on"}
    assert Collaborative.objects.filter(name__in=["Backwards", "taken"]).count() == 0


def test_a_ward_joins_only_when_its_provider_accepts(world):
    collaborative = _start(world)
    invitation = _invite(world, collaborative)
    assert not CollaborativeMembership.objects.filter(collaborative=collaborative).exists()
    # Another provider's governance cannot answer; the lead cannot accept for the provider.
    other = factories.user(role="provider_governance", provider=world.providers[1])
    for user in (other, world.users["collaborative_lead"], world.users["ward_manager"]):
        with pytest.raises(PermissionDenied):
            collaborative_services.invitation_answer(
                invitation=invitation, accept=True, joined_on=dt.date(2026, 2, 1), by=user
            )
    answered = collaborative_services.invitation_answer(
        invitation=invitation,
        accept=True,
        joined_on=dt.date(2026, 3, 1),
        note="Agreed at the quality committee",
        by=world.users["provider_governance"],
    )
    membership = answered.membership
    assert (membership.ward, membership.joined_on, membership.left_on) == (
        world.wards["a2"],
        dt.date(2026, 3, 1),
        None,
    )
    assert answered.status == "accepted" and answered.decided_by == world.users["provider_governance"]
    # Answering twice is refused on the field; inviting a member is refused.
    with pytest.raises(ValidationError) as raised:
        collaborative_services.invitation_answer(
            invitation=invitation, accept=False, joined_on=None, by=world.users["provider_governance"]
        )
    assert "already been answered" in raised.value.message_dict["accept"][0]
    with pytest.raises(ValidationError) as raised:
        _invite(world, collaborative)
    assert "already a member" in raised.value.message_dict["ward"][0]
    assert AuditEvent.objects.filter(
        record_type="improvement.CollaborativeInvitation", record_id=str(invitation.pk), action="change"
    ).exists()


def test_invitations_refuse_bad_input_on_the_field(world):
    collaborative = _start(world)
    lead = world.users["collaborative_lead"]
    with pytest.raises(ValidationError) as raised:
        collaborative_services.ward_invite(
            collaborative=collaborative, ward=None, proposed_joining_on=dt.date(2025, 1, 1), by=lead
        )
    assert set(raised.value.message_dict) == {"ward", "proposed_joining_on"}
    assert "before the collaborative starts" in raised.value.message_dict["proposed_joining_on"][0]
    _invite(world, collaborative)
    with pytest.raises(ValidationError) as raised:
        _invite(world, collaborative)
    assert "already been invited" in raised.value.message_dict["ward"][0]
    invitation = CollaborativeInvitation.objects.get(collaborative=collaborative)
    with pytest.raises(ValidationError) as raised:
        collaborative_services.invitation_answer(
            invitation=invitation, accept=True, joined_on=None, by=world.users["provider_governance"]
        )
    assert set(raised.value.message_dict) == {"joined_on"}
    # Declined, then invited again: a new invitation.
    collaborative_services.invitation_answer(
        invitation=invitation,
        accept=False,
        joined_on=None,
        note="Not this year",
        by=world.users["provider_governance"],
    )
    assert _invite(world, collaborative).status == "pending"
    # An analyst may not invite; the lead withdraws an invitation not yet answered, and only once.
    with pytest.raises(PermissionDenied):
        collaborative_services.ward_invite(
            collaborative=collaborative,
            ward=world.wards["b1"],
            proposed_joining_on=dt.date(2026, 2, 1),
            by=world.users["national_analyst"],
        )
    pending = CollaborativeInvitation.objects.get(collaborative=collaborative, status="pending")
    assert (
        collaborative_services.invitation_withdraw(
            invitation=pending, by=world.users["collaborative_lead"]
        ).status
        == "withdrawn"
    )
    with pytest.raises(ValidationError):
        collaborative_services.invitation_withdraw(invitation=pending, by=world.users["collaborative_lead"])


def test_a_ward_leaving_is_recorded_by_the_lead_or_its_provider_only(world):
    membership = CollaborativeMembership.objects.get(
        collaborative=world.collaborative, ward=world.wards["c1"]
    )
    with pytest.raises(PermissionDenied):
        collaborative_services.membership_leave(
            membership=membership, left_on=dt.date(2025, 1, 1), by=world.users["provider_governance"]
        )  # c1 is provider C's
    with pytest.raises(ValidationError) as raised:
        collaborative_services.membership_leave(
            membership=membership, left_on=dt.date(2020, 1, 1), by=world.users["collaborative_lead"]
        )
    assert "before it joined" in raised.value.message_dict["left_on"][0]
    left = collaborative_services.membership_leave(
        membership=membership, left_on=dt.date(2025, 6, 30), by=world.users["collaborative_lead"]
    )
    assert left.left_on == dt.date(2025, 6, 30)
    a1 = CollaborativeMembership.objects.get(collaborative=world.collaborative, ward=world.wards["a1"])
    collaborative_services.membership_leave(
        membership=a1, left_on=dt.date(2025, 7, 31), by=world.users["provider_governance"]
    )
    with pytest.raises(ValidationError) as raised:
        collaborative_services.membership_leave(
            membership=a1, left_on=dt.date(2025, 8, 31), by=world.users["provider_governance"]
        )
    assert "already left" in raised.value.message_dict["left_on"][0]


def test_the_lead_sets_and_withdraws_the_collaboratives_aims(world):
    from rrp.improvement.services import withdraw

    values = {
        "measure_slug": "restrictive-interventions-per-1000-obd",
        "statement": "25% fewer by 2028",
        "baseline_start": dt.date(2025, 1, 1),
        "baseline_end": dt.date(2025, 12, 31),
        "reduction_percent": 25,
        "aim_date": dt.date(2028, 3, 31),
    }
    aim = improvement_aim_record(
        collaborative=world.collaborative, by=world.users["collaborative_lead"], **values
    )
    assert aim.collaborative == world.collaborative
    other = _start(world, name="Not theirs", by=factories.user(role="collaborative_lead"))
    for user, collaborative in (
        (world.users["collaborative_lead"], other),
        (world.users["national_analyst"], world.collaborative),
    ):
        with pytest.raises(PermissionDenied):
            improvement_aim_record(collaborative=collaborative, by=user, **values)
    with pytest.raises(PermissionDenied):
        withdraw(item=aim, reason="Wrong measure", by=world.users["national_analyst"])
    withdraw(item=aim, reason="Wrong measure", by=world.users["collaborative_lead"])
    assert not ImprovementAim.objects.filter(pk=aim.pk, withdrawal__isnull=True).exists()


def test_the_lead_curates_the_change_package(world):
    huddles = ChangeIdea.objects.get(title="Safety huddles", provider__isnull=True)
    own = diagram_services.change_idea_add(
        provider=world.providers[0],
        title="Our own idea",
        description="x",
        source="us",
        driver="d",
        by=world.users["provider_governance"],
    )
    lead = world.users["collaborative_lead"]
    item = collaborative_services.package_add(
        collaborative=world.collaborative, change_idea=huddles, note="Worked in the pilot wards", by=lead
    )
    assert collaborative_selectors.package(world.collaborative) == [item]
    for idea in (huddles, own, None):  # already in; a provider's own; none chosen
        with pytest.raises(ValidationError) as raised:
            collaborative_services.package_add(collaborative=world.collaborative, change_idea=idea, by=lead)
        assert set(raised.value.message_dict) == {"change_idea"}
    with pytest.raises(PermissionDenied):
        collaborative_services.package_remove(item=item, by=world.users["national_analyst"])
    collaborative_services.package_remove(item=item, by=lead)
    assert collaborative_selectors.package(world.collaborative) == []
    # Taken out, it may be added again; the old row is kept.
    collaborative_services.package_add(collaborative=world.collaborative, change_idea=huddles, by=lead)
    assert world.collaborative.package.count() == 2


def test_a_published_template_is_where_member_projects_start(figures):  # noqa: F811
    world = figures
    lead = world.users["collaborative_lead"]
    version = collaborative_services.template_publish(
        collaborative=world.collaborative, outline=TEMPLATE, note="From the launch event", by=lead
    )
    assert version.number == 1
    idea = version.content["primary"][0]["secondary"][0]["ideas"][0]
    assert idea["idea_id"] == ChangeIdea.objects.get(title="Safety huddles", provider__isnull=True).pk
    with pytest.raises(ValidationError) as raised:
        collaborative_services.template_publish(collaborative=world.collaborative, outline=TEMPLATE, by=lead)
    assert "Nothing has changed" in raised.value.message_dict["outline"][0]
    with pytest.raises(ValidationError) as raised:
        collaborative_services.template_publish(
            collaborative=world.collaborative, outline="- orphan", by=lead
        )
    assert "Line 1" in raised.value.message_dict["outline"][0]
    with pytest.raises(PermissionDenied):
        collaborative_services.template_publish(
            collaborative=world.collaborative, outline=TEMPLATE + "More\n", by=world.users["national_analyst"]
        )
    assert TemplateDiagramVersion.objects.count() == 1
    # A project on a member ward (a1) starts from it; one on a2 (not a member) does not.
    member_project = started(world)
    other_project = started(world, wards=[world.wards["a2"]], title="A2 only")
    assert collaborative_selectors.template_for_project(member_project) == version
    assert collaborative_selectors.template_for_project(other_project) is None
    page = signed_in_client(world.users["ward_manager"]).get(
        reverse("improvement:driver-diagram", args=[member_project.pk])
    )
    text = html.unescape(page.content.decode())
    assert "starts from the template driver diagram of National cohort (version 1" in text
    assert "Daily safety huddle names the patients at risk" in text  # the outline, ready to save


def test_lead_pages_answer_only_for_the_lead_and_their_collaboratives(world):
    lead = signed_in_client(world.users["collaborative_lead"])
    own = world.collaborative.pk
    other = _start(world, name="Someone else's", by=factories.user(role="collaborative_lead"))
    paths = [
        "improvement:collaborative-manage",
        "improvement:collaborative-invite",
        "improvement:collaborative-aim-new",
    ]
    for name in paths:
        assert lead.get(reverse(name, args=[own])).status_code == 200, name
        assert lead.get(reverse(name, args=[other.pk])).status_code == 404, name
        for role in ("national_analyst", "provider_governance", "regulator", "ward_manager"):
            response = signed_in_client(world.users[role]).get(reverse(name, args=[own]))
            assert response.status_code == 403, (name, role)
    # Package and template are read by whoever sees the collaborative, changed by its lead only.
    for name in ("improvement:collaborative-package", "improvement:collaborative-template"):
        assert lead.get(reverse(name, args=[other.pk])).status_code == 404
        analyst = signed_in_client(world.users["national_analyst"])
        assert analyst.get(reverse(name, args=[own])).status_code == 200
        assert analyst.post(reverse(name, args=[own]), {"outline": "A"}).status_code == 403
        assert signed_in_client(world.users["ward_staff"]).get(reverse(name, args=[own])).status_code == 403
    assert lead.get(reverse("improvement:collaborative-new")).status_code == 200
    assert (
        signed_in_client(world.users["national_analyst"])
        .get(reverse("improvement:collaborative-new"))
        .status_code
        == 403
    )
    assert lead.get(reverse("improvement:collaborative-invitations")).status_code == 403


def test_the_lead_runs_a_collaborative_on_pages_with_errors_in_the_page(world):
    lead = signed_in_client(world.users["collaborative_lead"])
    response = lead.post(reverse("improvement:collaborative-new"), {"name": "", "kind": "regional"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page and "Enter the collaborative's name" in page
    assert "Select the region of a regional collaborative" in page
    response = lead.post(
        reverse("improvement:collaborative-new"),
        {"name": "South regional", "kind": "national", "starts_on": "2026-01-01", "region": ""},
    )
    collaborative = Collaborative.objects.get(name="South regional")
    assert response.status_code == 302 and response["Location"] == reverse(
        "improvement:collaborative-manage", args=[collaborative.pk]
    )
    response = lead.post(
        reverse("improvement:collaborative-invite", args=[collaborative.pk]),
        {"ward": str(world.wards["b1"].pk), "proposed_joining_on": "2026-02-01"},
    )
    assert response.status_code == 302
    page = html.unescape(
        lead.get(reverse("improvement:collaborative-manage", args=[collaborative.pk])).content.decode()
    )
    assert world.wards["b1"].name in page and "Waiting for the provider" in page
    # Provider B's governance answers on its page; provider A's cannot see it (404).
    governance_b = factories.user(role="provider_governance", provider=world.providers[1])
    invitation = CollaborativeInvitation.objects.get(collaborative=collaborative)
    answer = reverse("improvement:collaborative-invitation-answer", args=[invitation.pk])
    assert signed_in_client(world.users["provider_governance"]).get(answer).status_code == 404
    client_b = signed_in_client(governance_b)
    listing = client_b.get(reverse("improvement:collaborative-invitations")).content.decode()
    assert "South regional" in listing and answer in listing
    response = client_b.post(answer, {"accept": "yes", "joined_on": ""})
    assert response.status_code == 400 and "Enter the date the ward joins" in html.unescape(
        response.content.decode()
    )
    assert client_b.post(answer, {"accept": "yes", "joined_on": "2026-02-01"}).status_code == 302
    assert CollaborativeMembership.objects.filter(
        collaborative=collaborative, ward=world.wards["b1"]
    ).exists()
    assert client_b.get(answer).status_code == 404  # answered


def test_the_collaborative_page_offers_running_it_to_its_lead_only(world):
    url = reverse("reports:collaborative", args=[world.collaborative.pk])
    manage = reverse("improvement:collaborative-manage", args=[world.collaborative.pk])
    lead_page = signed_in_client(world.users["collaborative_lead"]).get(url)
    assert lead_page.status_code == 200 and manage in lead_page.content.decode()
    assert manage not in signed_in_client(world.users["national_analyst"]).get(url).content.decode()
    # The lead sees figures as analysts do: wards under codes, never by name.
    assert world.wards["c1"].name not in lead_page.content.decode()


def test_learning_set_notes_are_markers_on_the_pooled_charts(world):
    from rrp.improvement.models import LearningSetNote
    from rrp.reports.collaborative.presenters import learning_set_events

    lead = world.users["collaborative_lead"]
    note = collaborative_services.learning_note_record(
        collaborative=world.collaborative,
        held_on=dt.date(2025, 11, 18),
        label="Learning set 3: debriefs",
        notes="Ward 007 shared how debriefs within 72 hours changed the mood.",
        by=lead,
    )
    assert [(e.date, e.label) for e in learning_set_events(world.collaborative)] == [
        (dt.date(2025, 11, 18), "Learning set 3: debriefs")
    ]
    with pytest.raises(ValidationError) as raised:
        collaborative_services.learning_note_record(
            collaborative=world.collaborative, held_on=None, label="x" * 61, notes="", by=lead
        )
    assert set(raised.value.message_dict) == {"held_on", "label", "notes"}
    with pytest.raises(PermissionDenied):
        collaborative_services.learning_note_record(
            collaborative=world.collaborative,
            held_on=dt.date(2025, 11, 18),
            label="x",
            notes="y",
            by=world.users["national_analyst"],
        )
    assert LearningSetNote.objects.count() == 1
    assert AuditEvent.objects.filter(
        record_type="improvement.LearningSetNote", record_id=str(note.pk)
    ).exists()
    # The page lists it for whoever sees the collaborative; only the lead may write one.
    url = reverse("improvement:collaborative-notes", args=[world.collaborative.pk])
    analyst = signed_in_client(world.users["national_analyst"])
    assert "Learning set 3: debriefs" in html.unescape(analyst.get(url).content.decode())
    assert analyst.post(url, {"label": "x"}).status_code == 403
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = signed_in_client(lead).post(url, {"held_on": tomorrow, "label": "Next", "notes": "Soon"})
    assert response.status_code == 400 and "cannot be in the future" in html.unescape(
        response.content.decode()
    )
