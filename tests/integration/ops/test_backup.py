"""Backups that restore (issue 19, item 4): a backup of the demo restored into an empty database has
every table identical, on SQLite and on PostgreSQL; a restore never goes into a database with tables,
and --verify names a table that differs."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from rrp.demo.generate import demo_data_generate
from rrp.ops.backup import Target, differences, read_manifest
from tests.database import empty_append_only_tables
from tests.demo.test_demo_data import TINY


@pytest.fixture
def demo(transactional_db, settings):
    """The tiny demo, committed (a backup reads the database from outside the test's connection)."""
    settings.DEMO_MODE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_data_generate(options=TINY)
    yield
    empty_append_only_tables()


@pytest.fixture
def empty_database_url(tmp_path):
    """A new, empty database of the same kind as the test database; dropped after."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"{params['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    admin = {
        "dbname": "postgres",
        "user": params["USER"],
        "host": params["HOST"],
        "port": params["PORT"] or 5432,
    }
    if params.get("PASSWORD"):
        admin["password"] = params["PASSWORD"]
    with psycopg.connect(**admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    auth = f"{params['USER']}:{params['PASSWORD']}@" if params.get("PASSWORD") else f"{params['USER']}@"
    yield f"postgres://{auth}{params['HOST']}:{params['PORT'] or 5432}/{name}"
    with psycopg.connect(**admin, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_of_the_demo_restores_into_an_empty_database_with_every_table_identical(
    demo, empty_database_url, tmp_path, capsys
):
    archive = tmp_path / "rrp.tar"
    call_command("backup", "--output", str(archive))
    manifest = read_manifest(archive)
    assert manifest["vendor"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert manifest["tables"]["force_incident"]["rows"] > 0
    assert manifest["tables"]["core_auditevent"]["rows"] >= 0
    assert "django_migrations" in manifest["tables"]

    call_command("restore", str(archive), "--verify", "--database-url", empty_database_url)
    assert "tables identical to the backup" in capsys.readouterr().out
    assert differences(manifest, Target.from_url(empty_database_url)) == []

    with pytest.raises(CommandError, match="already has tables") as refused:
        call_command("restore", str(archive), "--database-url", empty_database_url)
    assert refused.value.returncode == 2


def test_verify_names_a_table_that_differs(demo, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the tampering is done with SQLite's own module; the comparison is the same code")
    archive = tmp_path / "rrp.tar"
    call_command("backup", "--output", str(archive))
    restored = tmp_path / "restored.sqlite3"
    call_command("restore", str(archive), "--database-url", f"sqlite:///{restored}")
    with closing(sqlite3.connect(restored)) as c:
        c.execute("DROP TRIGGER IF EXISTS organisations_ward_no_update")
        c.execute(
            "UPDATE organisations_ward SET name = name || ' (changed)' WHERE id = (SELECT min(id) FROM organisations_ward)"
        )
        c.commit()
    problems = differences(read_manifest(archive), Target.from_url(f"sqlite:///{restored}"))
    assert len(problems) == 1
    assert problems[0].startswith("organisations_ward: ") and problems[0].endswith("contents differ")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.tar"
    bogus.write_text("not a tar")
    with pytest.raises(CommandError, match="is not an RRP backup") as refused:
        call_command("restore", str(bogus), "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert refused.value.returncode == 2
