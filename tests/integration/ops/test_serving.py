"""The production side of serving (issue 19): health and readiness for a load balancer, request ids on
every log line, `rrp serve`'s refusals and `rrp check --deploy` with the settings docs/deploy.md gives.
The server itself is started and probed by scripts/serve-smoke-test in .ci/run."""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from rrp.ops import health
from rrp.ops.worker import beat


@pytest.fixture
def fresh_readiness(monkeypatch):
    """Forget this process's memo that the migrations were once seen applied."""
    monkeypatch.setattr(health, "_migrations_seen_applied", False)


def test_healthz_answers_without_sign_in(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_when_the_database_answers_every_migration_is_applied_and_a_worker_is_seen(
    fresh_readiness,
):
    beat("w1", timezone.now())
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_problem_while_a_migration_is_not_applied(fresh_readiness):
    MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "not applied: run `rrp migrate`" in response.json()["problems"][0]


def test_readyz_takes_only_safe_methods(db):
    assert Client().post("/readyz").status_code == 405


def test_a_plausible_request_id_is_kept_and_logged(db, caplog):
    with caplog.at_level(logging.INFO, logger="rrp.request"):
        response = Client().get("/account/sign-in/", headers={"X-Request-ID": "lb-7f3a9c21"})
    assert response["X-Request-ID"] == "lb-7f3a9c21"
    [line] = [r for r in caplog.records if r.name == "rrp.request"]
    assert line.request_id == "lb-7f3a9c21"
    assert (line.method, line.path, line.status) == ("GET", "/account/sign-in/", 200)


@pytest.mark.parametrize("offered", ["short", "x" * 65, "abc def ghi", "abcdefgh\nforged-line"])
def test_an_implausible_request_id_is_replaced(db, offered):
    response = Client().get("/healthz", headers={"X-Request-ID": offered.replace("\n", "%0A")})
    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_the_request_line_leaves_out_the_query_string(db, caplog):
    with caplog.at_level(logging.INFO, logger="rrp.request"):
        Client().get("/account/sign-in/?next=/patients/?q=Smith")
    [line] = [r for r in caplog.records if r.name == "rrp.request"]
    assert "Smith" not in line.getMessage()
    assert line.path == "/account/sign-in/"


def test_serve_refuses_to_start_without_collected_static_files(settings, tmp_path):
    settings.RELAXED = False
    settings.STATIC_ROOT = tmp_path
    with pytest.raises(CommandError, match="rrp collectstatic --noinput") as refused:
        call_command("serve")
    assert refused.value.returncode == 2


def test_serve_refuses_no_workers(settings):
    with pytest.raises(CommandError, match="--workers must be 1 or more, not 0") as refused:
        call_command("serve", "--workers", "0")
    assert refused.value.returncode == 2


def test_check_deploy_passes_with_the_documented_settings(tmp_path):
    """docs/deploy.md's required settings, nothing relaxed: `rrp check --deploy` must find no issue."""
    env = {k: v for k, v in os.environ.items() if k not in {"RRP_TESTING", "DEBUG", "RRP_DEMO"}}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="rrp.example.nhs.uk",
        CSRF_TRUSTED_ORIGINS="https://rrp.example.nhs.uk",
        RRP_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "rrp.cli.main", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
