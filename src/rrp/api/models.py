"""Bearer tokens for the API. Only a hash of each token is stored: the token itself is shown once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A bearer token that acts as one user, with that user's role and scope.

    `key_hash` is the SHA-256 of the token (tokens are 256 random bits, so a fast hash is enough);
    `prefix` is the token's first characters, so a person can tell their tokens apart without the
    token itself. A token stops working when it expires or is revoked; it is never deleted, so the
    audit log's references stay meaningful.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    name = models.CharField(max_length=100, blank=True, help_text="What the token is for.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="api_token_expires_after_creation",
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
            )
        ]

    def __str__(self) -> str:
        return f"API token {self.prefix}… for {self.user}"

    def is_usable(self, *, at: timezone.datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or at < self.expires_at)
