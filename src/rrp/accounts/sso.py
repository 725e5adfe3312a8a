"""Single sign-on with the trust's OpenID Connect identity provider (docs/sso.md, decision 0051).

mozilla-django-oidc does the protocol: the authorisation code flow with state, nonce and PKCE, the token
request, and the ID token's signature against the provider's published keys. RRP adds what the library
leaves to its users:

- the provider's endpoints from its discovery document, read when someone signs in (so a provider that is
  down never stops RRP starting or serving pages to people already signed in);
- the ID token's audience and issuer checked (the library checks neither);
- the account found by the stable claim an administrator linked to it (``User.sso_subject``, set with
  ``rrp link-sso``), never created: an unknown identity and a deactivated account are refused with a page
  that says why, and every sign-in and refusal is on the audit log;
- the identity provider's multi-factor sign-in standing for RRP's second factor only when the ID token
  says it happened (``amr``/``acr``); otherwise RRP still asks for its own code;
- signing out at the identity provider too (RP-initiated logout) after a single sign-on, when its
  discovery document has an ``end_session_endpoint`` (decision 0081).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import DatabaseError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from rrp.accounts.middleware import SSO_MFA_SESSION_KEY
from rrp.accounts.models import User
from rrp.core.models import AuditAction
from rrp.core.services import audit_record

logger = logging.getLogger(__name__)

# mozilla-django-oidc setting -> the discovery document's name for it.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
}
DISCOVERY_KEEP_SECONDS = 60 * 60

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_discovery_lock = threading.Lock()


class SSOUnavailable(Exception):
    """The identity provider's discovery document could not be read."""


def discovery() -> dict[str, Any]:
    """The identity provider's discovery document, read at most once an hour per process."""
    url = settings.RRP_OIDC_DISCOVERY_URL
    if not url:
        return {}
    with _discovery_lock:
        kept = _discovered.get(url)
        if kept and time.monotonic() - kept[0] < DISCOVERY_KEEP_SECONDS:
            return kept[1]
        try:
            with urllib.request.urlopen(url, timeout=settings.OIDC_TIMEOUT) as response:
                document = json.load(response)
        except (OSError, ValueError) as error:
            raise SSOUnavailable(f"could not read {url}: {error}") from error
        if not isinstance(document, dict):
            raise SSOUnavailable(f"{url} is not an OpenID Connect discovery document")
        _discovered[url] = (time.monotonic(), document)
        return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting: an endpoint set in the environment, else the discovery document's;
    anything else from Django's settings."""
    if attr in DISCOVERED:
        explicit = settings.RRP_OIDC_ENDPOINTS.get(attr, "")
        if explicit:
            return explicit
        found = discovery().get(DISCOVERED[attr])
        if found:
            return found
        if default:
            return default[0]
        raise SSOUnavailable(f"the identity provider's discovery document has no {DISCOVERED[attr]}")
    if default:
        return getattr(settings, attr, default[0])
    try:
        return getattr(settings, attr)
    except AttributeError as error:
        raise ImproperlyConfigured(f"Setting {attr} not found") from error


class Refusal(StrEnum):
    """Why a sign-in through the identity provider was refused; each has its own message."""

    UNKNOWN = "unknown"
    DEACTIVATED = "deactivated"
    NO_CLAIM = "no_claim"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass
class Outcome:
    """What the backend learnt during one callback, for the view to act on and audit."""

    subject: str = ""
    mfa: bool = False
    refusal: Refusal | None = None
    user: User | None = None


def outcome_of(request: HttpRequest) -> Outcome:
    if not hasattr(request, "rrp_sso"):
        request.rrp_sso = Outcome()
    return request.rrp_sso


def provider_did_mfa(claims: dict[str, Any]) -> bool:
    """Whether the ID token says the person signed in with more than one factor: an ``amr`` value in
    RRP_OIDC_MFA_AMR (RFC 8176's ``mfa`` by default) or an ``acr`` in RRP_OIDC_MFA_ACR."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if any(str(value) in settings.RRP_OIDC_MFA_AMR for value in amr):
        return True
    return str(claims.get("acr", "")) in settings.RRP_OIDC_MFA_ACR


class SSOBackend(OIDCAuthenticationBackend):
    """Finds the RRP account linked to the identity in a verified ID token; never makes one."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes a backend on every request to load the signed-in user; the provider's endpoints
        # are read only when someone signs in (``authenticate``).
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        """Only the callback's call (it passes the nonce) when single sign-on is on; never a password's."""
        if request is None or not settings.SSO_ENABLED or "nonce" not in kwargs:
            return None
        outcome = outcome_of(request)
        try:
            super().__init__()
            user = super().authenticate(request, **kwargs)
        except DatabaseError:
            raise
        except Exception:
            # The provider unreachable, a token refused or badly signed: the person is told it did not
            # work and the details go to the log for the IT team, never to the page.
            logger.exception("single sign-on failed")
            outcome.refusal = outcome.refusal or Refusal.FAILED
            return None
        if user is None and outcome.refusal is None:
            outcome.refusal = Refusal.FAILED
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature and nonce; RRP also checks the token was made for it, by the
        provider it trusts."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the ID token was not issued for this client")
        issuer = settings.RRP_OIDC_ISSUER or discovery().get("issuer", "")
        if issuer and str(payload.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation(f"the ID token's issuer is not {issuer}")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Accounts are matched on the verified ID token's claims alone (Entra ID's `oid` is only there)."""
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return True  # the one claim RRP needs is checked in get_or_create_user, with its own message

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        """The active account linked to the identity's stable claim, or None with the reason kept."""
        outcome = outcome_of(self.request)
        outcome.subject = str(payload.get(settings.RRP_OIDC_SUBJECT_CLAIM) or "")[:255]
        outcome.mfa = provider_did_mfa(payload)
        if not outcome.subject:
            outcome.refusal = Refusal.NO_CLAIM
            return None
        user = self.UserModel.objects.filter(sso_subject=outcome.subject).first()
        outcome.user = user
        if user is None:
            outcome.refusal = Refusal.UNKNOWN
            return None
        if not user.is_active:
            outcome.refusal = Refusal.DEACTIVATED
            return None
        return user

    def get_user(self, user_id: int) -> User | None:
        # Django's check, which the library's version leaves out: a deactivated account's session ends.
        return ModelBackend.get_user(self, user_id)


def sso_enabled_or_404() -> None:
    if not settings.SSO_ENABLED:
        raise Http404("Single sign-on is not set up")


class SSOStartView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: send the person to the identity provider, remembering where they were going."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        sso_enabled_or_404()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SSOUnavailable:
            logger.exception("single sign-on unavailable")
            return refused(request, Refusal.FAILED, status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """/oidc/callback/: the identity provider sends the person back here; sign in or refuse, audited."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        sso_enabled_or_404()
        return super().get(request)

    def login_success(self) -> HttpResponse:
        request = self.request
        user = self.user
        outcome = outcome_of(request)
        with transaction.atomic():
            response = super().login_success()
            request.session["signed_in_at"] = time.time()
            request.session[SSO_MFA_SESSION_KEY] = outcome.mfa
            # Like a password, the identity provider alone is not a sign-in for a role that needs a second
            # factor unless its own MFA counts (see provider_did_mfa).
            awaiting = user.requires_two_factor and not outcome.mfa
            audit_record(
                actor=user,
                action=AuditAction.SSO_ACCEPTED if awaiting else AuditAction.SIGN_IN,
                record=user,
                provider_id=user.provider_id,
                request=request,
                detail={"method": "sso", "identity_provider_mfa": outcome.mfa},
            )
        return response

    def login_failure(self) -> HttpResponse:
        request = self.request
        outcome = outcome_of(request)
        reason = outcome.refusal or (Refusal.CANCELLED if request.GET.get("error") else Refusal.FAILED)
        if reason == Refusal.DEACTIVATED and outcome.user is not None:
            audit_record(
                actor=None,
                action=AuditAction.SIGN_IN_FAILED,
                record=outcome.user,
                provider_id=outcome.user.provider_id,
                request=request,
                detail={"method": "sso", "reason": str(reason)},
            )
        else:
            audit_record(
                actor=None,
                action=AuditAction.SIGN_IN_FAILED,
                record_type="accounts.User",
                record_label=outcome.subject[:150],
                request=request,
                detail={"method": "sso", "reason": str(reason), "subject": outcome.subject},
            )
        return refused(request, reason, subject=outcome.subject)


def refused(request: HttpRequest, reason: Refusal, *, subject: str = "", status: int = 403) -> HttpResponse:
    """The page that tells someone why their sign-in through the identity provider was refused."""
    return render(
        request,
        "accounts/sso_refused.jinja",
        {
            "reason": str(reason),
            "subject": subject,
            "claim": settings.RRP_OIDC_SUBJECT_CLAIM,
            "password_sign_in": settings.RRP_PASSWORD_SIGN_IN,
        },
        status=status,
    )


def provider_sign_out_url(request: HttpRequest) -> str | None:
    """Where to send the browser, once RRP's session has ended, to end the identity provider's session too
    (OpenID Connect RP-Initiated Logout 1.0): its ``end_session_endpoint`` with the ID token this session
    signed in with as ``id_token_hint``, RRP's client id, and ``/account/signed-out/`` to come back to.

    None, so signing out ends RRP's session only, when this session did not come through single sign-on,
    RRP_OIDC_PROVIDER_SIGN_OUT is off, or the provider advertises no such endpoint (or cannot be reached:
    leaving RRP must never wait on it, and the failure is logged)."""
    if not (settings.SSO_ENABLED and settings.RRP_OIDC_PROVIDER_SIGN_OUT):
        return None
    if SSO_MFA_SESSION_KEY not in request.session:  # set only by a single sign-on (login_success)
        return None
    try:
        endpoint = str(discovery().get("end_session_endpoint") or "")
    except SSOUnavailable:
        logger.exception("identity provider sign-out skipped")
        return None
    if not endpoint:
        return None
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:signed-out")),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        query = {"id_token_hint": id_token} | query
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"
