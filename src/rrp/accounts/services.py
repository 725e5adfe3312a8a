"""Account actions: signing in and out, two-factor devices, invitations and first passwords."""

from __future__ import annotations

import datetime as dt
import smtplib
import time

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from rrp.accounts.models import User
from rrp.core.formatting import long_date_time
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


def user_sign_out(*, request: HttpRequest, at_identity_provider: bool = False) -> None:
    """End the session, auditing who left (and whether they go on to end the identity provider's session
    too, RP-initiated logout)."""
    user = request.user
    if user.is_authenticated:
        audit_record(
            actor=user,
            action=AuditAction.SIGN_OUT,
            record=user,
            provider_id=user.provider_id,
            request=request,
            detail={"identity_provider_sign_out": True} if at_identity_provider else None,
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


# --- Invitations and first passwords (decision 0081) ------------------------------------------------------


class InvitationTokens(PasswordResetTokenGenerator):
    """Django's password reset tokens, salted for invitations and tied to when the latest one was sent.

    Django's hash already holds the password (so a link stops working once a password is chosen with it)
    and the last sign-in; RRP adds ``invited_at`` (so sending it again voids every earlier link) and whether
    the account is active. Links expire after ``PASSWORD_RESET_TIMEOUT`` (RRP_INVITATION_HOURS, 72)."""

    key_salt = "rrp.accounts.services.InvitationTokens"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # To the microsecond (SQLite and PostgreSQL keep it): two sends within one second still differ.
        invited = "" if user.invited_at is None else str(round(user.invited_at.timestamp() * 1_000_000))
        return f"{super()._make_hash_value(user, timestamp)}{invited}{user.is_active}"


invitation_tokens = InvitationTokens()


class InvitationNotSent(Exception):
    """The mail server refused or could not be reached: the invitation was not sent (it is audited)."""


def invitation_path(user: User) -> str:
    """The invitation's one-time address for choosing a password (relative to RRP_BASE_URL)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:invitation", args=[uid, invitation_tokens.make_token(user)])


def invitation_expires_at(sent_at: dt.datetime) -> dt.datetime:
    return sent_at + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def invitation_text(user: User, *, by: User | None, expires_at: dt.datetime) -> tuple[str, str]:
    """The invitation's subject and body. With passwords switched off (RRP_PASSWORD_SIGN_IN=0) there is no
    link: the person signs in with their trust account. Nothing about any patient, ever."""
    base = settings.RRP_BASE_URL
    sign_in = f"{base}{reverse('accounts:sign-in')}"
    where = user.provider.name if user.provider_id else "the service"
    who = (by.get_full_name() or by.get_username()) if by is not None else "An administrator"
    lines = [
        f"Dear {user.get_full_name() or user.get_username()},",
        "",
        f"{who} has set up your account on Reducing Restrictive Practice (RRP) for {where}, "
        f"as {user.role_label.lower() or 'a user'}.",
        "",
        f"Your username is: {user.get_username()}",
        "",
    ]
    if settings.RRP_PASSWORD_SIGN_IN:
        lines += [
            f"Choose your password here. The link works once, until {long_date_time(expires_at)}:",
            f"{base}{invitation_path(user)}",
            "",
            f"Then sign in at {sign_in}",
        ]
        if settings.SSO_ENABLED:
            lines += [
                f"Once your administrator has linked your trust account, you can instead choose "
                f'"{settings.RRP_OIDC_BUTTON_LABEL}" there.'
            ]
    else:
        lines += [
            "RRP does not use passwords here: sign in with your trust account, the one you use for your other "
            f'work systems. Go to {sign_in} and choose "{settings.RRP_OIDC_BUTTON_LABEL}".',
        ]
    lines += [
        "",
        "If you did not expect this email, do not use the link: tell your RRP administrator.",
    ]
    return "Your account on Reducing Restrictive Practice (RRP)", "\n".join(lines)


def invitation_send(
    *, user: User, by: User | None, reason: str, request: HttpRequest | None = None
) -> dt.datetime:
    """Email the person their invitation through Django's email backend (the trust's mail relay), making
    every earlier link void; audited whether it went or not. Returns when the new link expires.

    The caller has checked who may invite and that the account is active and has an email address. A mail
    server that refuses or cannot be reached raises ``InvitationNotSent`` and changes nothing but the
    audit log, so the administrator can try again."""
    sent_at = timezone.now()
    expires_at = invitation_expires_at(sent_at)
    detail = {
        "reason": reason,
        "invitation": "sent",
        "to": user.email,
        "sign_in": "password" if settings.RRP_PASSWORD_SIGN_IN else "single_sign_on",
        "expires_at": expires_at.isoformat(),
    }
    try:
        with transaction.atomic():
            user.invited_at = sent_at
            user.save(update_fields=["invited_at"])
            subject, body = invitation_text(user, by=by, expires_at=expires_at)
            EmailMessage(
                subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]
            ).send(fail_silently=False)
            audit_record(
                actor=by,
                action=AuditAction.CHANGE,
                record=user,
                provider_id=user.provider_id,
                request=request,
                detail=detail,
            )
    except (OSError, smtplib.SMTPException) as error:
        user.refresh_from_db(fields=["invited_at"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            record=user,
            provider_id=user.provider_id,
            request=request,
            detail=detail | {"invitation": "not_sent", "error": f"{type(error).__name__}: {error}"[:300]},
        )
        raise InvitationNotSent(f"{type(error).__name__}: {error}") from error
    return expires_at


def invitation_user(uidb64: str, token: str) -> User | None:
    """The active account whose invitation link this is, if the link is still good (not used, not sent
    again since, not expired); else None."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not invitation_tokens.check_token(user, token):
        return None
    return user


def _new_password_errors(user: User, new: str, again: str, errors: dict[str, list[str]]) -> None:
    try:
        validate_password(new, user)
    except ValidationError as problem:
        errors.setdefault("new_password", []).extend(problem.messages)
    if new != again:
        errors.setdefault("new_password_again", []).append("Enter the same new password twice")


@transaction.atomic
def invitation_accept(
    *, user: User, new_password: str, new_password_again: str, request: HttpRequest | None = None
) -> None:
    """Set the password the person chose from their invitation link (which then stops working: the token
    holds the password), audited. Refused, with nothing saved, when the password is weak or the two differ."""
    errors: dict[str, list[str]] = {}
    _new_password_errors(user, new_password, new_password_again, errors)
    if errors:
        raise ValidationError(errors)
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        record=user,
        provider_id=user.provider_id,
        request=request,
        detail={"password": "chosen from the invitation"},
    )


@transaction.atomic
def password_change(
    *, request: HttpRequest, current_password: str, new_password: str, new_password_again: str
) -> None:
    """The signed-in person replaces their password (the first one an administrator gave them, or any),
    keeping their session; audited. Refused, with nothing saved, when the current password is wrong, the
    new one is weak, the same as before, or typed differently twice."""
    user = request.user
    errors: dict[str, list[str]] = {}
    if not user.check_password(current_password):
        errors["current_password"] = ["Enter your current password correctly"]
    elif new_password and new_password == current_password:
        errors["new_password"] = ["Choose a new password, not the one you have now"]
    _new_password_errors(user, new_password, new_password_again, errors)
    if errors:
        raise ValidationError(errors)
    was_required = user.password_change_required
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    update_session_auth_hash(request, user)
    audit_record(
        actor=user,
        action=AuditAction.CHANGE,
        record=user,
        provider_id=user.provider_id,
        request=request,
        detail={"password": "changed" + (" (first password from an administrator)" if was_required else "")},
    )
