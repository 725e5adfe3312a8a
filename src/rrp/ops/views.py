"""/healthz and /readyz for load balancers and container orchestrators (docs/deploy.md); a user's
reminder preferences; the reminders that could not be sent, for administrators; long exports' progress
pages and files (decision 0023)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rrp.accounts.permissions import permission_required
from rrp.accounts.roles import Permission
from rrp.core.http import FORM_METHODS
from rrp.ops import exports, selectors, services
from rrp.ops.forms import ReminderPreferencesForm
from rrp.ops.health import readiness_problems
from rrp.ops.models import ExportStatus
from rrp.ops.reminders import chosen_kinds, kinds_available
from rrp.ops.worker import last_seen_problem


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


@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Ask for a long export (the board pack, a collaborative's CSV): with the permission and scope its
    page needs (403 / 404 as there), the worker makes it and the progress page follows it."""
    kind = exports.EXPORTS.get(request.POST.get("kind", ""))
    try:
        object_id = int(request.POST.get("object_id", ""))
    except ValueError:
        object_id = 0
    if kind is None or object_id <= 0:
        return render(request, "ops/export_refused.jinja", status=400)
    obj = kind.scoped(request.user, object_id)
    job = exports.export_request(user=request.user, kind=kind, obj=obj)
    return redirect("ops:export-progress", job_id=job.pk)


@require_safe
@never_cache
def export_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The export's progress, then its file: the person's own only (404 otherwise). With htmx the status
    part is fetched again every two seconds until it is finished; without JS the page refreshes itself."""
    job = exports.job_for(request.user, job_id)
    if job is None:
        raise Http404
    finished = job.status in (ExportStatus.READY, ExportStatus.FAILED)
    context = {
        "job": job,
        "finished": finished,
        "expired": exports.expired(job),
        "worker_missing": job.status == ExportStatus.QUEUED and last_seen_problem() is not None,
        "percent": 100 if finished else round(100 * max(job.step - 1, 0) / max(job.steps, 1)),
    }
    if request.headers.get("HX-Request"):
        # 286 tells htmx to stop asking once the export is finished (it still shows this answer).
        return render(request, "ops/export_status.jinja", context, status=286 if finished else 200)
    return render(request, "ops/export_progress.jinja", context)


@require_safe
@never_cache
def export_file(request: HttpRequest, job_id: str) -> HttpResponse:
    """The finished file, for the person who asked while their scope still allows it; audited. An
    expired file is 410 with a way to ask again."""
    job = exports.job_for(request.user, job_id)
    if job is None or job.status != ExportStatus.READY:
        raise Http404
    if exports.expired(job):
        return render(
            request, "ops/export_progress.jinja", {"job": job, "finished": True, "expired": True}, status=410
        )
    job = exports.download(user=request.user, job=job, request=request)
    response = HttpResponse(bytes(job.content), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
