"""`rrp import incidents` killed with SIGKILL while it is writing leaves nothing of the file behind (no
incident, version, intervention or import audit row), and the same file then imports in full
(docs/reliability.md, "Kill -9 during an import").

When to kill: on PostgreSQL, a moment after the database shows the importer's transaction has written
(it has a transaction id). On SQLite nothing outside the process shows the writing (the importer keeps
its pages in a large cache until the commit), so the file is first imported into a copy of the database,
which proves the importer accepts it and times a full run, and the kill comes at 70% of that time.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rrp.force.imports import ALL_COLUMNS
from tests.integration.force.test_import_incidents import BASE, INTERVENTIONS
from tests.integration.reliability.server import ROOT, ProbeServer

pytestmark = pytest.mark.slow

SOURCE = "killimport"
INCIDENTS = 4000  # x 3 interventions: a few seconds of import, most of it writing
SLOTS = [dt.time(h, 5) for h in range(6, 22, 2)]  # daytime, 2 hours apart, so no incident overlaps another
KILL_AT = 0.7


def write_file(path: Path, ward_code: str) -> int:
    """Write the file (the import tests' incident, INCIDENTS times at different times); return its rows."""
    first_day = dt.date(2021, 1, 4)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=ALL_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for n in range(INCIDENTS):
            occurred = dt.datetime.combine(
                first_day + dt.timedelta(days=n // len(SLOTS)), SLOTS[n % len(SLOTS)]
            )

            def at(minutes: int, occurred: dt.datetime = occurred) -> str:
                return f"{occurred + dt.timedelta(minutes=minutes):%Y-%m-%d %H:%M}"

            for code, start, end, plan in INTERVENTIONS:
                base = dt.datetime.fromisoformat(BASE["occurred_at"])
                offset = int((dt.datetime.fromisoformat(start) - base).total_seconds() // 60)
                length = int((dt.datetime.fromisoformat(end) - base).total_seconds() // 60)
                writer.writerow(
                    {
                        **BASE,
                        "source_system": SOURCE,
                        "source_id": f"K{n:06d}",
                        "ward_code": ward_code,
                        "occurred_at": at(0),
                        "ended_at": at(40),
                        "care_plan_notified_at": at(115),
                        "intervention_type": code,
                        "intervention_started_at": at(offset),
                        "intervention_ended_at": at(length),
                        "intervention_in_care_plan": plan,
                    }
                )
                rows += 1
    return rows


def counts(probe: ProbeServer) -> dict[str, int]:
    """What the file has left in the database, read straight from it."""
    one = lambda sql: probe.query(sql, (SOURCE,))[0][0]  # noqa: E731
    return {
        "incidents": one("SELECT COUNT(*) FROM force_incident WHERE source_system = %s"),
        "versions": one(
            "SELECT COUNT(*) FROM force_incidentversion v JOIN force_incident i ON v.incident_id = i.id "
            "WHERE i.source_system = %s"
        ),
        "interventions": one(
            "SELECT COUNT(*) FROM force_interventionrecord r JOIN force_incidentversion v ON r.version_id = v.id "
            "JOIN force_incident i ON v.incident_id = i.id WHERE i.source_system = %s"
        ),
        "import_audits": probe.query(
            "SELECT COUNT(*) FROM core_auditevent WHERE action = %s AND record_label = %s",
            ("import", "Incident import"),
        )[0][0],
    }


def pg_writing(probe: ProbeServer) -> bool:
    """Whether a connection to the probe database has a transaction that has written (has an xid)."""
    return bool(
        probe.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
            "AND pid <> pg_backend_pid()",
            (probe.pg_name,),
        )
    )


def sqlite_reference_seconds(probe: ProbeServer, command: list[str], folder: Path) -> float:
    """How long the whole import takes on a copy of the probe database (and that it is accepted)."""
    copy = folder / "reference.sqlite3"
    with sqlite3.connect(probe.sqlite_file) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=probe.env(DJANGO_SETTINGS_MODULE="rrp.config.settings", DATABASE_URL=f"sqlite:///{copy}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return time.monotonic() - started


def test_import_killed_while_writing_leaves_nothing_and_the_same_file_then_imports_in_full(probe, tmp_path):
    ward_code = probe.query("SELECT code FROM organisations_ward WHERE id = %s", (probe.seed["ward_id"],))[0][
        0
    ]
    path = tmp_path / "incidents.csv"
    rows = write_file(path, ward_code)
    command = [
        str(Path(sys.executable).with_name("rrp")),
        "import",
        "incidents",
        str(path),
        "--user",
        probe.seed["username"],
    ]
    env = probe.env(DJANGO_SETTINGS_MODULE="rrp.config.settings")
    before = counts(probe)
    assert before["incidents"] == 0
    reference = sqlite_reference_seconds(probe, command, tmp_path) if probe.vendor == "sqlite" else None

    started = time.monotonic()
    importer = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if reference is None:
        writing_at = None
        while importer.poll() is None and time.monotonic() - started < 60:
            if pg_writing(probe):
                writing_at = time.monotonic() - started
                break
            time.sleep(0.05)
        assert writing_at is not None, importer.communicate()  # it finished, or failed, before it wrote
        time.sleep(0.1)  # into the inserts, which on PostgreSQL come late and take well under a second here
        when = f"writing seen at {writing_at:.1f} s"
    else:
        # SQLite keeps the import's pages in its cache until the commit (force.imports sets a large
        # cache_size), so nothing outside the process shows the writing; kill at 70% of a full run's
        # time, after the checks, while the rows are being built and inserted.
        time.sleep(reference * KILL_AT)
        when = f"a full run took {reference:.1f} s"
    assert importer.poll() is None, "the import finished before the kill: make the file bigger"
    os.kill(importer.pid, signal.SIGKILL)
    killed_at = time.monotonic() - started
    importer.communicate(timeout=30)
    assert importer.returncode == -signal.SIGKILL

    after_kill = counts(probe)
    assert after_kill == before  # nothing half-imported

    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    full_run = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Imported {rows} rows: {INCIDENTS} new incidents" in done.stdout
    after_import = counts(probe)
    assert after_import == {
        "incidents": INCIDENTS,
        "versions": INCIDENTS,
        "interventions": rows,
        "import_audits": before["import_audits"] + 1,
    }
    print(
        f"\n{probe.vendor}: {rows} rows; {when}, killed at {killed_at:.1f} s; "
        f"after the kill {after_kill}; the full import took {full_run:.1f} s and left {after_import}"
    )
