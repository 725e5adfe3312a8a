"""Production settings fail loudly when something production needs is missing."""

from __future__ import annotations

import os
import subprocess
import sys


def run_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"RRP_TESTING", "DEBUG", "RRP_DEMO", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    code = "import rrp.config.settings as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS)"
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_settings_without_secret_key_fail_with_a_hint():
    result = run_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "make run" in result.stderr


def test_settings_without_allowed_hosts_fail_with_a_hint():
    result = run_settings({"SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_production_settings_are_secure_by_default():
    result = run_settings({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "rrp.example.nhs.uk"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "DENY"]
