"""Backups that restore: `rrp backup --output FILE` and `rrp restore FILE [--verify]` (docs/deploy.md).

A backup is one tar file holding the database (SQLite: a copy made with SQLite's online backup API, so
the server keeps running; PostgreSQL: `pg_dump`'s custom format) and `manifest.json`: for every table,
its row count and a SHA-256 digest of its rows in a fixed order. On PostgreSQL the manifest and the dump
read the same exported snapshot, so they describe the same moment however busy the database is.
`rrp restore --verify` recomputes the manifest from the restored database and names every table that
differs. A restore goes only into an empty database: it never overwrites records.

Uploaded documents (the use-of-force policies, under MEDIA_ROOT, decision 0063) go into the same tar
under ``media/``, each with its SHA-256 digest in the manifest's ``media``; a restore writes them back
under the target's MEDIA_ROOT (a file already there with the same name and content is left), and
``--verify`` checks every one against its digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEDIA_MEMBER = "media"
#: The folders under MEDIA_ROOT that hold records' files (each file named by its digest).
MEDIA_FOLDERS = ("policies",)
FORMAT_VERSION = 1


class BackupError(Exception):
    """Something an operator must fix (the message says what); the command exits 2."""


@dataclass(frozen=True)
class Target:
    """A database named by a settings-style dict (Django's DATABASES entry) or a DATABASE_URL."""

    vendor: str  # "sqlite" or "postgresql"
    settings: dict[str, Any]

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Target:
        engine = settings_dict["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", settings_dict)
        if engine.endswith("postgresql"):
            return cls("postgresql", settings_dict)
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")

    @classmethod
    def from_url(cls, url: str) -> Target:
        return cls.from_settings(dj_database_url.parse(url))

    @contextmanager
    def connect(self) -> Iterator[Any]:
        """A DB-API connection (sqlite3 or psycopg), closed after."""
        name = str(self.settings["NAME"])
        if self.vendor == "sqlite":
            connection = sqlite3.connect(
                name, uri=name.startswith("file:")
            )  # Django's in-memory test database
        else:
            connection = psycopg.connect(**self._pg_params())
        try:
            yield connection
        finally:
            connection.close()

    def _pg_params(self) -> dict[str, Any]:
        s = self.settings
        params = {
            "dbname": s["NAME"],
            "user": s.get("USER") or None,
            "password": s.get("PASSWORD") or None,
            "host": s.get("HOST") or None,
            "port": s.get("PORT") or None,
        }
        return {k: v for k, v in params.items() if v}

    def pg_env(self) -> dict[str, str]:
        """The environment for pg_dump and pg_restore: the connection in libpq's variables (no password
        on a command line, where `ps` would show it)."""
        params = self._pg_params()
        names = {
            "dbname": "PGDATABASE",
            "user": "PGUSER",
            "password": "PGPASSWORD",
            "host": "PGHOST",
            "port": "PGPORT",
        }
        return {**os.environ, **{names[k]: str(v) for k, v in params.items()}}


def _tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    return [row[0] for row in cursor.fetchall()]


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def manifest_of(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Every table's row count and SHA-256 digest of its rows, ordered by every column."""
    tables = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT * FROM "{table}" WHERE 1 = 0')
        width = len(cursor.description)
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY {", ".join(str(i) for i in range(1, width + 1))}')
        digest, rows = hashlib.sha256(), 0
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update(json.dumps([_value(v) for v in row], default=str).encode())
                digest.update(b"\n")
                rows += 1
        tables[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return tables


def _is_empty(target: Target) -> bool:
    name = str(target.settings["NAME"])
    if target.vendor == "sqlite" and not name.startswith("file:") and not Path(name).exists():
        return True
    with target.connect() as connection:
        cursor = connection.cursor()
        return not _tables(cursor, target.vendor)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def media_files(media_root: Path | None) -> dict[str, str]:
    """Every record's file under ``media_root`` (``MEDIA_FOLDERS``), as {path under it: SHA-256}."""
    if media_root is None:
        return {}
    found = {}
    for folder in MEDIA_FOLDERS:
        base = media_root / folder
        if base.is_dir():
            for path in sorted(p for p in base.rglob("*") if p.is_file()):
                found[path.relative_to(media_root).as_posix()] = _digest(path)
    return found


def backup(source: Target, output: Path, media_root: Path | None = None) -> dict[str, Any]:
    """Write a backup of `source` (and the records' files under `media_root`) to `output` (a tar file);
    the manifest it holds."""
    with tempfile.TemporaryDirectory() as work:
        work_dir = Path(work)
        if source.vendor == "sqlite":
            copy = work_dir / SQLITE_MEMBER
            with source.connect() as live, closing(sqlite3.connect(copy)) as destination:
                live.backup(destination)  # SQLite's online backup API: consistent while others write
                tables = manifest_of(destination.cursor(), "sqlite")
            member = copy
        else:
            member = work_dir / POSTGRES_MEMBER
            with source.connect() as connection:
                cursor = connection.cursor()
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot_id = cursor.fetchone()[0]
                dumped = subprocess.run(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot_id}",
                        f"--file={member}",
                    ],
                    env=source.pg_env(),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if dumped.returncode != 0:
                    raise BackupError(f"pg_dump failed: {dumped.stderr.strip()}")
                tables = manifest_of(cursor, "postgresql")
        manifest = {
            "format": FORMAT_VERSION,
            "vendor": source.vendor,
            "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "member": member.name,
            "tables": tables,
            "media": media_files(media_root),
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(member, arcname=member.name)
            for name in manifest["media"]:
                archive.add(media_root / name, arcname=f"{MEDIA_MEMBER}/{name}")
        partial.replace(output)  # never a half-written backup under the real name
    return manifest


def read_manifest(archive_path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path) as archive:
            return json.load(archive.extractfile(MANIFEST))
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{archive_path} is not an RRP backup ({error}).") from error


def restore(archive_path: Path, target: Target, media_root: Path | None = None) -> dict[str, Any]:
    """Restore the backup into `target`, which must be empty, and its files under `media_root`; the
    backup's manifest."""
    manifest = read_manifest(archive_path)
    if manifest["vendor"] != target.vendor:
        raise BackupError(
            f"This is a {manifest['vendor']} backup; it cannot be restored into {target.vendor}."
        )
    if not _is_empty(target):
        raise BackupError(
            "The database to restore into already has tables. Restore only into an empty database "
            "(create a new one, or use --database-url), so no record is ever overwritten."
        )
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive_path) as archive:
        archive.extract(manifest["member"], work, filter="data")
        member = Path(work) / manifest["member"]
        if target.vendor == "sqlite":
            Path(target.settings["NAME"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(member, target.settings["NAME"])
        else:
            restored = subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={target.settings['NAME']}",
                    str(member),
                ],
                env=target.pg_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if restored.returncode != 0:
                raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
        _restore_media(archive, manifest.get("media", {}), media_root)
    return manifest


def _restore_media(archive: tarfile.TarFile, files: dict[str, str], media_root: Path | None) -> None:
    if not files:
        return
    if media_root is None:
        raise BackupError("This backup holds uploaded documents: say where MEDIA_ROOT is to restore them.")
    for name, digest in files.items():
        path = media_root / name
        if path.exists():
            if _digest(path) != digest:
                raise BackupError(f"{path} is already there with other contents; it is never overwritten.")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(f"{MEDIA_MEMBER}/{name}")
        if source is None:
            raise BackupError(f"The backup lists {name} but does not hold it.")
        with path.open("wb") as out:
            shutil.copyfileobj(source, out)


def differences(manifest: dict[str, Any], target: Target, media_root: Path | None = None) -> list[str]:
    """Every table whose rows in `target` differ from the manifest's, and every file under `media_root`
    missing or not matching its digest, in words; empty when identical."""
    with target.connect() as connection:
        found = manifest_of(connection.cursor(), target.vendor)
    expected = manifest["tables"]
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(f"{table}: missing")
        elif table not in expected:
            problems.append(f"{table}: not in the backup")
        elif found[table] != expected[table]:
            problems.append(
                f"{table}: {found[table]['rows']} rows (backup: {expected[table]['rows']})"
                + ("" if found[table]["rows"] != expected[table]["rows"] else ", contents differ")
            )
    for name, digest in manifest.get("media", {}).items():
        path = None if media_root is None else media_root / name
        if path is None or not path.exists():
            problems.append(f"{MEDIA_MEMBER}/{name}: missing")
        elif _digest(path) != digest:
            problems.append(f"{MEDIA_MEMBER}/{name}: contents differ")
    return problems
