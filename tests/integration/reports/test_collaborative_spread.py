"""The spread of change ideas across a collaborative (issue 14, item 5): the collaborative page lists each
change idea its member wards tested in PDSA cycles while members, with the latest decision per ward, under
the labels the page gives this viewer (a ward of another provider by its pseudonym for provider
governance); cycles before joining, on wards that are not members, or withdrawn, do not count."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.improvement import project_services
from rrp.improvement.diagram_services import ensure_starter_package
from rrp.improvement.models import ChangeIdea, PdsaCycle, ProjectStatus, QiProject
from rrp.reports.collaborative import members_for
from rrp.reports.collaborative.adoption import adoption_comparison
from rrp.reports.collaborative.spread import idea_spread
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.reports.ward_records import at as ward_at
from tests.integration.reports.ward_records import monthly_bed_days, months_back, quick_incident

pytestmark = pytest.mark.django_db


def project_on(ward, by) -> QiProject:
    """A project written straight in (its baseline is not what is tested here)."""
    now = timezone.now()
    project = QiProject.objects.create(
        provider=ward.provider,
        title=f"Project on {ward.name}",
        problem="Too much restraint.",
        aim_measure_slug="restrictive-interventions-per-1000-obd",
        baseline_start=dt.date(2020, 1, 1),
        baseline_end=dt.date(2020, 12, 31),
        baseline_value=10.0,
        aim_change_percent=25,
        aim_by=dt.date(2023, 1, 1),
        starts_on=dt.date(2021, 1, 1),
        status=ProjectStatus.ACTIVE,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    project.wards.set([ward])
    return project


def cycle(project, ward, by, *, idea: str, starts_on: dt.date, decision: str = "") -> PdsaCycle:
    done = {"what_happened": "Done.", "study": "It worked as predicted."} if decision else {}
    return project_services.pdsa_create(
        project=project,
        data=project_services.PdsaInput(
            wards=[ward],
            title=f"{idea[:30]} {starts_on:%b %Y}",
            objective="Does it help?",
            prediction="Fewer restraints.",
            plan_details="Every shift for a month.",
            data_to_collect="Restraints.",
            starts_on=starts_on,
            change_idea=ChangeIdea.objects.get(title=idea, provider=None),
            decision=decision,
            **done,
        ),
        by=by,
    )


@pytest.fixture
def spread(world):
    """a1 (provider A) and c1 (provider C) joined the collaborative on 1 April 2021; a2 is not a member."""
    ensure_starter_package()
    manager_a = world.users["ward_manager"]
    manager_c = factories.user(
        role=Role.WARD_MANAGER, provider=world.wards["c1"].provider, wards=[world.wards["c1"]]
    )
    a1, a2, c1 = (world.wards[k] for k in ("a1", "a2", "c1"))
    on_a1, on_a2, on_c1 = project_on(a1, manager_a), project_on(a2, manager_a), project_on(c1, manager_c)
    cycle(on_a1, a1, manager_a, idea="Safety huddles", starts_on=dt.date(2021, 5, 1), decision="adapt")
    cycle(on_a1, a1, manager_a, idea="Safety huddles", starts_on=dt.date(2021, 6, 1), decision="adopt")
    cycle(on_c1, c1, manager_c, idea="Safety huddles", starts_on=dt.date(2021, 5, 10), decision="abandon")
    cycle(on_c1, c1, manager_c, idea="Safewards: soft words", starts_on=dt.date(2021, 7, 1))
    # Before a1 joined, on a ward that is not a member, and a withdrawn cycle: none of them count.
    cycle(on_a1, a1, manager_a, idea="Reviewing blanket restrictions", starts_on=dt.date(2021, 1, 5))
    cycle(on_a2, a2, manager_a, idea="Trauma-informed care", starts_on=dt.date(2021, 6, 1))
    mistaken = cycle(on_a1, a1, manager_a, idea="Safewards: talk down", starts_on=dt.date(2021, 8, 1))
    project_services.pdsa_withdraw(cycle=mistaken, reason="Recorded on the wrong project.", by=manager_a)
    return world


def test_each_idea_with_each_members_latest_decision(spread):
    members = members_for(spread.collaborative, user=spread.users["national_analyst"])
    ideas = idea_spread(members)
    assert [i.title for i in ideas] == ["Safety huddles", "Safewards: soft words"]
    huddles = ideas[0]
    assert (huddles.count("Adopted"), huddles.count("Abandoned"), huddles.count("Testing")) == (1, 1, 0)
    label = {m.ward_id: m.label for m in members}
    adopted = next(w for w in huddles.wards if w.state == "Adopted")
    assert adopted.label == label[spread.wards["a1"].pk]
    assert (adopted.cycles, adopted.first_tested, adopted.latest_tested) == (
        2,
        dt.date(2021, 5, 1),
        dt.date(2021, 6, 1),
    )
    assert ideas[1].wards[0].state == "Testing" and ideas[1].wards[0].label == label[spread.wards["c1"].pk]


def test_the_collaborative_page_shows_the_spread_under_the_viewers_labels(spread):
    governance = spread.users["provider_governance"]
    text = html.unescape(
        signed_in_client(governance)
        .get(reverse("reports:collaborative", args=[spread.collaborative.pk]))
        .content.decode()
    )
    assert "Change ideas tested by members" in text
    section = text[text.index('id="spread"') : text.index('id="members"')]
    assert "Safety huddles" in section and "Safewards: soft words" in section
    assert "Reviewing blanket restrictions" not in section and "Trauma-informed care" not in section
    assert "Safewards: talk down" not in section
    # Provider A's governance sees its own ward by name and provider C's ward only by its pseudonym.
    members = {m.ward_id: m for m in members_for(spread.collaborative, user=governance)}
    assert members[spread.wards["a1"].pk].named and not members[spread.wards["c1"].pk].named
    assert f"{spread.wards['a1'].name}: adopted" in section
    assert f"{members[spread.wards['c1'].pk].label}: abandoned" in section
    assert spread.wards["c1"].name not in section


# ---- Adopters against the other member wards on the pooled chart


@pytest.fixture
def adoption(world):
    """In the last two years: a1 (provider A) adopted safety huddles after two tests, c1 (provider C)
    tested them and is still adapting; both have bed days every month, and a1 has 7 restraints in one
    month (c1 none), so the two pooled charts differ."""
    ensure_starter_package()
    manager_a = world.users["ward_manager"]
    manager_c = factories.user(
        role=Role.WARD_MANAGER, provider=world.wards["c1"].provider, wards=[world.wards["c1"]]
    )
    a1, c1 = world.wards["a1"], world.wards["c1"]
    months = months_back(timezone.localdate(), 24)
    for ward in (a1, c1):
        monthly_bed_days(ward, months, 600)
    patient = world.patients["a1"]
    for i in range(7):
        quick_incident(a1, patient, manager_a, ward_at(months[-3].replace(day=3), 8 + i))
    on_a1, on_c1 = project_on(a1, manager_a), project_on(c1, manager_c)
    cycle(on_a1, a1, manager_a, idea="Safety huddles", starts_on=months[10], decision="adapt")
    cycle(on_a1, a1, manager_a, idea="Safety huddles", starts_on=months[14], decision="adopt")
    cycle(on_c1, c1, manager_c, idea="Safety huddles", starts_on=months[12], decision="adapt")
    world.huddles = ChangeIdea.objects.get(title="Safety huddles", provider=None)
    world.months = months
    return world


def adoption_page(user, world, **query):
    url = reverse("reports:collaborative-adoption", args=[world.collaborative.pk, world.huddles.pk])
    return signed_in_client(user).get(url, query)


def test_adopters_and_the_other_wards_are_pooled_apart(adoption):
    governance = adoption.users["provider_governance"]
    comparison = adoption_comparison(
        adoption.collaborative, user=governance, today=timezone.localdate(), idea_id=adoption.huddles.pk
    )
    members = {m.ward_id: m for m in members_for(adoption.collaborative, user=governance)}
    a1, c1 = members[adoption.wards["a1"].pk], members[adoption.wards["c1"].pk]
    assert comparison.adopters.wards == [a1.label] and c1.label in comparison.others.wards
    assert comparison.still_testing == 1  # c1 is still adapting it
    # Provider A's governance sees its own adopting ward exactly; the others include provider C's ward.
    assert not comparison.adopters.suppressed and comparison.others.suppressed
    adopters, others = comparison.adopters.panel, comparison.others.panel
    assert (adopters.chart_id, others.chart_id) == (
        "adopters-restrictive-interventions-per-1000-obd",
        "others-restrictive-interventions-per-1000-obd",
    )
    assert "<td>7</td>" in str(adopters.table_html) and "<td>7</td>" not in str(others.table_html)
    assert adopters.key == [f"1. {a1.label}: the test it adopted began ({adoption.months[14]:%b %Y})"]
    assert others.key == []


def test_the_adoption_page_is_reached_from_the_collaborative_page_and_scoped(adoption):
    analyst = adoption.users["national_analyst"]
    collaborative = signed_in_client(analyst).get(
        reverse("reports:collaborative", args=[adoption.collaborative.pk])
    )
    link = reverse("reports:collaborative-adoption", args=[adoption.collaborative.pk, adoption.huddles.pk])
    assert link in collaborative.content.decode()

    response = adoption_page(analyst, adoption)
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Safety huddles: the wards that adopted it against the others" in text
    assert 'id="adopters-restrictive-interventions-per-1000-obd"' in text
    assert adoption.wards["a1"].name not in text  # the analyst sees pseudonyms only
    other = adoption_page(analyst, adoption, measure="prone-restraints-per-1000-obd")
    assert 'id="others-prone-restraints-per-1000-obd"' in other.content.decode()

    assert adoption_page(analyst, adoption, measure="no-such-measure").status_code == 404
    untested = ChangeIdea.objects.get(title="Trauma-informed care", provider=None)
    url = reverse("reports:collaborative-adoption", args=[adoption.collaborative.pk, untested.pk])
    assert signed_in_client(analyst).get(url).status_code == 404
    assert adoption_page(adoption.users["ward_staff"], adoption).status_code == 403
