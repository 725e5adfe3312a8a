"""/healthz and /readyz for load balancers and container orchestrators (docs/deploy.md)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rrp.ops.health import readiness_problems


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
