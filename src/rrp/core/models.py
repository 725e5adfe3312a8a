"""The audit log and the append-only building block for clinical records."""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a record that may only ever be added to."""


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that refuses bulk changes and deletion; rows may only be added."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and cannot be updated.")


class AppendOnlyModel(models.Model):
    """A row that, once written, is never changed or deleted through the ORM.

    Corrections are new rows (a new version, an amendment) with who, when and why. The database
    triggers added by each append-only table's migration back this up for raw SQL.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only and cannot be deleted.")


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    PASSWORD_ACCEPTED = "password_accepted", "Password accepted, awaiting second factor"
    SSO_ACCEPTED = "sso_accepted", "Identity provider sign-in accepted, awaiting second factor"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    DENIED = "denied", "Access denied"


class AuditEvent(AppendOnlyModel):
    """One entry in the append-only audit log.

    It holds no foreign keys, so that the log never blocks or follows changes to live data
    (job-server ADR 0018); names are copied in as they were at the time.
    """

    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices, db_index=True)
    record_type = models.CharField(max_length=60, db_index=True)
    record_id = models.CharField(max_length=64, blank=True, db_index=True)
    record_label = models.CharField(max_length=200, blank=True)
    patient_id = models.BigIntegerField(null=True, db_index=True)
    provider_id = models.BigIntegerField(null=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["provider_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.record_type} {self.record_id}"
