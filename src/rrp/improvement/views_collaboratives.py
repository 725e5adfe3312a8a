"""Pages that run a collaborative (issue 14, item 6; decision 0059). Views only authorise, call
selectors or services, and render.

A collaborative lead (``Permission.COLLABORATIVE_MANAGE``) runs the collaboratives they are linked to:
another collaborative is a 404, and other roles get a 403. The ward's provider (governance,
``Permission.COLLABORATIVE_JOIN``) answers invitations for its wards at ``/collaboratives/invitations/``;
an invitation for another provider's ward is a 404. The collaborative's report (its charts) stays in
``reports``; these pages link to it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from rrp.accounts.permissions import has_permission, permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import collaboratives_for, scope_of
from rrp.core.concurrency import StaleVersion
from rrp.core.forms import apply_errors
from rrp.core.http import FORM_METHODS
from rrp.improvement import collaborative_selectors as selectors
from rrp.improvement import collaborative_services as services
from rrp.improvement.collaborative_forms import (
    AnswerForm,
    CollaborativeEditForm,
    CollaborativeForm,
    CollaborativeIdeaForm,
    IdeaWithdrawForm,
    InviteForm,
    LearningNoteForm,
    LeaveForm,
    PackageAddForm,
    TemplateDiagramForm,
)
from rrp.improvement.diagram_drawing import diagram_svg
from rrp.improvement.forms import AimForm, WithdrawForm
from rrp.improvement.models import ChangeIdea
from rrp.improvement.services import improvement_aim_record, withdraw
from rrp.measures.catalogue import all_measures
from rrp.organisations.models import Collaborative


def _led(request: HttpRequest, collaborative_id: int) -> Collaborative:
    """A collaborative the user leads: 403 for a role that leads none, 404 for one not theirs."""
    require_permission(request.user, Permission.COLLABORATIVE_MANAGE)
    return get_object_or_404(collaboratives_for(request.user), pk=collaborative_id)


def _seen(request: HttpRequest, collaborative_id: int) -> Collaborative:
    """A collaborative whose view the user may open (its lead, analysts, member providers, CQC)."""
    require_permission(request.user, Permission.COLLABORATIVE_VIEW)
    return get_object_or_404(collaboratives_for(request.user), pk=collaborative_id)


def _status(form: object) -> int:
    return 400 if getattr(form, "errors", None) else 200


@require_http_methods(FORM_METHODS)
@permission_required(Permission.COLLABORATIVE_MANAGE)
def collaborative_new(request: HttpRequest) -> HttpResponse:
    """Start a collaborative: whoever starts it leads it."""
    regions = selectors.regions()
    form = CollaborativeForm(request.POST or None, regions=[(str(r.pk), r.name) for r in regions])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = next((r for r in regions if str(r.pk) == data["region"]), None)
        try:
            collaborative = services.collaborative_create(
                name=data["name"],
                kind=data["kind"],
                region=region,
                aim=data["aim"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{collaborative.name} started. Invite its wards next.")
            return redirect("improvement:collaborative-manage", collaborative_id=collaborative.pk)
    return render(request, "improvement/collaborative_new.jinja", {"form": form}, status=_status(form))


@require_http_methods(FORM_METHODS)
def collaborative_edit(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """Change the name, aim and dates, saying why: its lead (another collaborative is a 404), or a system
    administrator from the administration pages (any collaborative); other roles 403."""
    if has_permission(request.user, Permission.ORGANISATION_MANAGE):
        collaborative = get_object_or_404(Collaborative, pk=collaborative_id)
    else:
        collaborative = _led(request, collaborative_id)
    led = services.may_lead(request.user, collaborative)
    initial = {
        "name": collaborative.name,
        "aim": collaborative.aim,
        "starts_on": collaborative.starts_on.isoformat(),
        "ends_on": collaborative.ends_on.isoformat() if collaborative.ends_on else "",
    }
    form = CollaborativeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.collaborative_update(
                collaborative=collaborative, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{changed.name} changed. The change and why are in the audit log.")
            if led:
                return redirect("improvement:collaborative-manage", collaborative_id=changed.pk)
            return redirect("administration:index")
    back = (
        reverse("improvement:collaborative-manage", args=[collaborative.pk])
        if led
        else reverse("administration:index")
    )
    return render(
        request,
        "improvement/collaborative_edit.jinja",
        {"collaborative": collaborative, "form": form, "back": back},
        status=_status(form),
    )


def _measure_name(slug: str) -> str:
    definition = all_measures().get(slug)
    return definition.name if definition else slug


@require_http_methods(["GET", "HEAD"])
def collaborative_manage(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The lead's page: members, invitations, aims, change package and template diagram."""
    collaborative = _led(request, collaborative_id)
    aims = selectors.aims_of(collaborative)
    return render(
        request,
        "improvement/collaborative_manage.jinja",
        {
            "collaborative": collaborative,
            "members": selectors.memberships(collaborative),
            "invitations": selectors.invitations(collaborative),
            "aims": [(aim, _measure_name(aim.measure_slug)) for aim in aims],
            "package": selectors.package(collaborative),
            "own_ideas": selectors.own_ideas(collaborative),
            "template": selectors.latest_template(collaborative),
        },
    )


@require_http_methods(FORM_METHODS)
def collaborative_invite(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    collaborative = _led(request, collaborative_id)
    wards = selectors.invitable_wards(collaborative)
    choices = [(str(w.pk), f"{w.provider.name}: {w.name}") for w in wards]
    form = InviteForm(request.POST or None, wards=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ward = next((w for w in wards if str(w.pk) == data["ward"]), None)
        try:
            invitation = services.ward_invite(
                collaborative=collaborative,
                ward=ward,
                proposed_joining_on=data["proposed_joining_on"],
                message=data["message"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{invitation.ward.name} invited. It joins when {invitation.ward.provider.name} accepts.",
            )
            return redirect("improvement:collaborative-manage", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_invite.jinja",
        {"collaborative": collaborative, "form": form},
        status=_status(form),
    )


@require_POST
def invitation_withdraw(request: HttpRequest, collaborative_id: int, invitation_id: int) -> HttpResponse:
    collaborative = _led(request, collaborative_id)
    invitation = get_object_or_404(collaborative.invitations.select_related("ward"), pk=invitation_id)
    try:
        services.invitation_withdraw(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation of {invitation.ward.name} is withdrawn.")
    return redirect("improvement:collaborative-manage", collaborative_id=collaborative.pk)


@require_http_methods(FORM_METHODS)
def membership_leave(request: HttpRequest, collaborative_id: int, membership_id: int) -> HttpResponse:
    """Record that a ward left: its collaborative's lead, or the ward's provider."""
    require_permission(request.user, Permission.COLLABORATIVE_VIEW)
    collaborative = get_object_or_404(collaboratives_for(request.user), pk=collaborative_id)
    membership = get_object_or_404(
        collaborative.memberships.select_related("ward", "ward__provider", "collaborative"), pk=membership_id
    )
    led = services.may_lead(request.user, collaborative)
    if not led and not scope_of(request.user).has_provider_id(membership.ward.provider_id):
        raise Http404
    if not services.may_record_leaving(request.user, membership):
        raise PermissionDenied
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_leave(
                membership=membership, left_on=form.cleaned_data["left_on"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{membership.ward.name} left {collaborative.name}: recorded.")
            if led:
                return redirect("improvement:collaborative-manage", collaborative_id=collaborative.pk)
            return redirect("improvement:collaborative-invitations")
    return render(
        request,
        "improvement/collaborative_leave.jinja",
        {"collaborative": collaborative, "membership": membership, "form": form, "led": led},
        status=_status(form),
    )


@require_http_methods(FORM_METHODS)
def collaborative_aim_new(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """Set a measured aim: its progress shows on the collaborative's page from each ward's joining."""
    collaborative = _led(request, collaborative_id)
    form = AimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            improvement_aim_record(
                collaborative=collaborative,
                by=request.user,
                **{**form.cleaned_data, "statement": form.cleaned_data["statement"] or ""},
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Aim recorded. Its progress shows on the collaborative's page.")
            return redirect("improvement:collaborative-manage", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_aim_new.jinja",
        {"collaborative": collaborative, "form": form},
        status=_status(form),
    )


@require_http_methods(FORM_METHODS)
def collaborative_aim_withdraw(request: HttpRequest, collaborative_id: int, aim_id: int) -> HttpResponse:
    collaborative = _led(request, collaborative_id)
    aim = next((a for a in selectors.aims_of(collaborative) if a.pk == aim_id), None)
    if aim is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw(item=aim, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Aim \u201c{aim.statement}\u201d withdrawn.")
            return redirect("improvement:collaborative-manage", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_aim_withdraw.jinja",
        {
            "collaborative": collaborative,
            "aim": aim,
            "measure_name": _measure_name(aim.measure_slug),
            "form": form,
        },
        status=_status(form),
    )


@require_http_methods(FORM_METHODS)
def change_package(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The collaborative's change package: read by whoever sees the collaborative, curated by its lead."""
    collaborative = _seen(request, collaborative_id)
    led = services.may_lead(request.user, collaborative)
    if request.method == "POST" and not led:
        raise PermissionDenied
    candidates = [(str(i.pk), i.title) for i in services.package_candidates(collaborative)]
    form = PackageAddForm(request.POST or None, ideas=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["change_idea"]
        idea = (
            services.package_candidates(collaborative).filter(pk=chosen).first() if chosen.isdigit() else None
        )
        try:
            item = services.package_add(
                collaborative=collaborative, change_idea=idea, note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"\u201c{item.change_idea.title}\u201d added to the change package.")
            return redirect("improvement:collaborative-package", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_package.jinja",
        {
            "collaborative": collaborative,
            "package": selectors.package(collaborative),
            "own_ideas": selectors.own_ideas(collaborative, withdrawn=led),
            "form": form,
            "led": led,
        },
        status=_status(form),
    )


@require_POST
def change_package_remove(request: HttpRequest, collaborative_id: int, item_id: int) -> HttpResponse:
    collaborative = _led(request, collaborative_id)
    item = get_object_or_404(collaborative.package.select_related("change_idea"), pk=item_id)
    try:
        services.package_remove(item=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"\u201c{item.change_idea.title}\u201d taken out of the change package.")
    return redirect("improvement:collaborative-package", collaborative_id=collaborative.pk)


def _own_idea(collaborative: Collaborative, idea_id: int) -> ChangeIdea:
    idea = next((i for i in selectors.own_ideas(collaborative, withdrawn=True) if i.pk == idea_id), None)
    if idea is None:
        raise Http404
    return idea


IDEA_FIELDS = ("title", "description", "source", "source_url", "driver", "tags")


@require_http_methods(FORM_METHODS)
def own_idea_new(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The lead writes a change idea of the collaborative's own (version 1)."""
    collaborative = _led(request, collaborative_id)
    form = CollaborativeIdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in IDEA_FIELDS}
        try:
            idea = services.collaborative_idea_add(collaborative=collaborative, by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"\u201c{idea.title}\u201d is in the change package: member projects can test it."
            )
            return redirect("improvement:collaborative-package", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_idea_form.jinja",
        {"collaborative": collaborative, "form": form, "idea": None, "versions": []},
        status=_status(form),
    )


@require_http_methods(FORM_METHODS)
def own_idea_edit(request: HttpRequest, collaborative_id: int, idea_id: int) -> HttpResponse:
    """Change the collaborative's own idea: saved as its next version, the earlier ones listed."""
    collaborative = _led(request, collaborative_id)
    idea = _own_idea(collaborative, idea_id)
    initial = {name: getattr(idea, name) for name in IDEA_FIELDS} | {"base_version": idea.version}
    form = CollaborativeIdeaForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in IDEA_FIELDS}
        try:
            changed = services.collaborative_idea_change(
                idea=idea,
                note=form.cleaned_data["note"],
                base_version=form.cleaned_data["base_version"],
                by=request.user,
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        except StaleVersion as stale:
            form.add_error(None, str(stale))
            status = 409
        else:
            messages.success(request, f"\u201c{changed.title}\u201d saved as version {changed.version}.")
            return redirect("improvement:collaborative-package", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_idea_form.jinja",
        {
            "collaborative": collaborative,
            "form": form,
            "idea": idea,
            "versions": selectors.idea_versions(idea),
        },
        status=status if status != 200 else _status(form),
    )


@require_http_methods(FORM_METHODS)
def own_idea_withdraw(request: HttpRequest, collaborative_id: int, idea_id: int) -> HttpResponse:
    """Withdraw the collaborative's own idea, with why: kept, never deleted."""
    collaborative = _led(request, collaborative_id)
    idea = _own_idea(collaborative, idea_id)
    form = IdeaWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.collaborative_idea_withdraw(
                idea=idea, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"\u201c{idea.title}\u201d withdrawn from the change package.")
            return redirect("improvement:collaborative-package", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_idea_withdraw.jinja",
        {"collaborative": collaborative, "idea": idea, "form": form},
        status=_status(form),
    )


@require_http_methods(FORM_METHODS)
def template_diagram(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The template driver diagram: read by whoever sees the collaborative, published by its lead."""
    collaborative = _seen(request, collaborative_id)
    led = services.may_lead(request.user, collaborative)
    if request.method == "POST" and not led:
        raise PermissionDenied
    versions = selectors.template_versions(collaborative)
    latest = versions[0] if versions else None
    form = TemplateDiagramForm(request.POST or None, initial={"outline": latest.outline if latest else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.template_publish(
                collaborative=collaborative, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Template published as version {version.number}: new projects on member wards start from it.",
            )
            return redirect("improvement:collaborative-template", collaborative_id=collaborative.pk)
    aim_text = collaborative.aim or collaborative.name
    return render(
        request,
        "improvement/collaborative_template.jinja",
        {
            "collaborative": collaborative,
            "latest": latest,
            "versions": versions,
            "drawing": diagram_svg(latest.content, aim_text) if latest else None,
            "aim_text": aim_text,
            "form": form,
            "led": led,
        },
        status=_status(form),
    )


@require_http_methods(["GET", "HEAD"])
@permission_required(Permission.COLLABORATIVE_JOIN)
def invitations(request: HttpRequest) -> HttpResponse:
    """Invitations for the provider's wards, and its wards' current memberships."""
    return render(
        request,
        "improvement/collaborative_invitations.jinja",
        {
            "pending": selectors.pending_for_provider(request.user),
            "answered": selectors.answered_for_provider(request.user),
            "members": selectors.memberships_for_provider(request.user),
        },
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.COLLABORATIVE_JOIN)
def invitation_answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_for_provider(request.user, invitation_id)
    if invitation is None:
        raise Http404
    form = AnswerForm(request.POST or None, initial={"joined_on": invitation.proposed_joining_on.isoformat()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accept = {"yes": True, "no": False}.get(data["accept"])
        try:
            services.invitation_answer(
                invitation=invitation,
                accept=accept,
                joined_on=data["joined_on"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{invitation.ward.name} joins {invitation.collaborative.name}."
                if accept
                else f"The invitation of {invitation.ward.name} is declined.",
            )
            return redirect("improvement:collaborative-invitations")
    return render(
        request,
        "improvement/collaborative_answer.jinja",
        {"invitation": invitation, "form": form},
        status=_status(form),
    )


@require_http_methods(FORM_METHODS)
def learning_notes(request: HttpRequest, collaborative_id: int) -> HttpResponse:
    """The learning-set notes: read by whoever sees the collaborative, written by its lead; each is a
    marker on the pooled charts."""
    collaborative = _seen(request, collaborative_id)
    led = services.may_lead(request.user, collaborative)
    if request.method == "POST" and not led:
        raise PermissionDenied
    form = LearningNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.learning_note_record(
                collaborative=collaborative, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"\u201c{note.label}\u201d recorded: it is now on the collaborative's charts."
            )
            return redirect("improvement:collaborative-notes", collaborative_id=collaborative.pk)
    return render(
        request,
        "improvement/collaborative_notes.jinja",
        {
            "collaborative": collaborative,
            "notes": selectors.learning_notes(collaborative.pk),
            "form": form,
            "led": led,
        },
        status=_status(form),
    )
