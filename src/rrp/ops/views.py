"""/healthz and /readyz for load balancers and container orchestrators (docs/deploy.md); a user's
reminder preferences; the reminders that could not be sent, for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.core.http import FORM_METHODS
from rrp.ops import selectors, services
from rrp.ops.forms import ReminderPreferencesForm
from rrp.ops.health import readiness_problems
from rrp.ops.reminders import chosen_kinds, kinds_available


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the process answers at all; it touches nothing else, so a slow database never gets a
    healthy process restarted."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when this process can serve: database reachable, migrations applied, worker seen; else 503
    with the problems, so the load balancer sends traffic elsewhere."""
    problems = readiness_problems()
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})


@require_http_methods(FORM_METHODS)
def reminder_preferences(request: HttpRequest) -> HttpResponse:
    """What the signed-in user is reminded of, among the kinds their role can act on: their own choice."""
    user = request.user
    available = kinds_available(user)
    chosen = sorted(chosen_kinds(user) & {k.value for k in available})
    form = ReminderPreferencesForm(request.POST or None, available=available, initial={"kinds": chosen})
    if request.method == "POST" and form.is_valid():
        services.reminder_preferences_set(user=user, kinds=form.cleaned_data["kinds"], request=request)
        messages.success(request, "Your reminder choices are saved.")
        return redirect("ops:reminder-preferences")
    context = {
        "form": form,
        "available": available,
        "has_email": bool(user.email),
        "recent": selectors.reminders_sent_to(user),
    }
    return render(request, "ops/reminder_preferences.jinja", context, status=400 if form.errors else 200)


@require_safe
@permission_required(Permission.USER_MANAGE)
def reminders_not_sent(request: HttpRequest) -> HttpResponse:
    """For administrators: reminders that failed every attempt, and those still being retried."""
    return render(
        request, "ops/reminders_not_sent.jinja", {"reminders": list(selectors.reminders_not_sent()[:200])}
    )
