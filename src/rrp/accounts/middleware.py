"""Every page needs a signed-in user; wide-reaching roles also need their second factor."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.utils.http import urlencode

# The session key rrp.accounts.sso sets (kept here too: the middleware must not import the sign-in views).
SSO_MFA_SESSION_KEY = "sso_mfa"

OPEN_PREFIXES = (
    "/account/sign-in",
    "/account/signed-out",
    "/account/locked",
    "/account/invitation/",
    "/oidc/",
    "/static/",
    "/api/",
    "/health",
    "/readyz",
)
TWO_FACTOR_PREFIXES = ("/account/two-factor", "/account/sign-out")
# Where someone who must replace an administrator's first password may go before they have (decision 0081):
# their second factor comes first, so its page too.
PASSWORD_CHANGE_PREFIXES = ("/account/password", "/account/stay-signed-in", *TWO_FACTOR_PREFIXES)
# Pages whose form, posted after the session ended, is kept until the user has signed in again and is
# shown to them unsaved (issue 13: an expired session loses nothing). Only the recording pages: they
# take it back with `take_pending_post`.
KEEP_POST_PREFIXES = ("/incidents/",)
PENDING_POST = "pending_post"
MAX_KEPT_BYTES = 200_000


def is_sso_callback(request: HttpRequest, credentials: dict | None = None) -> bool:
    """django-axes leaves the single sign-on callback alone (settings.AXES_WHITELIST_CALLABLE)."""
    return request.path.startswith("/oidc/")


def keep_pending_post(request: HttpRequest) -> bool:
    """Keep a form posted by a signed-out user to a recording page in their (anonymous) session, which
    signing in carries over (Django's `login` keeps session data). Only a post that passes the CSRF
    check, so another site cannot plant a form for someone to find after signing in."""
    if request.method != "POST" or not request.path.startswith(KEEP_POST_PREFIXES):
        return False
    if len(request.body) > MAX_KEPT_BYTES:
        return False
    if CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {}) is not None:
        return False
    data = {key: values for key, values in request.POST.lists() if key != "csrfmiddlewaretoken"}
    request.session[PENDING_POST] = {"path": request.path, "data": data}
    return True


def take_pending_post(request: HttpRequest) -> QueryDict | None:
    """The form kept for this page when the session ended, once (then it is gone), or None."""
    kept = request.session.get(PENDING_POST)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[PENDING_POST]
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    # Shown again for checking, never saved without the user pressing a button.
    data["action"] = "stay"
    return data


class RequireSignInMiddleware:
    """Send anyone not signed in to the sign-in page, and enforce two-factor, session lifetime and the
    choice of their own password in place of one an administrator set.

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
            query = {"next": path}
            if keep_pending_post(request):
                query["kept"] = "1"
            return redirect("/account/sign-in/?" + urlencode(query))
        started = request.session.get("signed_in_at")
        if started is not None and time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
            logout(request)
            return redirect("/account/sign-in/?expired=1")
        if (
            user.requires_two_factor
            and not user.is_verified()
            # The identity provider's own multi-factor sign-in, when its ID token said so (rrp.accounts.sso).
            and not request.session.get(SSO_MFA_SESSION_KEY)
            and not path.startswith(TWO_FACTOR_PREFIXES)
        ):
            return redirect(f"/account/two-factor/?next={path}")
        if (
            user.password_change_required
            # Only after a password sign-in: someone who came through the identity provider never uses it.
            and SSO_MFA_SESSION_KEY not in request.session
            and not path.startswith(PASSWORD_CHANGE_PREFIXES)
        ):
            return redirect("/account/password/?" + urlencode({"next": path}))
        return self.get_response(request)
