"""The RRP API: django-ninja routers over the same services and selectors as the pages.

OpenAPI is served at /api/openapi.json and browsable docs at /api/docs. Every operation needs a
bearer token (`rrp token create --user USERNAME`); every error is application/problem+json
(RFC 9457), see rrp.api.problems and docs/api.md.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger

from rrp.api.adt import router as adt_router
from rrp.api.auth import TokenAuth
from rrp.api.incidents import router as incidents_router
from rrp.api.measures import router as measures_router
from rrp.api.people import router as people_router
from rrp.api.problems import install_problem_handlers, problem_content_in_openapi
from rrp.api.segregation import router as segregation_router


class RrpApi(NinjaAPI):
    """NinjaAPI whose OpenAPI document says that error bodies are application/problem+json."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return problem_content_in_openapi(super().get_openapi_schema(*args, **kwargs))


class RrpSwagger(Swagger):
    """Swagger UI at /api/docs from this site's own copy (django-ninja's static files, through the static
    pipeline), in our page (api/jinja2/api/docs.jinja): the content security policy allows no CDN. Deep links
    are off because Swagger UI draws them as a link inside each operation's button, which assistive technology
    cannot reach (axe: nested-interactive) and which is smaller than a 24 px target."""

    template = "api/docs.jinja"


api = RrpApi(
    title="Reducing Restrictive Practice API",
    version="1",
    description="Record and read uses of force, seclusion and segregation. Authenticate with a bearer token "
    "made by `rrp token create --user USERNAME`. Errors are application/problem+json (RFC 9457) with "
    "`type`, `title`, `status`, `detail` and, for validation errors, `errors: [{field, message}]`.",
    urls_namespace="api",
    auth=TokenAuth(),
    docs=RrpSwagger(settings={"deepLinking": False}),
)
install_problem_handlers(api)
api.add_router("/", incidents_router)
api.add_router("/segregation/", segregation_router)
api.add_router("/", measures_router)
api.add_router("/people/", people_router)
api.add_router("/", adt_router)
