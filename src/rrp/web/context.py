"""Values every page needs."""

from __future__ import annotations

from django.http import HttpRequest

from rrp.web.navigation import navigation_for


def page_context(request: HttpRequest) -> dict[str, object]:
    return {"navigation": navigation_for(request)}
