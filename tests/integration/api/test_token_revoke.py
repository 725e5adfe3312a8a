"""Revoking API tokens (issue 12, What was seen 7: there was no way to): ``rrp token revoke`` and the
administrators' API tokens page, both audited, and the token refused (401) at once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from rrp.api.models import ApiToken
from rrp.api.services import api_token_create
from rrp.cli.main import to_management_argv
from rrp.core.models import AuditAction, AuditEvent
from tests.helpers import signed_in_client
from tests.integration.api.conftest import ApiClient


@pytest.fixture
def token(world) -> tuple[ApiToken, str]:
    return api_token_create(user=world.users["ward_staff"], by=None, name="Datix nightly import")


def _revocations() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.CHANGE, record_type="api.ApiToken"))


def test_rrp_token_revoke_maps_to_its_command():
    assert to_management_argv(["token", "revoke", "rrp_3q1mAbCd"]) == ["token_revoke", "rrp_3q1mAbCd"]


def test_revoke_by_prefix_stops_the_token_and_is_audited(token):
    row, secret = token
    assert ApiClient(secret).get("/api/incidents").status_code == 200
    out = io.StringIO()
    call_command("token_revoke", row.prefix, stdout=out)
    assert f"Token {row.prefix}… for {row.user.username} is revoked" in out.getvalue()
    assert ApiClient(secret).get("/api/incidents").status_code == 401
    (event,) = _revocations()
    assert event.record_id == str(row.pk) and event.detail == {"revoked": True}


def test_revoke_by_user_revokes_each_usable_token(world, token):
    second, _ = api_token_create(user=world.users["ward_staff"], by=None)
    _, other_secret = api_token_create(user=world.users["ward_manager"], by=None)
    call_command("token_revoke", "--user", world.users["ward_staff"].username, stdout=io.StringIO())
    assert set(ApiToken.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True)) == {
        token[0].pk,
        second.pk,
    }
    assert ApiClient(other_secret).get("/api/incidents").status_code == 200


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["rrp_nonexist"], "No token has the prefix"),
        (["not-a-prefix"], "is not a token prefix"),
        (["--user", "nobody"], "No token belongs"),
    ],
)
def test_bad_input_exits_2_with_a_message(token, argv, says):
    with pytest.raises(CommandError, match=says) as refused:
        call_command("token_revoke", *argv, stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert not _revocations()


def test_the_page_lists_tokens_with_last_use_for_administrators_only(world, token):
    row, secret = token
    ApiClient(secret).get("/api/incidents")  # records its last use
    admin = signed_in_client(world.users["system_admin"])
    page = admin.get(reverse("web:api-tokens"))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        row.prefix in html and "Datix nightly import" in html and world.users["ward_staff"].username in html
    )
    assert secret not in html and row.key_hash not in html
    assert (
        "Last used" in html and "Never" not in html.split("Datix nightly import", 1)[1].split("</tr>", 1)[0]
    )
    for role in ("provider_governance", "ward_manager", "regulator"):
        assert signed_in_client(world.users[role]).get(reverse("web:api-tokens")).status_code == 403


def test_the_revoke_button_revokes_audits_and_says_so(world, token):
    row, secret = token
    admin = signed_in_client(world.users["system_admin"])
    response = admin.post(reverse("web:api-token-revoke", args=[row.pk]), follow=True)
    assert response.status_code == 200
    assert f"Token {row.prefix}… for {row.user.username} is revoked" in response.content.decode()
    assert ApiClient(secret).get("/api/incidents").status_code == 401
    (event,) = _revocations()
    assert event.actor_id == world.users["system_admin"].pk


def test_only_administrators_may_revoke_and_only_by_post(world, token):
    row, secret = token
    url = reverse("web:api-token-revoke", args=[row.pk])
    assert signed_in_client(world.users["provider_governance"]).post(url).status_code == 403
    assert signed_in_client(world.users["system_admin"]).get(url).status_code == 405
    assert (
        signed_in_client(world.users["system_admin"])
        .post(reverse("web:api-token-revoke", args=[row.pk + 1000]))
        .status_code
        == 404
    )
    assert ApiClient(secret).get("/api/incidents").status_code == 200
