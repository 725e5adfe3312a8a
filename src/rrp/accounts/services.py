"""Account actions: signing in and out, two-factor devices, demo logins."""

from __future__ import annotations

import time

from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.core.models import AuditAction
from rrp.core.services import audit_record


def user_sign_in(*, request: HttpRequest, username: str, password: str) -> User | None:
    """Check a username and password, start the session and audit the attempt either way.

    For a role that needs a second factor the password alone is not a sign-in: it is logged as "password
    accepted, awaiting second factor", and "signed in" only once the code is accepted
    (``user_verify_second_factor``), so the audit log never shows a sign-in that was not completed."""
    user = authenticate(request, username=username, password=password)
    with transaction.atomic():
        if user is None:
            audit_record(
                actor=None,
                action=AuditAction.SIGN_IN_FAILED,
                record_type="accounts.User",
                record_label=username[:150],
                request=request,
            )
            return None
        login(request, user)
        request.session["signed_in_at"] = time.time()
        audit_record(
            actor=user,
            action=AuditAction.PASSWORD_ACCEPTED if user.requires_two_factor else AuditAction.SIGN_IN,
            record=user,
            provider_id=user.provider_id,
            request=request,
        )
    return user


def password_sign_in_refused(*, request: HttpRequest, username: str) -> None:
    """Audit a password posted while password sign-in is switched off (RRP_PASSWORD_SIGN_IN=0); it is never
    checked, so the attempt says nothing about whether it was right."""
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        record_type="accounts.User",
        record_label=username[:150],
        request=request,
        detail={"method": "password", "reason": "password_sign_in_off"},
    )


class SubjectTaken(ValueError):
    """The identity is already linked to another account."""


@transaction.atomic
def user_link_sso(*, user: User, subject: str, by: User | None = None) -> None:
    """Link an account to the identity provider's stable identifier for the person (or unlink it with an
    empty subject), audited with the old and new values. One identity opens one account: linking a subject
    another account has is refused (SubjectTaken), not moved."""
    subject = subject.strip()
    if subject:
        other = User.objects.filter(sso_subject=subject).exclude(pk=user.pk).first()
        if other is not None:
            raise SubjectTaken(f"{subject!r} is already linked to {other.get_username()}")
    before = user.sso_subject
    if before == subject:
        return
    user.sso_subject = subject
    user.save(update_fields=["sso_subject"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=user,
        provider_id=user.provider_id,
        detail={"field": "sso_subject", "from": before, "to": subject},
    )


def user_sign_out(*, request: HttpRequest) -> None:
    """End the session, auditing who left."""
    user = request.user
    if user.is_authenticated:
        audit_record(
            actor=user,
            action=AuditAction.SIGN_OUT,
            record=user,
            provider_id=user.provider_id,
            request=request,
        )
    logout(request)


def totp_device_for(user: User) -> TOTPDevice:
    """The user's authenticator device, created unconfirmed on first use."""
    device = TOTPDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def user_verify_second_factor(*, request: HttpRequest, code: str) -> bool:
    """Check a TOTP code; on success confirm the device and mark the session verified."""
    user = request.user
    device = totp_device_for(user)
    if not device.verify_token(code):
        audit_record(
            actor=user,
            action=AuditAction.SIGN_IN_FAILED,
            record=user,
            request=request,
            detail={"step": "two_factor"},
        )
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit_record(
        actor=user,
        action=AuditAction.SIGN_IN,
        record=user,
        provider_id=user.provider_id,
        request=request,
        detail={"step": "two_factor"},
    )
    return True
