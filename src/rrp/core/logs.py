"""Every log line of a request carries its request id, and every request leaves one log line.

The id comes from the load balancer's X-Request-ID header when it sends a plausible one (so its logs and
ours join up), otherwise a new random one; it goes back in the response's X-Request-ID header, so a user
reporting a fault can quote it. The log line names the method, the path without its query string (a
search may hold a name), the status, the time taken and the user's id, never anything about a patient.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Health probes arrive every few seconds from each load balancer: logged only at DEBUG.
_QUIET_PATHS = ("/healthz", "/readyz")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
logger = logging.getLogger("rrp.request")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every log record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class RequestIdMiddleware:
    """Gives each request an id, answers with it, and logs the request once it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _PLAUSIBLE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "user", None)
            logger.log(
                logging.DEBUG if request.path.startswith(_QUIET_PATHS) else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            request_id_var.reset(token)
