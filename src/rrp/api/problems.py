"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the API answers has `type`, `title`, `status` and `detail`; validation errors add
`errors`, one `{field, message}` per problem, so a client can show each message beside its field.
Import errors add `row`, `column` and `value` to each entry. The handlers here turn the exceptions
the services and django-ninja raise into these documents, so routers only ever raise.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from rrp.core.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_database_busy
from rrp.core.concurrency import StaleVersion
from rrp.core.csv_import import ImportRejected

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Problem types (documented in docs/api.md). Statuses that need no more than their name use about:blank.
TYPE_INVALID_REQUEST = "urn:rrp:problem:invalid-request"
TYPE_VALIDATION = "urn:rrp:problem:validation"
TYPE_CONFLICT = "urn:rrp:problem:conflict"
TYPE_IMPORT_REJECTED = "urn:rrp:problem:import-rejected"
TYPE_TOO_LARGE = "urn:rrp:problem:too-large"
TYPE_BUSY = "urn:rrp:problem:busy"
TYPE_STALE_VERSION = "urn:rrp:problem:stale-version"


def body_limit_text() -> str:
    """The largest JSON body the API reads (Django's DATA_UPLOAD_MAX_MEMORY_SIZE), e.g. "2.5 MB"."""
    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_048_576:g} MB"


# Service validation errors on these keys are about the record's state, not the request: 409.
CONFLICT_FIELDS = frozenset({"status"})


class FieldProblem(Schema):
    """One problem with one field (or, for a file import, one cell)."""

    field: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None


class Problem(Schema):
    """An RFC 9457 problem details document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] = []


class ApiError(Exception):
    """Raised by routers for a problem with no better exception: carries its status and detail."""

    def __init__(self, status: int, detail: str, *, type_: str = "about:blank", title: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.type, self.title = status, detail, type_, title


def problem_response(
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    type_: str = "about:blank",
    title: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem+json response (title defaults to the status's reason phrase, as RFC 9457 asks for
    about:blank)."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def django_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    """Each message of a Django ValidationError as {field, message} (non-field errors on `__all__`)."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "__all__", "message": message} for message in exc.messages]


def ninja_errors(exc: NinjaValidationError) -> list[dict[str, Any]]:
    """django-ninja's pydantic errors as {field, message}; the field drops the `body`/`query`/`path`
    prefix and the payload parameter's name, so it reads as the client wrote it."""
    out = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in {"body", "query", "path", "form", "file", "header"}:
            loc = loc[1:]
            if loc and loc[0] in {"payload", "filters", "file"} and len(loc) > 1:
                loc = loc[1:]
        field = ""
        for part in loc:
            field += f"[{part}]" if part.isdigit() else (f".{part}" if field else part)
        cause = (error.get("ctx") or {}).get("error")
        message = str(cause) if isinstance(cause, ValueError) else error.get("msg", "Invalid value")
        out.append({"field": field or "__all__", "message": message})
    return out


def busy_problem(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """503 with Retry-After for a database too busy to take the request now (rrp.core.busy); any other
    database error is a fault and goes on up."""
    if not is_database_busy(exc):
        raise exc
    return problem_response(
        request,
        status=503,
        type_=TYPE_BUSY,
        title="The service is busy",
        detail=f"{BUSY_MESSAGE} Send the same request again after {RETRY_AFTER_SECONDS} seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def stale_version_problem(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
    """409 for an amendment made from a version that is no longer the latest (decision 0018)."""
    return problem_response(
        request,
        status=409,
        type_=TYPE_STALE_VERSION,
        title="The record was changed after you read it",
        detail=str(exc),
        errors=[{"field": "base_version", "message": f"The latest version is {exc.current}"}],
    )


def install_problem_handlers(api: NinjaAPI) -> None:
    """Register a problem+json handler for every error the API can answer."""
    api.add_exception_handler(OperationalError, busy_problem)
    api.add_exception_handler(StaleVersion, stale_version_problem)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            status=401,
            detail="Send a valid bearer token: Authorization: Bearer <token> (make one with "
            "`rrp token create --user USERNAME`). The token may be missing, wrong, expired or revoked.",
            headers={"WWW-Authenticate": 'Bearer realm="rrp"'},
        )

    @api.exception_handler(NinjaValidationError)
    def invalid_shape(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = ninja_errors(exc)
        return problem_response(
            request,
            status=422,
            type_=TYPE_VALIDATION,
            title="Your request has fields that are not valid",
            detail=f"{len(errors)} field(s) are not valid; nothing was saved.",
            errors=errors,
        )

    @api.exception_handler(DjangoValidationError)
    def invalid_content(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = django_errors(exc)
        if {e["field"] for e in errors} <= CONFLICT_FIELDS:
            return problem_response(
                request,
                status=409,
                type_=TYPE_CONFLICT,
                title="The record is not in a state that allows this",
                detail=" ".join(e["message"] for e in errors),
                errors=errors,
            )
        return problem_response(
            request,
            status=422,
            type_=TYPE_VALIDATION,
            title="Your request has fields that are not valid",
            detail=f"{len(errors)} problem(s) found; nothing was saved.",
            errors=errors,
        )

    @api.exception_handler(ImportRejected)
    def import_rejected(request: HttpRequest, exc: ImportRejected) -> HttpResponse:
        errors = [
            {"field": e.column, "message": e.reason, "row": e.row, "column": e.column, "value": e.value}
            for e in exc.errors
        ]
        return problem_response(
            request,
            status=422,
            type_=TYPE_IMPORT_REJECTED,
            title="The file has problems; nothing was imported",
            detail=str(exc),
            errors=errors,
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem_response(
            request,
            status=413,
            type_=TYPE_TOO_LARGE,
            detail=f"The request body is larger than the {body_limit_text()} the API takes; nothing was "
            "saved. Send incidents one at a time, or many as a CSV file to /api/incidents/import "
            "(files are not held to this limit).",
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem_response(request, status=403, detail=str(exc) or "You cannot do this with your role.")

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, status=404, detail=str(exc) or "Nothing you can see has this id.")

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        return problem_response(
            request,
            status=409,
            type_=TYPE_CONFLICT,
            detail="The change conflicts with a record already saved (for example the same source id); "
            "nothing was saved.",
        )

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return problem_response(
            request, status=exc.status, detail=exc.detail, type_=exc.type, title=exc.title
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return problem_response(
            request,
            status=exc.status_code,
            type_=TYPE_INVALID_REQUEST if exc.status_code == 400 else "about:blank",
            detail=str(exc),
        )


def problem_responses(*statuses: int) -> dict[int, type[Problem]]:
    """The `response=` entries documenting the given error statuses as Problem."""
    return dict.fromkeys(statuses, Problem)


#: Errors any operation may answer, whatever its own ``response=`` says: no usable token, a path or
#: query value of the wrong type or out of range, and the database busy or unavailable.
EVERY_OPERATION = {
    401: "No usable bearer token",
    422: "A path, query or body value is not valid (each named in `errors`)",
    503: "The database is busy or unavailable: try again after `Retry-After` seconds; nothing was saved",
}
#: And those of any operation that reads a request body: not JSON (or not a form), or too large.
WITH_A_BODY = {
    400: "The body could not be read (not JSON, or not a multipart form)",
    413: "The body is larger than the API takes",
}


def problem_content_in_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document that every 4xx/5xx body is application/problem+json, and declare on
    every operation the errors any operation may answer (``EVERY_OPERATION``, ``WITH_A_BODY``), so a
    client, or a schema fuzzer checking that each answer is documented, knows every status it can meet."""
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            # Ninja keys its responses by int; JSON keys are strings, so an int 401 and a str "401" would both
            # be written as "401" (a duplicated key that Swagger UI refuses to parse). One key per status.
            responses = operation["responses"] = {
                str(k): v for k, v in operation.get("responses", {}).items()
            }
            common = EVERY_OPERATION | (WITH_A_BODY if "requestBody" in operation else {})
            for status, description in common.items():
                responses.setdefault(str(status), {"description": description, "content": dict(problem)})
            if "503" in responses:
                responses["503"].setdefault("headers", {})["Retry-After"] = {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "integer", "minimum": 1},
                }
            for status, response in responses.items():
                content = response.get("content")
                if str(status)[0] in "45" and content and "application/json" in content:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    return schema
