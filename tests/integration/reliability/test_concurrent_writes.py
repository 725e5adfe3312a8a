"""Issue 12's racing writers, kept as a probe: 20 API writers x 10 requests at once against a real
threaded server, on SQLite or PostgreSQL (whichever DATABASE_URL names).

Every request must be answered without a server error: a write is either saved whole (201) or refused
whole, 409 for an amendment made against a version that is no longer the latest, 503 with Retry-After
when the database was too busy. What the database holds afterwards is checked directly: nothing
half-saved, no amendment saved over a change it did not see (docs/reliability.md).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.integration.reliability.conftest import SHARED, WRITERS
from tests.integration.reliability.server import ProbeServer

pytestmark = pytest.mark.slow

REQUESTS = 10


def _create_body(seed: dict, marker: str) -> dict:
    return {
        "ward_id": seed["ward_id"],
        "patient_id": seed["patient_id"],
        "source_system": "probe",
        "source_id": marker,
        "reason_code": "10",
        "place_on_ward": "Lounge",
        "outcome": marker,
        "interventions": [
            {"type_code": "01", "started_at": "2026-03-01T14:06:00Z", "ended_at": "2026-03-01T14:15:00Z"},
            {"type_code": "09", "started_at": "2026-03-01T14:15:00Z", "ended_at": "2026-03-01T14:30:00Z"},
        ],
        "staff": [{"part": "head", "name": "Alex Agency", "job_title": "Healthcare assistant"}],
    }


@dataclass
class Outcome:
    kind: str  # "create" or "amend"
    marker: str
    status: int
    base: int = 0
    version: int = 0
    incident: int = 0
    retry_after: str | None = None
    content_type: str = ""


def _writer(probe: ProbeServer, n: int, outcomes: list[Outcome], start: threading.Barrier) -> None:
    token = probe.seed["tokens"][n]
    start.wait()
    for r in range(REQUESTS):
        marker = f"probe-w{n}-r{r}"
        if r % 2 == 0:
            answer = probe.request("POST", "/api/incidents", _create_body(probe.seed, marker), token=token)
            outcome = Outcome("create", marker, answer.status)
        else:
            incident = probe.seed["incidents"][(n + r) % SHARED]
            read = probe.request("GET", f"/api/incidents/{incident}", token=token)
            if read.status != 200:
                outcomes.append(
                    Outcome(
                        "read",
                        marker,
                        read.status,
                        retry_after=read.headers.get("Retry-After"),
                        content_type=read.headers.get("Content-Type", ""),
                    )
                )
                continue
            base = read.json()["version"]
            answer = probe.request(
                "POST",
                f"/api/incidents/{incident}/amendments",
                {"reason": marker, "base_version": base, "outcome": marker},
                token=token,
            )
            outcome = Outcome("amend", marker, answer.status, base=base, incident=incident)
            if answer.status == 201:
                outcome.version = answer.json()["version"]
        outcome.retry_after = answer.headers.get("Retry-After")
        outcome.content_type = answer.headers.get("Content-Type", "")
        outcomes.append(outcome)


@pytest.fixture(scope="module")
def outcomes(probe) -> list[Outcome]:
    """Every answer the 20 writers got, racing from one start line."""
    answers: list[Outcome] = []
    start = threading.Barrier(WRITERS)
    with probe.serving():
        threads = [threading.Thread(target=_writer, args=(probe, n, answers, start)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
    counts = Counter((o.kind, o.status) for o in answers)
    print(f"\n{probe.vendor}: {sorted(counts.items())}")
    return answers


def test_twenty_writers_get_no_server_error(outcomes):
    counts = sorted(Counter((o.kind, o.status) for o in outcomes).items())
    assert len(outcomes) == WRITERS * REQUESTS
    # Every answer is saved, refused as a conflict, or "busy, try again".
    assert all(o.status in {201, 409, 503} for o in outcomes), counts
    busy = [o for o in outcomes if o.status == 503]
    assert all(o.retry_after and o.content_type == "application/problem+json" for o in busy)
    assert all(o.content_type == "application/problem+json" for o in outcomes if o.status == 409)
    assert not [o for o in outcomes if o.kind == "create" and o.status == 409]


def test_twenty_writers_leave_every_write_whole_or_absent(probe, outcomes):
    created = {o.marker for o in outcomes if o.kind == "create" and o.status == 201}
    rows = probe.query(
        "SELECT i.source_id, COUNT(DISTINCT v.id), COUNT(r.id) FROM force_incident i "
        "JOIN force_incidentversion v ON v.incident_id = i.id "
        "LEFT JOIN force_interventionrecord r ON r.version_id = v.id "
        "WHERE i.source_system = %s GROUP BY i.source_id",
        ("probe",),
    )
    assert {row[0] for row in rows} == created
    assert all(versions == 1 and interventions == 2 for _, versions, interventions in rows), rows
    no_version = probe.query(
        "SELECT COUNT(*) FROM force_incident i WHERE NOT EXISTS "
        "(SELECT 1 FROM force_incidentversion v WHERE v.incident_id = i.id)"
    )
    assert no_version == [(0,)]
    audited = probe.query(
        "SELECT COUNT(*) FROM core_auditevent WHERE action = %s AND record_type = %s AND path = %s",
        ("create", "force.Incident", "/api/incidents"),
    )
    assert audited == [(len(created),)]

    saved_amendments = {o.marker for o in outcomes if o.kind == "amend" and o.status == 201}
    versions = probe.query(
        "SELECT v.incident_id, v.number, v.change_reason, COUNT(r.id) FROM force_incidentversion v "
        "LEFT JOIN force_interventionrecord r ON r.version_id = v.id "
        "WHERE v.incident_id IN (%s, %s, %s) GROUP BY v.incident_id, v.number, v.change_reason",
        tuple(probe.seed["incidents"]),
    )
    assert {reason for _, number, reason, _ in versions if number > 1} == saved_amendments
    for incident in probe.seed["incidents"]:
        numbers = sorted(number for i, number, _, _ in versions if i == incident)
        assert numbers == list(range(1, len(numbers) + 1))
    assert all(interventions == 3 for *_, interventions in versions)


def test_racing_amendments_never_save_over_a_change_they_did_not_see(outcomes):
    """Each saved amendment was made from the version just before it; the others were refused 409."""
    amendments = [o for o in outcomes if o.kind == "amend"]
    saved = [o for o in amendments if o.status == 201]
    assert saved and all(o.version == o.base + 1 for o in saved), [
        (o.base, o.version) for o in saved if o.version != o.base + 1
    ]
    assert {o.status for o in amendments} <= {201, 409, 503}
