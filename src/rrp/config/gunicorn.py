"""Gunicorn's settings for `rrp serve` (docs/deploy.md says why each is what it is).

Sized for a 2-core host: 3 worker processes (2 x cores - 1 keeps a core's worth of room for the task
worker and the database when they share the host) of 4 threads each, so a request waiting on the
database or a PDF does not hold a whole process. Each environment variable overrides one setting.
"""

import os
from pathlib import Path

bind = os.environ.get("RRP_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("RRP_THREADS", "4"))
# A board pack PDF for a large provider takes seconds; anything near a minute is a fault to kill.
timeout = int(os.environ.get("RRP_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle each worker after about a thousand requests, staggered, so a slow leak never grows for long.
max_requests = 1000
max_requests_jitter = 100
# Import Django once in the master: a broken release fails at start, not on the first request, and the
# workers share the imported code's memory.
preload_app = True
# Which proxies may tell us the original scheme (X-Forwarded-Proto); the load balancer's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files on a memory filesystem, where a container's /tmp may be an overlay on disk.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None

# Requests are logged by Django (rrp.core.logs, with the request id); gunicorn's own lines in JSON too.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if os.environ.get("RRP_LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
    }


def post_fork(server: object, worker: object) -> None:
    """Each worker opens its own database connections: a pool the preloaded application may have opened
    in the master is dropped, since connections must never be shared between processes."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()
