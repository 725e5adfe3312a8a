"""Making and revoking API tokens, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.api.models import ApiToken
from rrp.core.models import AuditAction
from rrp.core.services import audit_record

TOKEN_PREFIX = "rrp_"


def token_hash(token: str) -> str:
    """The SHA-256 hex digest stored in place of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, by: User | None, name: str = "", expires_in_days: int | None = 365
) -> tuple[ApiToken, str]:
    """Make a token for `user`; return the stored row and the token, which is never shown again.

    Refused for inactive users and for users without a role, who could do nothing with it.
    """
    errors: dict[str, list[str]] = {}
    if not user.is_active:
        errors["user"] = [f"{user.get_username()} is not an active user"]
    elif not user.role:
        errors["user"] = [f"{user.get_username()} has no role, so a token could do nothing"]
    if expires_in_days is not None and expires_in_days <= 0:
        errors["expires_in_days"] = ["A token must last at least one day"]
    if errors:
        raise ValidationError(errors)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    row = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(token),
        prefix=token[:12],
        name=name,
        created_at=now,
        created_by=by,
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record=row,
        detail={"user": user.get_username(), "prefix": row.prefix, "expires_at": str(row.expires_at)},
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None) -> ApiToken:
    """Stop a token working from now on (idempotent)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action=AuditAction.CHANGE, record=token, detail={"revoked": True})
    return token
