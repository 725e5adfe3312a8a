"""Production settings fail loudly when something production needs is missing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

DOTENV_SAMPLE = Path(__file__).resolve().parents[2] / "dotenv-sample"


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


def test_every_setting_of_dotenv_sample_can_be_uncommented_and_read_by_the_shell(tmp_path):
    """docs/go-live.md reads .env with `set -a && . ./.env && set +a`. Uncommenting a line of the sample
    must give a setting the shell reads: before, notes after a value (`RRP_OIDC_SUBJECT_CLAIM=oid   (sub
    by default ...)`) were a syntax error, an unquoted label ran `in` as a command, and an empty
    `RRP_PSEUDONYM_KEY=` left pseudonyms keyed with nothing."""
    text = DOTENV_SAMPLE.read_text()
    development = {"DEBUG", "RRP_DEMO"}
    lines = []
    for line in text.splitlines():
        match = re.match(r"# ([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and match.group(1) not in development:
            lines.append(line[2:])
        elif line.startswith("SECRET_KEY="):
            lines.append("SECRET_KEY=" + "k" * 50)
        else:
            lines.append(line)
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(lines) + "\n")
    names = [m.group(1) for m in re.finditer(r"^#? ?([A-Z][A-Z0-9_]*)=", text, re.M)]
    assert {"RRP_OIDC_SUBJECT_CLAIM", "RRP_OIDC_BUTTON_LABEL", "RRP_PSEUDONYM_KEY"} <= set(names)
    code = (
        "import rrp.config.settings as s; "
        "print(s.PSEUDONYM_KEY == s.SECRET_KEY, repr(s.RRP_OIDC_BUTTON_LABEL), s.RECORD_RETENTION_YEARS)"
    )
    base = {
        k: v for k, v in os.environ.items() if k not in {"RRP_TESTING", "DEBUG", "RRP_DEMO", "SECRET_KEY"}
    }
    result = subprocess.run(
        ["bash", "-c", f'set -a && . "{env_file}" && set +a && exec "{sys.executable}" -c "$0"', code],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.split(" ", 1)[0] == "True"
    assert "'Sign in with your NHS account'" in result.stdout
