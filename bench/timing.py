"""Timing and set-up helpers shared by every benchmark under bench/ (docs/performance.md says how to run each).

- :func:`time_calls` times a function ``repeat`` times after ``warmup`` untimed calls; :class:`Timings`
  gives the best, the median and the 90th centile (nearest rank: with 5 calls the slowest, with 20 the
  18th).
- :func:`time_requests` does the same for a Django request or selector and counts the queries of one call.
- :class:`Stopwatch` measures one long step: wall time and this process's CPU time (the steadier figure on
  a machine shared with other work).
- :func:`fresh_sqlite`, :func:`postgres_database` and :func:`run_in_subprocess` give each run its own
  fresh database in its own process.

The scripts import this as ``timing`` (Python puts the script's folder, bench/, first on the path).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Timings:
    """Wall times of repeated calls, in seconds, fastest first."""

    seconds: tuple[float, ...]

    @property
    def best(self) -> float:
        return self.seconds[0]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p90(self) -> float:
        """The 90th centile by nearest rank."""
        return self.seconds[math.ceil(0.9 * len(self.seconds)) - 1]

    @property
    def median_ms(self) -> float:
        return self.median * 1000

    @property
    def p90_ms(self) -> float:
        return self.p90 * 1000


def time_calls(function: Callable[[], object], *, repeat: int, warmup: int = 1) -> Timings:
    """Call ``function`` ``warmup`` times untimed, then time ``repeat`` calls."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return Timings(tuple(sorted(times)))


def time_requests(function: Callable[[], object], *, repeat: int, warmup: int) -> tuple[Timings, int]:
    """As :func:`time_calls`, and the number of database queries one call makes (after the warm-up).

    Queries are counted with an execute wrapper, not ``connection.queries``, which a request resets when
    it starts.
    """
    from django.db import connection

    for _ in range(warmup):
        function()
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        function()
    return time_calls(function, repeat=repeat, warmup=0), len(queries)


class Stopwatch:
    """``with Stopwatch() as watch: ...`` then ``watch.seconds`` (wall) and ``watch.cpu_seconds``."""

    seconds: float
    cpu_seconds: float

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu_seconds = time.process_time() - self._cpu


def fresh_sqlite(path: Path) -> str:
    """Delete an SQLite database file and its journals; return its DATABASE_URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_database(base_url: str, name: str, *, drop: bool) -> str:
    """Create (or drop) a throwaway database on the server of ``base_url``; return its URL."""
    import psycopg

    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_in_subprocess(script: str, args: Sequence[str], *, database_url: str) -> dict[str, object]:
    """Run ``script`` with ``args`` in a new process on ``database_url`` (demo mode) and return the JSON
    object it prints last; its wall time, start-up included, is added as ``wall_seconds``."""
    env = {**os.environ, "DATABASE_URL": database_url, "RRP_DEMO": "1", "DEBUG": "0"}
    with Stopwatch() as watch:
        result = subprocess.run(
            [sys.executable, script, *args], env=env, capture_output=True, text=True, check=False
        )
    if result.returncode:
        raise SystemExit(f"Benchmark run failed:\n{result.stderr[-3000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall_seconds"] = watch.seconds
    return data


def demo_database_or_exit(what: str, build: str) -> None:
    """Stop with a clear message (exit 0: nothing to measure) unless DATABASE_URL holds a demo run.

    ``build`` is the command that builds the database the benchmark needs.
    """
    from django.db import connection
    from django.db.utils import DatabaseError

    try:
        from rrp.demo.models import DemoRun

        ready = DemoRun.objects.exists()
    except DatabaseError:
        ready = False
    if not ready:
        where = connection.settings_dict.get("NAME")
        print(
            f"Skipped: {what} needs national-size demo data, and {where} holds none.\nBuild it with:\n  {build}"
        )
        raise SystemExit(0)
