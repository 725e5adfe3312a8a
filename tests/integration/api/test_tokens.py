"""API tokens: made once by `rrp token create`, stored only as a hash, refused when missing, wrong,
expired or revoked (401 problem+json)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rrp.api.models import ApiToken
from rrp.api.services import api_token_create, api_token_revoke, token_hash
from tests.integration.api.conftest import ApiClient


def test_token_create_command_prints_token_once_and_stores_only_its_hash(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("token_create", "--user", world.users["ward_staff"].username, stdout=out, stderr=err)
    token = out.getvalue().strip()
    row = ApiToken.objects.get()
    assert token.startswith("rrp_") and len(token) > 40
    assert row.key_hash == token_hash(token) and token not in row.key_hash
    assert row.user == world.users["ward_staff"] and row.expires_at > timezone.now()
    assert "cannot be shown again" in err.getvalue() and token not in err.getvalue()
    assert ApiClient(token).get("/api/incidents").status_code == 200


def test_token_create_command_unknown_user_fails(world):
    with pytest.raises(CommandError, match="No user"):
        call_command("token_create", "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


def test_token_create_refuses_inactive_user(world):
    user = world.users["ward_staff"]
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="not an active user"):
        call_command("token_create", "--user", user.username, stdout=io.StringIO(), stderr=io.StringIO())


def _assert_401_problem(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["title"] == "Unauthorized" and body["type"] == "about:blank"
    assert "bearer token" in body["detail"]


def test_api_without_token_is_401_problem(world):
    _assert_401_problem(ApiClient(None).get("/api/incidents"))


def test_api_with_wrong_token_is_401_problem(world):
    _assert_401_problem(ApiClient("rrp_not-a-real-token").get("/api/incidents"))


def test_api_with_revoked_token_is_401_problem(world):
    row, token = api_token_create(user=world.users["ward_staff"], by=None)
    api_token_revoke(token=row, by=None)
    _assert_401_problem(ApiClient(token).get("/api/incidents"))


def test_api_with_expired_token_is_401_problem(world):
    row, token = api_token_create(user=world.users["ward_staff"], by=None, expires_in_days=1)
    ApiToken.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(days=3), expires_at=timezone.now() - dt.timedelta(days=2)
    )
    _assert_401_problem(ApiClient(token).get("/api/incidents"))


def test_api_token_of_deactivated_user_is_401_problem(world):
    user = world.users["ward_staff"]
    _, token = api_token_create(user=user, by=None)
    user.is_active = False
    user.save()
    _assert_401_problem(ApiClient(token).get("/api/incidents"))


def test_api_token_use_is_recorded(world):
    row, token = api_token_create(user=world.users["ward_staff"], by=None)
    ApiClient(token).get("/api/incidents")
    row.refresh_from_db()
    assert row.last_used_at is not None
