"""The governed catalogue (issue 20 item 3, decision 0055): the measures working group proposes a new
measure of entered or imported values, or a new version of one, on a page; a second person approves or
rejects it with a reason; an approved definition joins the catalogue (``measures.catalogue.all_measures``)
without a code change, and every earlier version stays readable for the charts already published with it.

Only measures whose numbers come from ward values (``source`` entered or imported) are governed here: a
measure counted from RRP's records needs series code, so it stays a reviewed file. A proposal is checked by
the same ``parse_definition`` as a file, so a page cannot hold a definition a file could not.

The approved definitions reach every process through ``refresh_catalogue``: ``CatalogueMiddleware`` has it
called the first time a request reads the catalogue (one small query; the definitions are read again only
when an approval has been added; a request that never reads the catalogue costs nothing), and the commands
that chart call it before they start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.busy import is_database_busy, no_connection_free
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.measures.catalogue import (
    SLUG,
    MeasureDefinition,
    MeasureDefinitionError,
    Source,
    all_measures,
    before_read,
    parse_definition,
    shipped_measures,
    use_approved,
)
from rrp.measures.models import DefinitionDecision, DefinitionProposal, DefinitionReview

#: Keys that would clash with the catalogue's own addresses under /measures/.
RESERVED_KEYS = frozenset({"propose", "proposals", "wards"})
#: Placeholder checker while a proposal waits for its review (parse_definition wants one).
AWAITING_REVIEW = "(awaiting review)"


def person(user: User) -> str:
    """How a definition names its author or checker: the person's name, else their user name."""
    return user.get_full_name().strip() or user.get_username()


def definition_of(proposal: DefinitionProposal, *, checked_by: str = AWAITING_REVIEW) -> MeasureDefinition:
    """The proposal's definition as the catalogue holds it: author the proposer, checker the reviewer."""
    data = {**proposal.definition, "version": proposal.version, "authored_by": person(proposal.proposed_by)}
    data["checked_by"] = checked_by
    return parse_definition(data, path=f"{proposal.slug}.json")


# --- the catalogue's overlay -------------------------------------------------------------------------

_stamp: tuple[Any, ...] | None = None


def _approved_stamp() -> tuple[Any, ...]:
    """Changes whenever an approval is added (or, in tests, rolled back): one aggregate query."""
    row = DefinitionReview.objects.filter(decision=DefinitionDecision.APPROVED).aggregate(
        n=Count("pk"), last=Max("pk"), at=Max("reviewed_at")
    )
    return (row["n"], row["last"], row["at"])


def approved_definitions() -> dict[str, MeasureDefinition]:
    """The newest approved version of each governed measure, by slug (one query)."""
    out: dict[str, MeasureDefinition] = {}
    reviews = (
        DefinitionReview.objects.filter(decision=DefinitionDecision.APPROVED)
        .select_related("proposal__proposed_by", "reviewed_by")
        .order_by("slug", "version")
    )
    for review in reviews:
        out[review.slug] = definition_of(review.proposal, checked_by=person(review.reviewed_by))
    return out


def refresh_catalogue(*, force: bool = False) -> None:
    """Bring the catalogue's approved definitions up to date with the database: one query when nothing
    has been approved since the last call, two when something has."""
    global _stamp
    stamp = _approved_stamp()
    if force or stamp != _stamp:
        use_approved(approved_definitions())
        _stamp = stamp


def forget_catalogue() -> None:
    """Drop the approved definitions this process holds, as a new process starts (tests use it)."""
    global _stamp
    _stamp = None
    use_approved({})


class CatalogueMiddleware:
    """Keeps the catalogue up to date in every server process, so a definition approved in one is in
    every other's next page that reads the catalogue.

    The check (``refresh_catalogue``: one small query, the definitions read again only when an approval
    has been added) runs the first time the request reads the catalogue, not at the start of every
    request: most requests (signing in, recording an incident, the API's records) never read it and so
    cost no query for it (decision 0079).

    A database too busy to answer (no pooled connection free, a lock) leaves the catalogue as this process
    holds it and lets the request go on: the view then meets the busy database where the 503 handling is
    (the API's problem+json, rrp.core.busy's page), instead of the catalogue's check turning it into a 500.
    Inside a transaction the busy answer is not swallowed (on PostgreSQL it has ended the transaction), so
    it reaches that same 503 handling."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = before_read.set(refresh_unless_busy)
        try:
            return self.get_response(request)
        finally:
            before_read.reset(token)


def refresh_unless_busy() -> None:
    """``refresh_catalogue``, going on with the catalogue held when the database is too busy to answer:
    no pooled connection free (nothing was asked), or a busy answer outside a transaction. Inside one, a
    busy answer to the query has ended the transaction on PostgreSQL, so it is raised for the 503."""
    try:
        refresh_catalogue()
    except OperationalError as problem:
        if not is_database_busy(problem) or (connection.in_atomic_block and not no_connection_free(problem)):
            raise


# --- versions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefinitionVersion:
    """One version of a measure: shipped as a file (``proposal`` None) or proposed on the pages."""

    version: int
    definition: MeasureDefinition | None  # None for a proposal that no longer reads (never approved)
    proposal: DefinitionProposal | None
    review: DefinitionReview | None

    @property
    def status(self) -> str:
        """shipped, approved, rejected or proposed (waiting for its review)."""
        if self.proposal is None:
            return "shipped"
        return self.review.decision if self.review is not None else "proposed"


def proposals(*, slug: str | None = None, waiting: bool = False) -> list[DefinitionProposal]:
    """Proposals (of one measure, or every one), newest first, with their proposer and review; one query."""
    rows = DefinitionProposal.objects.select_related("proposed_by", "review", "review__reviewed_by")
    if slug is not None:
        rows = rows.filter(slug=slug)
    if waiting:
        rows = rows.filter(review__isnull=True)
    return list(rows.order_by("-proposed_at", "-pk"))


def versions_of(slug: str) -> list[DefinitionVersion]:
    """Every version of a measure, newest first: the shipped file's and each proposal's, with its review."""
    out = []
    shipped = shipped_measures().get(slug)
    if shipped is not None:
        out.append(DefinitionVersion(shipped.version, shipped, None, None))
    for proposal in proposals(slug=slug):
        review = getattr(proposal, "review", None)
        checked = person(review.reviewed_by) if review is not None else AWAITING_REVIEW
        try:
            definition = definition_of(proposal, checked_by=checked)
        except MeasureDefinitionError:
            definition = None
        out.append(DefinitionVersion(proposal.version, definition, proposal, review))
    return sorted(
        out,
        key=lambda v: (
            v.version,
            v.proposal.proposed_at if v.proposal else dt.datetime.min.replace(tzinfo=dt.UTC),
        ),
        reverse=True,
    )


def definition_at(slug: str, version: int) -> MeasureDefinition | None:
    """The definition a chart was published with: the shipped file's or the approved proposal's."""
    for held in versions_of(slug):
        if held.version == version and held.status in ("shipped", "approved"):
            return held.definition
    return None


# --- writes ------------------------------------------------------------------------------------------


class ProposalRefused(ValueError):
    """A proposal or review that cannot be taken; ``field`` names the form field it is about."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(message)


def _governed(slug: str) -> MeasureDefinition | None:
    """The current definition of an existing measure a proposal may change (entered or imported only)."""
    current = all_measures().get(slug)
    if current is not None and current.source is Source.RECORDS:
        raise ProposalRefused(
            "slug", "this measure is counted from RRP's records: a change to it needs a code change"
        )
    return current


@transaction.atomic
def definition_propose(
    *, slug: str, definition: dict[str, Any], change_summary: str, base_version: int, by: User
) -> DefinitionProposal:
    """Propose a new measure (``base_version`` 0) or the next version of one (its current version).

    The definition is checked as a file would be (MeasureDefinitionError names the field). A measure of a
    source that needs series code, or a version someone has changed since the proposer started, is
    refused (ProposalRefused)."""
    refresh_catalogue()
    if not SLUG.match(slug):
        raise ProposalRefused(
            "slug", "use lower-case words and numbers joined by -, for example falls-per-1000-obd"
        )
    if slug in RESERVED_KEYS:
        raise ProposalRefused("slug", "this key is used by the catalogue's pages: choose another")
    current = _governed(slug)
    held = current.version if current is not None else 0
    if held != base_version:
        if base_version == 0:
            raise ProposalRefused(
                "slug", "a measure already has this key: choose another, or propose a change to it"
            )
        raise ProposalRefused(
            None, f"the measure was changed since you started (now version {held}): open it again"
        )
    if current is not None and "references" not in definition:  # a change keeps the citations
        definition = {
            **definition,
            "references": [{"title": r.title, "url": r.url} for r in current.references],
        }
    if not change_summary.strip():
        raise ProposalRefused("change_summary", "say what the proposal adds or changes, and why")
    proposal = DefinitionProposal(
        slug=slug,
        version=held + 1,
        definition=definition,
        change_summary=change_summary.strip(),
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    parsed = definition_of(proposal)
    if parsed.source is Source.RECORDS:
        raise ProposalRefused(
            "source", "choose entered or imported: a measure counted from records needs code"
        )
    proposal.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=proposal,
        record_label=f"Proposed {parsed.name} (version {proposal.version})"[:200],
        detail={"slug": slug, "version": proposal.version},
    )
    return proposal


@transaction.atomic
def definition_review(
    *, proposal: DefinitionProposal, decision: DefinitionDecision, reason: str, by: User
) -> DefinitionReview:
    """Approve or reject a proposal with a reason, as someone other than its author.

    Approving puts the definition in the catalogue (every process from its next request). A proposal is
    reviewed once; one whose measure has moved on (another version approved since) can only be rejected."""
    if proposal.proposed_by_id == by.pk:
        raise ProposalRefused(None, "you proposed this: a second person must review it")
    if not reason.strip():
        raise ProposalRefused("reason", "enter the reason for your decision")
    if DefinitionReview.objects.filter(proposal=proposal).exists():
        raise ProposalRefused(None, "this proposal has been reviewed already")
    if decision is DefinitionDecision.APPROVED:
        refresh_catalogue()
        current = all_measures().get(proposal.slug)
        held = current.version if current is not None else 0
        if proposal.version != held + 1:
            raise ProposalRefused(
                None,
                f"the measure is at version {held} now, so this proposal of version {proposal.version} can "
                "only be rejected: propose the change again from the current version",
            )
        definition_of(proposal, checked_by=person(by))  # still a valid definition
    try:
        with transaction.atomic():
            review = DefinitionReview.objects.create(
                proposal=proposal,
                slug=proposal.slug,
                version=proposal.version,
                author_id=proposal.proposed_by_id,
                decision=decision,
                reason=reason.strip(),
                reviewed_by=by,
                reviewed_at=timezone.now(),
            )
    except IntegrityError:
        raise ProposalRefused(
            None, "someone reviewed this, or approved this version, since you started"
        ) from None
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=review,
        record_label=f"{decision.label} {proposal.slug} version {proposal.version}"[:200],
        detail={"slug": proposal.slug, "version": proposal.version, "decision": decision.value},
    )
    if decision is DefinitionDecision.APPROVED:
        transaction.on_commit(lambda: refresh_catalogue(force=True))
        refresh_catalogue(force=True)
    return review
