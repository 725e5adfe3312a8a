"""The page where a provider's governance chooses the measures of its board's integrated summary (issue 20
item 5): one variation and assurance table across every kind of measure. Who: ``Permission.AIM_SET`` on
the provider (its governance); a provider outside their scope is a 404. Each choice is audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import providers_for
from rrp.core.http import FORM_METHODS
from rrp.measures.board_sets import StaleChoice, board_set_choose, current_set, integrated_choices
from rrp.measures.catalogue import MeasureDefinition
from rrp.measures.forms import BoardSetForm


def _label(definition: MeasureDefinition) -> str:
    """A choice's text: the measure, its kind and where its numbers come from."""
    kind = definition.kind.value.replace("_", " ")
    return f"{definition.name} ({kind}, {definition.source.value})"


@require_http_methods(FORM_METHODS)
def board_set(request: HttpRequest, provider_id: int) -> HttpResponse:
    require_permission(request.user, Permission.AIM_SET)
    provider = get_object_or_404(providers_for(request.user), pk=provider_id)
    require_permission(request.user, Permission.AIM_SET, provider=provider)
    choices = [(d.slug, _label(d)) for d in integrated_choices()]
    held = current_set(provider.pk)
    status = 200
    if request.method == "POST":
        form = BoardSetForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                board_set_choose(
                    provider=provider,
                    slugs=form.cleaned_data["measures"],
                    by=request.user,
                    base_version=form.cleaned_data["base_version"] or 0,
                )
            except StaleChoice:
                data = request.POST.copy()
                data["base_version"] = str(held.version if held else 0)
                form = BoardSetForm(data, choices=choices)
                form.is_valid()
                chosen = ", ".join(held.slugs) if held else "none"
                form.add_error(
                    None,
                    "Someone else chose the measures since you opened the page (now: "
                    f"{chosen}); check their choice, and save again if yours is right",
                )
                status = 409
            else:
                messages.success(request, "The integrated summary's measures are saved.")
                return redirect("reports:board", provider_id=provider.pk)
        else:
            status = 400
    else:
        form = BoardSetForm(
            initial={"measures": held.slugs if held else [], "base_version": held.version if held else 0},
            choices=choices,
        )
    return render(
        request,
        "reports/board_set.jinja",
        {"provider": provider, "form": form, "held": held},
        status=status,
    )


urlpatterns: list[URLPattern] = [
    path("board/<id:provider_id>/integrated/", board_set, name="board-set"),
]
