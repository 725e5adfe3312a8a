"""A database too busy to take a write now: answered 503 with Retry-After, never 500.

On SQLite a writer waits for the write lock up to the busy timeout (settings: transactions start with
BEGIN IMMEDIATE) and then fails with "database is locked"; on PostgreSQL a request may find no pooled
connection free within the pool's timeout, or lose a lock wait, a deadlock or a serialisation check.
Each is the database saying "not now", not a fault: nothing was saved, and the same request later
will work. The API answers these 503 problem+json (rrp.api.problems), form pages show the form again
with what was typed and this message, and any other page gets a 503 page (the middleware here).
See docs/reliability.md.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from psycopg_pool import PoolTimeout

#: Seconds a client should wait before sending the request again (the Retry-After header).
RETRY_AFTER_SECONDS = 5
#: What a person is told, on a page or in the API's problem detail.
BUSY_MESSAGE = (
    "The system is busy saving other records, so nothing was saved this time. "
    "Wait a few seconds and save again."
)
# SQLite's SQLITE_BUSY and SQLITE_LOCKED.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected.
_PG_TRANSIENT = frozenset({"55P03", "40001", "40P01"})


def is_database_busy(exc: BaseException) -> bool:
    """Whether `exc` is the database declining a request for now (busy, no connection free, a lost
    lock race), which a retry cures, as opposed to a fault."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, PoolTimeout):
        return True
    if getattr(cause, "sqlstate", None) in _PG_TRANSIENT:
        return True
    return str(exc).strip().lower() in _SQLITE_BUSY


def no_connection_free(exc: BaseException) -> bool:
    """Whether `exc` is the pool having no connection to give: nothing reached the database, so no
    transaction was touched."""
    return isinstance(exc, OperationalError) and isinstance(exc.__cause__, PoolTimeout)


def busy_page(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page, with Retry-After. For a form that was posted it carries everything posted (the
    typed text shown, every field hidden) and a button that posts it again to the same address, so
    nothing typed is lost. Standalone HTML: it must not need the database."""
    posted: list[tuple[str, str]] = []
    if request is not None and request.method == "POST":
        posted = [(name, value) for name, values in request.POST.lists() for value in values]
    typed = [value for name, value in posted if name != "csrfmiddlewaretoken" and len(value.strip()) > 20]
    html = render_to_string(
        "503.html", {"posted": posted, "typed": typed, "action": request.path if request else "/"}
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Answer a page whose database was too busy with the 503 page instead of a 500, keeping what a
    posted form carried. (The incident forms catch it themselves and show the whole form again.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy_page(request) if is_database_busy(exception) else None


class BusyTolerantSessionMiddleware(SessionMiddleware):
    """Django's session middleware, except that a session save the busy database declined leaves the
    answer as it is (the session keeps its previous expiry this once) instead of turning it into a
    500. Sessions are saved on every request (SESSION_SAVE_EVERY_REQUEST), so this is a write too."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except OperationalError as problem:
            if not is_database_busy(problem):
                raise
            return response
