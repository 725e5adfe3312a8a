"""Top-level URLs: each domain app owns its own urls module."""

from django.urls import include, path

from rrp.api.api import api

urlpatterns = [
    path("", include("rrp.web.urls")),
    path("account/", include("rrp.accounts.urls")),
    path("oidc/", include("rrp.accounts.sso_urls")),
    path("", include("rrp.organisations.urls")),
    path("", include("rrp.people.urls")),
    path("", include("rrp.force.urls")),
    path("segregation/", include("rrp.segregation.urls")),
    path("use-of-force-act/", include("rrp.act.urls")),
    path("measures/", include("rrp.measures.urls")),
    path("", include("rrp.improvement.urls")),
    path("reports/", include("rrp.reports.urls")),
    path("administration/", include("rrp.administration.urls")),
    path("api/", api.urls),
    path("", include("rrp.ops.urls")),
]
