"""When the database cannot take a write in time, the answer is 503 with Retry-After (problem+json in
the API), never a 500, and a page keeps what the person typed (docs/reliability.md).

SQLite: another connection holds the write lock and the server's busy timeout is 1 second.
PostgreSQL: the server's pool has one connection, which a request blocked on a row lock holds, and the
pool's timeout is 1 second.
"""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest

from tests.integration.reliability.server import BrowserSession

pytestmark = pytest.mark.slow

BUSY_ENV = {"RRP_SQLITE_BUSY_SECONDS": "1", "RRP_DB_POOL_MAX": "1", "RRP_DB_POOL_TIMEOUT": "1"}
NARRATIVE = "Settled after twenty minutes in the quiet room; no injuries to anyone (typed while busy)"


def _create_body(seed: dict) -> dict:
    return {
        "ward_id": seed["ward_id"],
        "patient_id": seed["patient_id"],
        "source_system": "busy",
        "source_id": "busy",
    }


def _assert_busy_problem(answer) -> None:
    assert answer.status == 503, answer.body[:500]
    assert answer.headers["Retry-After"] == "5"
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:rrp:problem:busy" and "nothing was saved" in problem["detail"]


def test_api_write_answers_503_with_retry_after_while_the_database_is_busy(probe):
    token = probe.seed["tokens"][0]
    with probe.serving(**BUSY_ENV):
        if probe.vendor == "sqlite":
            holder = sqlite3.connect(probe.sqlite_file, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                answer = probe.request("POST", "/api/incidents", _create_body(probe.seed), token=token)
            finally:
                holder.execute("ROLLBACK")
                holder.close()
        else:
            incident = probe.seed["incidents"][0]
            base = probe.request("GET", f"/api/incidents/{incident}", token=token).json()["version"]
            blocked: list = []
            with psycopg.connect(probe.database_url) as holder:
                holder.execute("SELECT id FROM force_incident WHERE id = %s FOR UPDATE", (incident,))
                # This amendment waits for the row lock, holding the pool's only connection...
                waiting = threading.Thread(
                    target=lambda: blocked.append(
                        probe.request(
                            "POST",
                            f"/api/incidents/{incident}/amendments",
                            {"reason": "waited", "base_version": base, "outcome": "waited"},
                            token=token,
                        )
                    )
                )
                waiting.start()
                waiting.join(timeout=2)
                # ...so this one finds no connection free.
                answer = probe.request("POST", "/api/incidents", _create_body(probe.seed), token=token)
            waiting.join(timeout=60)
            assert blocked and blocked[0].status == 201
        _assert_busy_problem(answer)
    assert probe.query("SELECT COUNT(*) FROM force_incident WHERE source_id = %s", ("busy",)) == [(0,)]


def test_change_form_saved_while_busy_keeps_what_was_typed_and_saves_when_sent_again(probe):
    if probe.vendor != "sqlite":
        pytest.skip("the page's busy answer is the same on both; SQLite's lock is the one to hold")
    incident = probe.seed["incidents"][0]
    with probe.serving(**BUSY_ENV):
        person = BrowserSession(probe)
        person.sign_in(probe.seed["username"], probe.seed["password"])
        form = person.open(f"/incidents/{incident}/change/")
        assert form.status == 200
        fields = [(k, v) for k, v in person.form_fields(form) if k != "outcome"]
        fields += [("outcome", NARRATIVE), ("change_reason", "Outcome written up"), ("action", "draft")]
        holder = sqlite3.connect(probe.sqlite_file, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            busy = person.open(f"/incidents/{incident}/change/", fields)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert busy.status == 503 and busy.headers["Retry-After"] == "5"
        page = busy.body.decode()
        assert "The service is busy" in page and NARRATIVE in page
        # The busy page posts everything again; now the database is free, it is saved.
        again = person.open(f"/incidents/{incident}/change/", person.form_fields(busy))
        assert again.status == 200 and "Changes saved" in again.body.decode()
    saved = probe.query(
        "SELECT outcome FROM force_incidentversion WHERE incident_id = %s ORDER BY number DESC", (incident,)
    )
    assert saved[0] == (NARRATIVE,)
