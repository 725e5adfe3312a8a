"""The weekly check's privacy (issue 15 items 3 and 6, decision 0077): its figures are shown as they are
only to the ward's own team and suppressed as NHS Digital does for everyone else, the trust's governance
included, and the patients' comments, read by the ward team only, are in no export of any kind (CSV, PDF,
chart downloads, the MHSDS return).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from rrp.core.times import local_midnight
from rrp.figures.store import mark_changed
from rrp.people.codes import VoiceAnswer
from rrp.people.models import VoiceCheck
from rrp.reports.board import provider_board
from rrp.reports.board.presenters import provider_panels
from rrp.reports.huddle import ward_huddle
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

SAFE = "patients-felt-safe"
RESPECT = "patients-treated-with-respect"
#: A word no figure, name or label of the board data contains: if it appears, a comment leaked.
MARKER = "Zanzibarquill"


def _last_whole_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _answers(world, today: dt.date, ward_key: str, answers: list[str]) -> None:
    """Weekly checks on a ward in the last whole month (the board's latest), each with a comment."""
    ward = world.wards[ward_key]
    month = _last_whole_month(today)
    for n, answer in enumerate(answers):
        at = local_midnight(month + dt.timedelta(days=n + 2)) + dt.timedelta(hours=10)
        VoiceCheck.objects.create(
            ward=ward,
            answered_at=at,
            entered_by=world.users["ward_staff"],
            felt_safe=answer,
            respected=answer,
            comment=f"{MARKER} the night staff shouted at me {n}",
        )
        mark_changed([(ward.pk, at)])


def _row(board, slug: str, ward):
    return next(r for r in board.block(slug).ward_rows if r.ward_id == ward.pk)


def test_weekly_check_figures_suppressed_on_the_board_inside_the_trust_and_outside(board_world, today):
    _answers(board_world, today, "a1", [VoiceAnswer.ALWAYS, VoiceAnswer.ALWAYS, VoiceAnswer.NO])
    provider = board_world.providers[0]
    ward = board_world.wards["a1"]

    inside = provider_board(board_world.users["provider_governance"], provider, today=today)
    outside = provider_board(board_world.users["commissioner"], provider, today=today)

    for board in (inside, outside):
        for slug in (SAFE, RESPECT):
            # 2 of 3 answers: a count under 5 is hidden outside the ward's team, and its share with it.
            hidden = _row(board, slug, ward)
            assert (hidden.shown.count, hidden.shown.value) == ("*", "*")
            # The provider's total is the same 2 of 3 here, so it is hidden too.
            total = board.block(slug).provider_row
            assert (total.shown.count, total.shown.value) == ("*", "*")
    # The rest of governance's board is exact, and no provider chart of the weekly check is drawn.
    assert outside.suppressed and not inside.suppressed
    panels = provider_panels(inside)
    assert panels and not [p for p in panels if SAFE in p.chart_id or RESPECT in p.chart_id]


def test_weekly_check_chart_download_is_suppressed_for_governance_too(board_world, today):
    _answers(board_world, today, "a1", [VoiceAnswer.ALWAYS, VoiceAnswer.NO, VoiceAnswer.NO])
    provider = board_world.providers[0]
    url = reverse("reports:board-chart-csv", args=(provider.pk, board_world.wards["a1"].pk, SAFE))
    month = f"{_last_whole_month(today):%Y-%m}"

    for reader in ("provider_governance", "commissioner"):
        content = signed_in_client(board_world.users[reader]).get(url).content.decode()
        row = next(line for line in content.splitlines() if month in line)
        _, count, _, value, *limits = row.split(",")
        # One 'Yes, always' of three: hidden, its share with it, and no limits that would give it away.
        assert (count, value) == ("*", "*") and not any(limits), reader
    page = signed_in_client(board_world.users["provider_governance"]).get(
        reverse("reports:board-chart", args=(provider.pk, board_world.wards["a1"].pk, SAFE))
    )
    assert "shown only to the ward" in page.content.decode()


def test_ward_team_sees_weekly_check_exactly_on_the_huddle_and_governance_does_not(board_world, today):
    _answers(board_world, today, "a1", [VoiceAnswer.ALWAYS, VoiceAnswer.ALWAYS, VoiceAnswer.NO])
    ward = board_world.wards["a1"]

    manager = ward_huddle(ward, user=board_world.users["ward_manager"], today=today)
    governance = ward_huddle(ward, user=board_world.users["provider_governance"], today=today)

    safe = next(p for p in manager.panels if p.chart_id.endswith(SAFE))
    assert "66.7" in safe.table_html  # 2 of 3 answers, exactly
    assert not manager.team_only
    assert not [p for p in governance.panels if p.chart_id.endswith((SAFE, RESPECT))]
    assert len(governance.team_only) == 2
    # Governance's huddle keeps the ward's other charts.
    assert len(governance.panels) == len(manager.panels) - 2
    page = signed_in_client(board_world.users["provider_governance"]).get(
        reverse("reports:ward-huddle", args=(ward.pk,))
    )
    assert "charted only for the ward" in page.content.decode()


def _pdf_text(content: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(content)).pages)


def test_weekly_check_comments_are_in_no_export(board_world, today, tmp_path):
    _answers(board_world, today, "a1", [VoiceAnswer.NO] * 6)
    provider = board_world.providers[0]
    ward = board_world.wards["a1"]
    month = _last_whole_month(today)
    governance = signed_in_client(board_world.users["provider_governance"])
    commissioner = signed_in_client(board_world.users["commissioner"])
    regulator = signed_in_client(board_world.users["regulator"])
    # The ward team reads them on their own page, so the marker is there to be found.
    comments = signed_in_client(board_world.users["ward_staff"]).get(
        reverse("people:voice-comments", args=(ward.pk,))
    )
    assert MARKER in comments.content.decode()

    csvs = [
        (client, reverse(name, args=args))
        for client in (governance, commissioner, regulator)
        for name, args in (
            ("reports:board-csv", (provider.pk,)),
            ("reports:board-chart-csv", (provider.pk, ward.pk, SAFE)),
            ("reports:board-chart-csv", (provider.pk, ward.pk, RESPECT)),
        )
    ] + [
        (governance, reverse("reports:annual-csv", args=(provider.pk, month.year))),
        (regulator, reverse("reports:inspection-csv", args=(provider.pk,))),
    ]
    for client, url in csvs:
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url
    pdfs = [
        (governance, reverse("reports:board-pdf", args=(provider.pk,))),
        (commissioner, reverse("reports:board-pdf", args=(provider.pk,))),
        (regulator, reverse("reports:inspection-pdf", args=(provider.pk,))),
    ]
    for client, url in pdfs:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _pdf_text(response.content)
        assert "safe" in text.lower(), url  # the weekly check is in the pack, its comments are not
        assert MARKER not in text, url

    call_command(
        "export_mhsds",
        "--provider",
        provider.ods_code,
        "--month",
        f"{month:%Y-%m}",
        "--output",
        str(tmp_path),
    )
    written = list(tmp_path.rglob("*"))
    assert written
    assert all(MARKER not in f.read_text(errors="replace") for f in written if f.is_file())
