"""Racing change forms never overwrite silently (issue 12, decision 0018): two people open the same
incident's change form; the first saves; the second's save, made from the version before, is refused
with 409 and a page that shows the first person's change beside what the second entered, keeping
what they typed. Saving again from that page keeps both changes."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from rrp.accounts.roles import Role
from tests import factories
from tests.integration.force.views_data import typical_post
from tests.integration.reliability.server import FormFields

pytestmark = pytest.mark.django_db

FIRST_OUTCOME = "Settled in own room after 20 minutes; no injuries"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fields(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in parser.fields:
        out.setdefault(name, []).append(value)
    return out


def _two_nurses(world) -> tuple[Client, Client]:
    """Two ward staff of ward a1, each signed in in their own browser."""
    ward = world.wards["a1"]
    other = factories.user(role=Role.WARD_STAFF, provider=ward.provider, wards=[ward])
    return _client(world.users["ward_staff"]), _client(other)


def _post(roster_nurse, **overrides):
    return typical_post(
        roster_nurse, **{"action": "draft", "outcome": "Settled in own room; no injuries", **overrides}
    )


def test_second_save_from_an_older_version_is_refused_with_both_changes_side_by_side(
    world, complete_incident, roster_nurse
):
    url = f"/incidents/{complete_incident.pk}/change/"
    first, second = _two_nurses(world)
    for person in (first, second):
        form = person.get(url)
        assert _fields(form.content.decode())["base_version"] == ["1"]

    saved = first.post(
        url, _post(roster_nurse, outcome=FIRST_OUTCOME, change_reason="Outcome", base_version="1")
    )
    assert saved.status_code == 302
    refused = second.post(
        url, _post(roster_nurse, place_on_ward="Garden", change_reason="Place", base_version="1")
    )

    assert refused.status_code == 409
    page = unescape(refused.content.decode())
    assert "Someone else changed this incident while you were editing it" in page
    assert "saved version 2" in page
    # The table: their change to the outcome beside what the second person had (the outcome as it was).
    table = page[page.index("Their changes and yours") : page.index("</table>")]
    assert "Outcome" in table and FIRST_OUTCOME in table and "Settled in own room; no injuries" in table
    assert complete_incident.versions.count() == 2  # nothing of the second person's saved
    fields = _fields(refused.content.decode())
    assert fields["place_on_ward"] == ["Garden"]  # what they typed is kept
    assert fields["outcome"] == [FIRST_OUTCOME]  # the first person's change, which they left alone
    assert fields["base_version"] == ["2"]

    again = second.post(url, {k: v[0] if len(v) == 1 else v for k, v in fields.items()} | {"action": "draft"})
    assert again.status_code == 302
    latest = complete_incident.versions.order_by("-number").first()
    assert (latest.number, latest.place_on_ward, latest.outcome) == (3, "Garden", FIRST_OUTCOME)


def test_a_detail_both_changed_keeps_what_the_second_person_typed_and_says_so(
    world, complete_incident, roster_nurse
):
    url = f"/incidents/{complete_incident.pk}/change/"
    first, second = _two_nurses(world)
    first.post(url, _post(roster_nurse, outcome=FIRST_OUTCOME, change_reason="Outcome", base_version="1"))
    refused = second.post(
        url, _post(roster_nurse, outcome="Moved to seclusion", change_reason="Outcome", base_version="1")
    )
    assert refused.status_code == 409
    page = unescape(refused.content.decode())
    assert "Moved to seclusion (both changed)" in page
    assert _fields(refused.content.decode())["outcome"] == ["Moved to seclusion"]
    assert complete_incident.versions.count() == 2
