"""rrp createadmin: the first system administrator of a new installation (docs/go-live.md)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rrp.accounts.models import User
from rrp.core.models import AuditEvent


def create(monkeypatch, password: str, username: str = "first.admin") -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    call_command("createadmin", "--username", username, "--password-stdin", stderr=io.StringIO())


def test_createadmin_makes_an_audited_system_administrator(db, monkeypatch):
    create(monkeypatch, "a-long-first-password-9")
    admin = User.objects.get(username="first.admin")
    assert admin.role == "system_admin" and admin.requires_two_factor
    assert admin.check_password("a-long-first-password-9")
    event = AuditEvent.objects.get(record_type="accounts.User", record_id=str(admin.pk))
    assert event.action == "create" and "createadmin" in event.detail["reason"]


def test_createadmin_refuses_a_weak_password_or_a_taken_name_with_exit_2(db, monkeypatch):
    with pytest.raises(CommandError) as weak:
        create(monkeypatch, "short")
    assert weak.value.returncode == 2 and str(weak.value).startswith("password:")
    assert not User.objects.exists()
    create(monkeypatch, "a-long-first-password-9")
    with pytest.raises(CommandError) as taken:
        create(monkeypatch, "a-long-first-password-9", username="FIRST.ADMIN")
    assert taken.value.returncode == 2 and "taken" in str(taken.value)
    assert User.objects.count() == 1
