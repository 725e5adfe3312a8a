"""The governed catalogue's pages (issue 20 item 3): who may read, propose and review; a bad field named
in the error summary; the author cannot approve their own; an approval is audited and charted."""

from __future__ import annotations

import pytest

from rrp.core.models import AuditEvent
from rrp.measures.catalogue import all_measures
from rrp.measures.governance import forget_catalogue
from rrp.measures.models import DefinitionProposal, DefinitionReview
from tests.helpers import signed_in_client

ROLES = [
    "ward_staff",
    "ward_manager",
    "provider_governance",
    "commissioner",
    "regulator",
    "national_analyst",
    "system_admin",
]
READERS = set(ROLES)  # aggregate figures or the working group's permission: every role
DEFINERS = {"provider_governance", "system_admin"}

PROPOSAL = {
    "slug": "falls-per-1000-obd",
    "name": "Falls per 1,000 occupied bed days",
    "kind": "balancing",
    "why_it_matters": "Less restraint must not mean more falls.",
    "numerator_description": "Falls reported in the incident system",
    "source": "imported",
    "denominator": "occupied_bed_days",
    "unit": "per 1,000 occupied bed days",
    "multiplier": "1,000",
    "improvement_direction": "decrease",
    "default_chart": "xmr",
    "combine": "sum",
    "suppress_outside": "yes",
    "next_review": "2027-12-31",
    "change_summary": "Falls are a balancing measure the working group asked for",
    "base_version": "0",
}


@pytest.fixture(autouse=True)
def fresh_catalogue():
    forget_catalogue()
    yield
    forget_catalogue()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_the_catalogue_and_only_the_working_group_proposes(world, role):
    client = signed_in_client(world.users[role])
    listing = client.get("/measures/")
    assert listing.status_code == 200
    assert "Safewards interventions in use" in listing.content.decode()
    assert client.get("/measures/staff-sickness-rate/").status_code == 200
    propose = client.get("/measures/propose/")
    assert propose.status_code == (200 if role in DEFINERS else 403)
    posted = client.post("/measures/propose/", PROPOSAL)
    assert posted.status_code == (302 if role in DEFINERS else 403)
    assert DefinitionProposal.objects.exists() == (role in DEFINERS)


def test_a_signed_out_visitor_is_sent_to_sign_in(client, world):
    assert client.get("/measures/").status_code == 302


def test_a_measure_counted_from_records_has_no_change_page(world):
    client = signed_in_client(world.users["provider_governance"])
    assert client.get("/measures/incidents/propose/").status_code == 403
    assert client.get("/measures/no-such-measure/").status_code == 404


def test_bad_fields_are_named_in_the_error_summary_and_nothing_is_saved(world):
    client = signed_in_client(world.users["provider_governance"])
    bad = {**PROPOSAL, "multiplier": "lots", "name": ""}
    response = client.post("/measures/propose/", bad)
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter a number, for example 1000, 100 or 1" in page and "Enter the measure" in page
    chart = client.post(
        "/measures/propose/", {**PROPOSAL, "denominator": "none", "default_chart": "u", "multiplier": "1"}
    )
    assert chart.status_code == 400
    assert "a u chart needs a denominator" in chart.content.decode().lower()
    assert not DefinitionProposal.objects.exists()


def test_proposed_then_approved_by_a_second_person_and_audited(world):
    gov, admin = world.users["provider_governance"], world.users["system_admin"]
    author = signed_in_client(gov)
    author.post("/measures/propose/", PROPOSAL)
    proposal = DefinitionProposal.objects.get()
    own = author.get(f"/measures/proposals/{proposal.pk}/")
    assert "a second person in the measures working group must review it" in own.content.decode()
    refused = author.post(f"/measures/proposals/{proposal.pk}/", {"decision": "approved", "reason": "Mine"})
    assert refused.status_code == 409
    assert not DefinitionReview.objects.exists()

    checker = signed_in_client(admin)
    missing = checker.post(f"/measures/proposals/{proposal.pk}/", {"decision": "approved", "reason": ""})
    assert missing.status_code == 400 and "Enter the reason for your decision" in missing.content.decode()
    done = checker.post(f"/measures/proposals/{proposal.pk}/", {"decision": "approved", "reason": "Agreed"})
    assert done.status_code == 302
    assert "falls-per-1000-obd" in all_measures()
    history = checker.get("/measures/falls-per-1000-obd/").content.decode()
    assert "Approved" in history and "Agreed" in history
    assert AuditEvent.objects.filter(record_type="measures.DefinitionProposal").count() == 1
    assert AuditEvent.objects.filter(record_type="measures.DefinitionReview").count() == 1
    again = checker.post(f"/measures/proposals/{proposal.pk}/", {"decision": "rejected", "reason": "Oops"})
    assert again.status_code == 403 or "reviewed already" in again.content.decode()
