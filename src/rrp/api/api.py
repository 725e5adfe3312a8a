"""The RRP API: django-ninja routers over the same services and selectors as the pages.

OpenAPI is served at /api/openapi.json and browsable docs at /api/docs.
"""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Reducing Restrictive Practice API",
    version="1",
    description="Record and read uses of force, seclusion and segregation. Authenticate with a bearer token "
    "made by `rrp token create --user USERNAME`. Errors are application/problem+json.",
    urls_namespace="api",
)
