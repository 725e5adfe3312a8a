"""The governed catalogue (issue 20 item 3, decision 0055): a measure of entered or imported values is
proposed, approved by a second person (never its author) and then is in the catalogue, the command's list,
the ward's values page and the board without a code change; the earlier version stays readable."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from rrp.core.models import AuditEvent
from rrp.measures.catalogue import MeasureDefinitionError, Source, all_measures, measure
from rrp.measures.governance import (
    ProposalRefused,
    definition_at,
    definition_propose,
    definition_review,
    forget_catalogue,
    refresh_catalogue,
    versions_of,
)
from rrp.measures.models import DefinitionDecision, DefinitionReview
from tests.helpers import signed_in_client

FALLS = {
    "name": "Falls per 1,000 occupied bed days",
    "kind": "balancing",
    "why_it_matters": "Less restraint must not mean more falls.",
    "numerator": {"description": "Falls reported in the incident system", "counts": "ward_values"},
    "denominator": "occupied_bed_days",
    "unit": "per 1,000 occupied bed days",
    "multiplier": 1000,
    "improvement_direction": "decrease",
    "default_chart": "xmr",
    "mhsds_metric": None,
    "source": "imported",
    "next_review": "2027-12-31",
}


@pytest.fixture(autouse=True)
def fresh_catalogue():
    """The catalogue's approved overlay is per process: start and end each test with the files only."""
    forget_catalogue()
    yield
    forget_catalogue()


def propose_falls(world, **changes):
    return definition_propose(
        slug="falls-per-1000-obd",
        definition={**FALLS, **changes},
        change_summary="Falls are a balancing measure the working group asked for",
        base_version=0,
        by=world.users["provider_governance"],
    )


def test_an_approved_proposal_joins_the_catalogue_with_its_author_and_checker(world):
    proposal = propose_falls(world)
    assert "falls-per-1000-obd" not in all_measures()  # proposed, not yet in use

    definition_review(
        proposal=proposal,
        decision=DefinitionDecision.APPROVED,
        reason="Matches the incident system's category",
        by=world.users["system_admin"],
    )

    falls = measure("falls-per-1000-obd")
    assert (falls.version, falls.source, falls.from_values) == (1, Source.IMPORTED, True)
    assert falls.authored_by == world.users["provider_governance"].get_username()
    assert falls.checked_by == world.users["system_admin"].get_username()
    assert AuditEvent.objects.filter(record_type="measures.DefinitionReview").count() == 1


def test_the_author_can_never_approve_their_own_and_the_database_refuses_it_too(world):
    proposal = propose_falls(world)
    with pytest.raises(ProposalRefused, match="second person"):
        definition_review(
            proposal=proposal,
            decision=DefinitionDecision.APPROVED,
            reason="Fine",
            by=world.users["provider_governance"],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DefinitionReview.objects.create(
            proposal=proposal,
            slug=proposal.slug,
            version=1,
            author=proposal.proposed_by,
            decision="approved",
            reason="Fine",
            reviewed_by=proposal.proposed_by,
            reviewed_at=proposal.proposed_at,
        )
    assert "falls-per-1000-obd" not in all_measures()


def test_a_rejection_needs_a_reason_and_keeps_the_measure_out(world):
    proposal = propose_falls(world)
    with pytest.raises(ProposalRefused) as refused:
        definition_review(
            proposal=proposal,
            decision=DefinitionDecision.REJECTED,
            reason=" ",
            by=world.users["system_admin"],
        )
    assert refused.value.field == "reason"
    definition_review(
        proposal=proposal,
        decision=DefinitionDecision.REJECTED,
        reason="Datix does not code falls by ward yet",
        by=world.users["system_admin"],
    )
    refresh_catalogue(force=True)
    assert "falls-per-1000-obd" not in all_measures()
    assert [v.status for v in versions_of("falls-per-1000-obd")] == ["rejected"]


def test_a_bad_definition_is_refused_naming_the_field_and_nothing_is_saved(world):
    with pytest.raises(MeasureDefinitionError, match="default_chart"):
        propose_falls(world, denominator="none", default_chart="p", multiplier=1)
    assert not versions_of("falls-per-1000-obd")


def test_a_measure_counted_from_records_cannot_be_proposed_or_changed_on_a_page(world):
    with pytest.raises(ProposalRefused, match="code"):
        definition_propose(
            slug="incidents",
            definition=FALLS,
            change_summary="Try",
            base_version=measure("incidents").version,
            by=world.users["provider_governance"],
        )
    with pytest.raises(ProposalRefused) as refused:
        propose_falls(world, source="records", numerator={"description": "x", "counts": "incidents"})
    assert refused.value.field == "source"


def test_a_change_to_a_shipped_measure_is_a_new_version_and_the_old_one_stays(world):
    old = measure("staff-sickness-rate")
    data = {
        "name": old.name,
        "kind": old.kind.value,
        "why_it_matters": old.why_it_matters,
        "numerator": {"description": old.numerator.description, "counts": "ward_values"},
        "denominator": "entered",
        "unit": old.unit,
        "multiplier": old.multiplier,
        "improvement_direction": "decrease",
        "default_chart": "xmr",
        "mhsds_metric": None,
        "source": "imported",  # now sent from the e-rostering system
        "next_review": "2028-01-31",
    }
    proposal = definition_propose(
        slug=old.slug,
        definition=data,
        change_summary="Sickness now comes from e-rostering",
        base_version=old.version,
        by=world.users["provider_governance"],
    )
    definition_review(
        proposal=proposal,
        decision=DefinitionDecision.APPROVED,
        reason="Agreed",
        by=world.users["system_admin"],
    )

    assert measure(old.slug).version == old.version + 1
    assert measure(old.slug).source is Source.IMPORTED
    assert definition_at(old.slug, old.version) == old  # the version charts were published with
    assert [v.status for v in versions_of(old.slug)] == ["approved", "shipped"]


def test_a_proposal_overtaken_by_another_approval_can_only_be_rejected(world):
    gov, admin = world.users["provider_governance"], world.users["system_admin"]
    first, second = propose_falls(world), propose_falls(world, name="Falls (any harm)")
    definition_review(proposal=first, decision=DefinitionDecision.APPROVED, reason="Yes", by=admin)
    with pytest.raises(ProposalRefused, match="version 1 now"):
        definition_review(proposal=second, decision=DefinitionDecision.APPROVED, reason="Yes", by=admin)
    with pytest.raises(ProposalRefused, match="already has this key"):
        propose_falls(world)
    assert measure("falls-per-1000-obd").name == FALLS["name"]
    assert gov != admin


def test_an_approved_measure_is_listed_by_the_command_and_on_the_ward_values_page(world):
    proposal = propose_falls(world)
    definition_review(
        proposal=proposal,
        decision=DefinitionDecision.APPROVED,
        reason="Agreed",
        by=world.users["system_admin"],
    )
    forget_catalogue()  # another process: knows nothing until it refreshes

    out = StringIO()
    call_command("measures_list", "--format", "csv", stdout=out)
    assert "falls-per-1000-obd,Falls per 1,000" in out.getvalue().replace('"', "")

    forget_catalogue()
    client = signed_in_client(world.users["ward_manager"])
    page = client.get(f"/measures/wards/{world.wards['a1'].pk}/values/")
    assert page.status_code == 200
    assert "Falls per 1,000 occupied bed days" in page.content.decode()
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    saved = client.post(
        f"/measures/wards/{world.wards['a1'].pk}/values/",
        {
            "measure": "falls-per-1000-obd",
            "month": f"{last_month:%Y-%m}",
            "numerator": "2",
            "base_version": "0",
        },
    )
    assert saved.status_code == 302


def test_a_busy_database_leaves_the_catalogue_as_held_and_the_request_goes_on(db, monkeypatch):
    """With no pooled connection free, the catalogue's check raised before any view ran, so the API's
    503 (and the pages' busy page) became a 500 (tests/integration/reliability/test_database_busy.py on
    PostgreSQL found it). The request now goes on to meet the busy database where it is answered."""
    from psycopg_pool import PoolTimeout

    from rrp.measures import governance

    def busy() -> None:
        try:
            raise PoolTimeout("couldn't get a connection after 0.5 sec")
        except PoolTimeout as cause:
            raise OperationalError("couldn't get a connection") from cause

    monkeypatch.setattr(governance, "_approved_stamp", busy)
    middleware = governance.CatalogueMiddleware(
        lambda request: HttpResponse(f"the view answered with {len(all_measures())} measures")
    )
    answer = middleware(RequestFactory().get("/")).content.decode()
    assert answer == f"the view answered with {len(all_measures())} measures"

    # A busy answer to the query itself, inside a transaction, has ended it on PostgreSQL: it goes on
    # to the 503 handling rather than leave the view a dead transaction.
    def locked() -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(governance, "_approved_stamp", locked)
    with transaction.atomic(), pytest.raises(OperationalError):
        middleware(RequestFactory().get("/"))

    # Any other database fault is still a fault, not hidden.
    def broken() -> None:
        raise OperationalError("no such table: measures_definitionproposal")

    monkeypatch.setattr(governance, "_approved_stamp", broken)
    with pytest.raises(OperationalError):
        middleware(RequestFactory().get("/"))


def test_the_catalogue_is_checked_once_and_only_by_a_request_that_reads_it(world, monkeypatch):
    """Decision 0079: the middleware read the approvals' version at the start of every request, even one
    that never reads the catalogue (signing in, an incident form). Now a request that reads no measure
    costs no query for it, and one that reads many checks once, and still sees another process's approval."""
    from rrp.measures import governance

    checks: list[int] = []
    real = governance._approved_stamp

    def counted() -> tuple:
        checks.append(1)
        return real()

    monkeypatch.setattr(governance, "_approved_stamp", counted)
    quiet = governance.CatalogueMiddleware(lambda request: HttpResponse("no measures here"))
    assert quiet(RequestFactory().get("/")).content == b"no measures here"
    assert checks == []

    proposal = propose_falls(world)
    definition_review(
        proposal=proposal,
        decision=DefinitionDecision.APPROVED,
        reason="Agreed",
        by=world.users["system_admin"],
    )
    forget_catalogue()  # another process: knows nothing of the approval yet
    checks.clear()

    def reads_many(request):
        names = [measure("falls-per-1000-obd").name for _ in range(5)]
        return HttpResponse(names[0])

    busy = governance.CatalogueMiddleware(reads_many)
    assert busy(RequestFactory().get("/")).content.decode() == FALLS["name"]
    assert checks == [1]
    assert "falls-per-1000-obd" in all_measures()  # and outside a request the overlay is as last read
    assert checks == [1]
