"""Withdrawing a provider aim from the board: who may (403/404 as for events), the confirmation page and
its errors on the reason field, and that a withdrawn aim no longer sets targets or shows progress."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rrp.accounts.roles import Role
from rrp.core.models import AuditEvent
from rrp.improvement.models import Withdrawal
from rrp.improvement.services import improvement_aim_record
from rrp.reports.board import provider_board
from tests import factories
from tests.helpers import signed_in_client
from tests.integration.reports.board_data import build_board_data

pytestmark = pytest.mark.django_db

RI = "restrictive-interventions-per-1000-obd"
STATEMENT = "25% fewer restrictive interventions than in our first six months"


def the_aim(world):
    (progress,) = provider_board(
        world.users["provider_governance"], world.providers[0], today=timezone.localdate()
    ).aims
    return progress.aim


def withdraw_url(world, aim, provider=None):
    return reverse("improvement:provider-aim-withdraw", args=((provider or world.providers[0]).pk, aim.pk))


def board_url(world):
    return reverse("reports:board", args=(world.providers[0].pk,))


def summary_links_to_reason(html: str, message: str) -> bool:
    """The error summary's entry for the message links to the reason field."""
    return re.search(rf'href="#id_reason"\s*>\s*{re.escape(message)}\s*</a>', html) is not None


def on_reason_field(html: str, message: str) -> bool:
    """The message is shown on the reason field itself (its error message, then the textarea)."""
    return (
        re.search(rf'id="id_reason-error"[^>]*>.*?{re.escape(message)}.*?<textarea', html, re.S) is not None
    )


def test_governance_withdraws_the_aim_and_the_board_drops_its_target_and_progress(board_world, today):
    aim = the_aim(board_world)
    client = signed_in_client(board_world.users["provider_governance"])
    before = client.get(board_url(board_world)).content.decode()
    assert STATEMENT in before and "Not on track" in before

    page = client.get(withdraw_url(board_world, aim))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Withdraw the aim</h1>" in html and STATEMENT in html
    assert 'name="reason"' in html and "Why are you withdrawing it?" in html

    response = client.post(withdraw_url(board_world, aim), {"reason": "Baseline was the wrong six months"})

    assert response.status_code == 302 and response["Location"] == board_url(board_world)
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.aim, withdrawal.reason) == (aim, "Baseline was the wrong six months")
    assert AuditEvent.objects.filter(
        record_type="improvement.ImprovementAim", record_id=str(aim.pk), action="change"
    ).exists()
    after = client.get(board_url(board_world)).content.decode()
    assert "withdrawn: it no longer sets targets on the board" in after  # the success notice
    assert "The provider has not recorded an improvement aim, so no targets are set." in after
    assert "Not on track" not in after
    assert withdraw_url(board_world, aim) not in after
    board = provider_board(board_world.users["provider_governance"], board_world.providers[0], today=today)
    assert board.aims == []
    assert all(r.target is None for r in [*board.block(RI).ward_rows, board.block(RI).provider_row])


def test_an_older_aim_on_the_measure_sets_the_target_again_once_the_newer_is_withdrawn(world, today):
    shown = build_board_data(world, today)
    older = the_aim(world)
    newer = improvement_aim_record(
        provider=world.providers[0],
        measure_slug=RI,
        statement="Halve restrictive interventions",
        baseline_start=shown[0],
        baseline_end=shown[6] - dt.timedelta(days=1),
        reduction_percent=50,
        aim_date=shown[-1] + dt.timedelta(days=365),
        by=world.users["provider_governance"],
    )
    governance = world.users["provider_governance"]
    total_before = provider_board(governance, world.providers[0], today=today).block(RI).provider_row.target
    assert total_before == pytest.approx(2.0 * 0.5)

    signed_in_client(governance).post(withdraw_url(world, newer), {"reason": "Too ambitious, set in error"})

    board = provider_board(governance, world.providers[0], today=today)
    assert [p.aim for p in board.aims] == [older]
    assert board.block(RI).provider_row.target == pytest.approx(2.0 * 0.75)


def test_missing_reason_is_shown_in_the_summary_and_on_the_reason_field(board_world):
    aim = the_aim(board_world)
    client = signed_in_client(board_world.users["provider_governance"])

    response = client.post(withdraw_url(board_world, aim), {"reason": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert summary_links_to_reason(html, "Say why this is being withdrawn")
    assert on_reason_field(html, "Say why this is being withdrawn")
    assert "<title>Error: Withdraw the aim" in html
    assert not Withdrawal.objects.exists()


def test_withdrawing_twice_is_refused_on_the_reason_field(board_world):
    aim = the_aim(board_world)
    client = signed_in_client(board_world.users["provider_governance"])
    client.post(withdraw_url(board_world, aim), {"reason": "Duplicate"})

    page = client.get(withdraw_url(board_world, aim)).content.decode()
    assert "This aim was withdrawn on" in page and "Duplicate" in page
    response = client.post(withdraw_url(board_world, aim), {"reason": "Again"})

    assert response.status_code == 400
    html = response.content.decode()
    assert summary_links_to_reason(html, "This has already been withdrawn")
    assert on_reason_field(html, "This has already been withdrawn")
    assert Withdrawal.objects.count() == 1


@pytest.mark.parametrize("role", ["commissioner", "regulator"])
def test_board_readers_who_may_not_set_aims_get_403_and_no_link(board_world, role):
    aim = the_aim(board_world)
    client = signed_in_client(board_world.users[role])

    assert client.get(withdraw_url(board_world, aim)).status_code == 403
    assert client.post(withdraw_url(board_world, aim), {"reason": "No"}).status_code == 403
    board = client.get(board_url(board_world)).content.decode()
    assert STATEMENT in board and withdraw_url(board_world, aim) not in board
    assert not Withdrawal.objects.exists()


@pytest.mark.parametrize("role", ["ward_staff", "ward_manager", "national_analyst", "system_admin"])
def test_roles_without_the_board_get_403(board_world, role):
    aim = the_aim(board_world)
    response = signed_in_client(board_world.users[role]).post(
        withdraw_url(board_world, aim), {"reason": "No"}
    )
    assert response.status_code == 403
    assert not Withdrawal.objects.exists()


def test_governance_sees_a_withdraw_link_beside_each_aim(board_world):
    aim = the_aim(board_world)
    board = signed_in_client(board_world.users["provider_governance"]).get(board_url(board_world))
    html = board.content.decode()
    assert f'href="{withdraw_url(board_world, aim)}"' in html
    assert f'Withdraw<span class="nhsuk-u-visually-hidden"> the aim: {STATEMENT}</span>' in html


def test_aims_outside_scope_or_of_another_provider_are_404(board_world):
    aim = the_aim(board_world)
    provider_a, provider_b, provider_c = board_world.providers
    governance_b = factories.user(role=Role.PROVIDER_GOVERNANCE, provider=provider_b)
    aim_b = improvement_aim_record(
        provider=provider_b,
        measure_slug=RI,
        statement="B's aim",
        baseline_start=dt.date(2024, 4, 1),
        baseline_end=dt.date(2025, 3, 31),
        reduction_percent=10,
        aim_date=dt.date(2027, 3, 31),
        by=governance_b,
    )
    collaborative_aim = improvement_aim_record(
        collaborative=board_world.collaborative,
        measure_slug=RI,
        statement="The collaborative's aim",
        baseline_start=dt.date(2024, 4, 1),
        baseline_end=dt.date(2025, 3, 31),
        reduction_percent=10,
        aim_date=dt.date(2027, 3, 31),
        by=board_world.users["system_admin"],
    )
    governance = signed_in_client(board_world.users["provider_governance"])

    # Provider B's board is outside governance A's scope; B's aim under A's board is not A's.
    assert governance.get(withdraw_url(board_world, aim_b, provider_b)).status_code == 404
    assert governance.post(withdraw_url(board_world, aim_b), {"reason": "x"}).status_code == 404
    assert governance.get(withdraw_url(board_world, collaborative_aim)).status_code == 404
    assert (
        governance.get(
            reverse("improvement:provider-aim-withdraw", args=(provider_a.pk, 999_999))
        ).status_code
        == 404
    )
    # B's own governance may not reach A's aim through A's board.
    assert signed_in_client(governance_b).get(withdraw_url(board_world, aim)).status_code == 404
    # The commissioner does not commission provider C: 404 before any question of permission.
    commissioner = signed_in_client(board_world.users["commissioner"])
    assert commissioner.get(withdraw_url(board_world, aim, provider_c)).status_code == 404
    assert not Withdrawal.objects.exists()


def test_withdraw_page_reads_a_fixed_number_of_queries(board_world, django_assert_max_num_queries):
    aim = the_aim(board_world)
    client = signed_in_client(board_world.users["provider_governance"])
    with django_assert_max_num_queries(9):
        assert client.get(withdraw_url(board_world, aim)).status_code == 200
