"""Every page needs a signed-in user; wide-reaching roles also need their second factor."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

OPEN_PREFIXES = ("/account/sign-in", "/account/locked", "/static/", "/api/", "/health", "/readyz")
TWO_FACTOR_PREFIXES = ("/account/two-factor", "/account/sign-out")


class RequireSignInMiddleware:
    """Send anyone not signed in to the sign-in page, and enforce two-factor and session lifetime.

    The API authenticates with bearer tokens of its own, so it is left to its routers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"/account/sign-in/?next={path}")
        started = request.session.get("signed_in_at")
        if started is not None and time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
            logout(request)
            return redirect("/account/sign-in/?expired=1")
        if user.requires_two_factor and not user.is_verified() and not path.startswith(TWO_FACTOR_PREFIXES):
            return redirect(f"/account/two-factor/?next={path}")
        return self.get_response(request)
