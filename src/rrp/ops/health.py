"""What a load balancer asks: is the process up (healthz), and can it serve (readyz)?

Ready means the database answers, every migration this code knows is applied (so a new release is not
sent traffic before `rrp migrate` has run), and the background worker has been seen recently (its
heartbeat, once `rrp worker` runs; RRP_WORKER_HEARTBEAT_MAX_AGE seconds, 0 to leave it out).
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from rrp.ops.worker import last_seen_problem

_migrations_seen_applied = False


def database_reachable() -> str | None:
    """None when a query answers, else what went wrong (the error's class only: it may name hosts)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"database unreachable ({type(error).__name__})"
    return None


def migrations_applied() -> str | None:
    """None when no migration is waiting. Remembered once true: migrations are not unapplied under a
    running release, and reading the migration graph costs tens of milliseconds."""
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return None
    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        return f"{len(waiting)} migrations not applied: run `rrp migrate`"
    _migrations_seen_applied = True
    return None


def readiness_problems() -> list[str]:
    """Everything that stops this process serving; empty when it is ready."""
    problem = database_reachable()
    if problem:
        return [problem]
    migrations = migrations_applied()
    if migrations:
        return [migrations]  # the worker's heartbeat table may not exist yet
    return [p for p in (last_seen_problem(),) if p]
