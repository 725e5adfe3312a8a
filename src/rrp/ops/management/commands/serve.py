"""`rrp serve`: RRP behind gunicorn, the production application server (docs/deploy.md).

This process becomes gunicorn (exec), so the service manager's signals reach gunicorn directly: TERM
finishes the requests in hand and stops, HUP reloads the workers with new code.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve RRP with gunicorn, the production application server (settings in rrp/config/gunicorn.py)."
    requires_system_checks = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", help="address:port to listen on (default RRP_BIND or 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, help="worker processes (default WEB_CONCURRENCY or 3)")
        parser.add_argument("--threads", type=int, help="threads per worker (default RRP_THREADS or 4)")
        parser.add_argument(
            "--timeout", type=int, help="seconds before a stuck worker is restarted (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = settings.STATIC_ROOT / "staticfiles.json"
        if not settings.RELAXED and not manifest.exists():
            raise CommandError(
                f"The static files are not collected ({manifest} is missing): run `rrp collectstatic --noinput` "
                "first (docs/deploy.md).",
                returncode=2,
            )
        for name in ("workers", "threads", "timeout"):
            if options[name] is not None and options[name] < 1:
                raise CommandError(f"--{name} must be 1 or more, not {options[name]}.", returncode=2)
        argv = [sys.executable, "-m", "gunicorn", "--config", "python:rrp.config.gunicorn"]
        for name in ("bind", "workers", "threads", "timeout"):
            if options[name] is not None:
                argv += [f"--{name}", str(options[name])]
        argv.append("rrp.config.wsgi:application")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
