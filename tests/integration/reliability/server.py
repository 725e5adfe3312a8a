"""A real RRP server for the reliability probes: its own database (an SQLite file, or a PostgreSQL
database named after the test database when DATABASE_URL is PostgreSQL), migrated and seeded in
subprocesses, served by Django's threaded server in a subprocess, so requests really run at once on
separate connections (pytest-django's live server shares one connection on in-memory SQLite).

Used by the tests beside it; `ProbeServer.query` reads the probe database directly to check what was
saved, not what the server says it saved.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import psycopg

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ProbeServer:
    """A migrated, seeded database and (while `serving`) a server on it."""

    folder: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    seed: dict[str, Any] = field(default_factory=dict)
    url: str = ""

    def __post_init__(self) -> None:
        main_url = os.environ.get("DATABASE_URL", "")
        if main_url.startswith("postgres"):
            parsed = urlparse(main_url)
            name = parsed.path.lstrip("/") or "rrp"
            # One per xdist worker, which may each set up the probes.
            self.pg_name = f"test_{name}_probe{os.environ.get('PYTEST_XDIST_WORKER', '')}"
            self.pg_admin = parsed._replace(path="/postgres").geturl()
            self.database_url = parsed._replace(path=f"/{self.pg_name}").geturl()
            self.vendor = "postgresql"
        else:
            self.sqlite_file = self.folder / "probe.sqlite3"
            self.database_url = f"sqlite:///{self.sqlite_file}"
            self.vendor = "sqlite"

    def env(self, **more: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        return {
            **env,
            "DATABASE_URL": self.database_url,
            "RRP_TESTING": "1",
            "DEBUG": "0",
            "RRP_DEMO": "0",
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
            **more,
        }

    def create(self, *, writers: int, shared: int) -> None:
        """Make the database, migrate it and seed it."""
        if self.vendor == "postgresql":
            with psycopg.connect(self.pg_admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{self.pg_name}"')
        python = sys.executable
        subprocess.run(
            [python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env(), check=True, timeout=300
        )
        seeded = subprocess.run(
            [python, "-m", "tests.integration.reliability.seed", str(writers), str(shared)],
            cwd=ROOT,
            env=self.env(DJANGO_SETTINGS_MODULE="rrp.config.settings"),
            check=True,
            timeout=300,
            capture_output=True,
            text=True,
        )
        self.seed = json.loads(seeded.stdout.strip().splitlines()[-1])

    def drop(self) -> None:
        if self.vendor == "postgresql":
            with psycopg.connect(self.pg_admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    @contextmanager
    def serving(self, **env: str) -> Iterator[ProbeServer]:
        """Run Django's threaded server on a free port until the block ends."""
        port = _free_port()
        log = (self.folder / "server.log").open("ab")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=ROOT,
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if self.request("GET", "/health/").status == 200:
                        break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the probe server did not start; see {self.folder / 'server.log'}")
                time.sleep(0.2)
            yield self
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict | None = None,
    ) -> Response:
        """One HTTP request (JSON body if given); any status comes back, none raises."""
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of `sql` (written with %s placeholders) read straight from the probe database."""
        if self.vendor == "postgresql":
            with psycopg.connect(self.database_url) as conn:
                return conn.execute(sql, params).fetchall()
        with sqlite3.connect(self.sqlite_file, timeout=30) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()


class FormFields(HTMLParser):
    """The fields of the page's form(s) as a browser would submit them (buttons left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type", "text") not in {"submit", "button"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""
        elif tag == "select":
            self._select, self._first_option, self._chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self.fields.append((self._select, value))
                self._chosen = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._chosen and self._first_option is not None:
                self.fields.append((self._select, self._first_option))
            self._select = None


class BrowserSession:
    """A signed-in person's cookies against the probe server, posting forms as a browser would."""

    def __init__(self, server: ProbeServer) -> None:
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def open(self, path: str, fields: list[tuple[str, str]] | None = None) -> Response:
        data = urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.server.url + path, data=data)
        try:
            with self.opener.open(request, timeout=120) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    @staticmethod
    def form_fields(page: Response) -> list[tuple[str, str]]:
        parser = FormFields()
        parser.feed(page.body.decode())
        return parser.fields

    def sign_in(self, username: str, password: str) -> None:
        page = self.open("/account/sign-in/")
        fields = dict(self.form_fields(page))
        fields.update(username=username, password=password)
        answer = self.open("/account/sign-in/", list(fields.items()))
        assert answer.status == 200 and b"Sign out" in answer.body, answer.body[:400]
