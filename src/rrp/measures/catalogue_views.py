"""The governed catalogue's pages (issue 20 item 3, decision 0055): every measure with its kind, source,
version and next review; a measure's page with its version history; proposing a new measure of entered or
imported values or a change to one; and a second person's review. Definitions name no patient, so the
pages are not scoped to an organisation: reading needs aggregate figures or the working group's
permission, proposing and reviewing ``MEASURE_DEFINE``. Views only authorise, call the services and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import has_permission, require_permission
from rrp.accounts.roles import Permission
from rrp.core.http import FORM_METHODS
from rrp.measures.catalogue import MeasureDefinitionError, MeasureKind, Source, all_measures
from rrp.measures.forms import FORM_FIELD_OF, DefinitionForm, DefinitionReviewForm, definition_initial
from rrp.measures.governance import (
    ProposalRefused,
    definition_of,
    definition_propose,
    definition_review,
    proposals,
    versions_of,
)
from rrp.measures.models import DefinitionDecision, DefinitionProposal

KIND_ORDER = [MeasureKind.OUTCOME, MeasureKind.PROCESS, MeasureKind.BALANCING, MeasureKind.DATA_QUALITY]


def _may_read(request: HttpRequest) -> bool:
    """Anyone who sees aggregate figures, or acts for the measures working group, reads the catalogue."""
    if has_permission(request.user, Permission.AGGREGATES_VIEW) or has_permission(
        request.user, Permission.MEASURE_DEFINE
    ):
        return True
    raise PermissionDenied


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"may_define": has_permission(request.user, Permission.MEASURE_DEFINE), **extra}


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    _may_read(request)
    measures = sorted(all_measures().values(), key=lambda d: (KIND_ORDER.index(d.kind), d.name))
    waiting = proposals(waiting=True) if has_permission(request.user, Permission.MEASURE_DEFINE) else []
    return render(
        request,
        "measures/catalogue.jinja",
        _context(request, measures=measures, waiting=waiting),
    )


@require_safe
def measure_page(request: HttpRequest, slug: str) -> HttpResponse:
    _may_read(request)
    versions = versions_of(slug)
    current = all_measures().get(slug)
    if current is None and not versions:
        raise Http404
    return render(
        request,
        "measures/catalogue_measure.jinja",
        _context(
            request,
            slug=slug,
            current=current,
            versions=versions,
            governed=current is None or current.source is not Source.RECORDS,
        ),
    )


def _add_problem(form: DefinitionForm, field: str | None, message: str) -> None:
    name = FORM_FIELD_OF.get(field or "", field)
    text = message[:1].upper() + message[1:]
    form.add_error(name if name in form.fields else None, text)


@require_http_methods(FORM_METHODS)
def propose(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """A new measure (no slug) or a new version of one, proposed for a second person's review."""
    require_permission(request.user, Permission.MEASURE_DEFINE)
    current = None
    if slug is not None:
        current = all_measures().get(slug)
        if current is None:
            raise Http404
        if current.source is Source.RECORDS:
            raise PermissionDenied("A measure counted from RRP's records changes in code, not on a page.")
    status = 200
    if request.method == "POST":
        data = request.POST.copy()
        if current is not None:
            data["slug"] = current.slug  # a change keeps the measure's key
        form = DefinitionForm(data)
        if form.is_valid():
            try:
                proposal = definition_propose(
                    slug=form.cleaned_data["slug"],
                    definition=form.definition(),
                    change_summary=form.cleaned_data["change_summary"],
                    base_version=form.cleaned_data["base_version"] or 0,
                    by=request.user,
                )
            except MeasureDefinitionError as problem:
                _add_problem(form, problem.field, problem.reason)
            except ProposalRefused as refused:
                _add_problem(form, refused.field, refused.message)
                status = 409 if refused.field is None else 400
            else:
                messages.success(
                    request, "Proposed. A second person in the measures working group must review it."
                )
                return redirect("measures:proposal", proposal_id=proposal.pk)
        status = status if status != 200 else 400
    else:
        form = DefinitionForm(
            initial=definition_initial(current)
            if current
            else {"combine": "sum", "entry_period": "month", "base_version": 0}
        )
    return render(
        request,
        "measures/catalogue_propose.jinja",
        _context(request, form=form, current=current),
        status=status,
    )


@require_http_methods(FORM_METHODS)
def proposal_page(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """A proposal: its definition beside the current one, and the second person's review."""
    _may_read(request)
    proposal = get_object_or_404(
        DefinitionProposal.objects.select_related("proposed_by", "review", "review__reviewed_by"),
        pk=proposal_id,
    )
    review = getattr(proposal, "review", None)
    own = proposal.proposed_by_id == request.user.pk
    may_review = review is None and not own and has_permission(request.user, Permission.MEASURE_DEFINE)
    form = DefinitionReviewForm()
    status = 200
    if request.method == "POST":
        require_permission(request.user, Permission.MEASURE_DEFINE)
        form = DefinitionReviewForm(request.POST)
        if form.is_valid():
            decision = DefinitionDecision(form.cleaned_data["decision"])
            try:
                definition_review(
                    proposal=proposal, decision=decision, reason=form.cleaned_data["reason"], by=request.user
                )
            except (ProposalRefused, MeasureDefinitionError) as refused:
                field = getattr(refused, "field", None)
                message = getattr(refused, "message", None) or str(refused)
                form.add_error(field if field in form.fields else None, message[:1].upper() + message[1:])
                status = 409 if field is None else 400
            else:
                messages.success(request, f"{decision.label}.")
                return redirect("measures:measure", slug=proposal.slug)
        status = status if status != 200 else 400
    try:
        proposed = definition_of(proposal)
    except MeasureDefinitionError:
        proposed = None
    current = all_measures().get(proposal.slug)
    return render(
        request,
        "measures/catalogue_proposal.jinja",
        _context(
            request,
            proposal=proposal,
            review=review,
            proposed=proposed,
            current=current if current is not None and current.version < proposal.version else None,
            own=own,
            may_review=may_review,
            form=form,
        ),
        status=status,
    )
