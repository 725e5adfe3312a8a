"""The stable pseudonym by which commissioners see a person without a named-access grant."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def pseudonym(patient_id: int) -> str:
    """A stable pseudonym for a patient: a keyed hash (HMAC-SHA256 with settings.PSEUDONYM_KEY) of the id,
    so it cannot be reversed or recomputed without the key."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"patient:{patient_id}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10].upper()


__all__ = ["pseudonym"]
