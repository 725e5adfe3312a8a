"""The use-of-force policy as an uploaded PDF (issue 16 item 2, decision 0063): kept in Django's storage
under MEDIA_ROOT named by its SHA-256 digest, recorded with the digest and size, served only to people
signed in who see the provider (audited), refused naming the field when it is not a PDF, too large, or
missing with no link (nothing kept), and carried by `rrp backup` and `rrp restore --verify`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client

from rrp.accounts.roles import Role
from rrp.act import services
from rrp.act.models import PolicyVersion
from rrp.core.models import AuditAction, AuditEvent
from rrp.ops.backup import Target, differences, read_manifest
from tests import factories
from tests.database import empty_append_only_tables
from tests.helpers import signed_in_client

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def answers(**changes):
    values = {
        "title": "Reducing the use of force",
        "version_label": "4",
        "document_url": "",
        "approved_on": "2026-04-01",
        "review_due_on": "2027-04-01",
        "consulted": "Patients' council, carers' forum",
        "patients_consulted": "on",
    }
    return {**values, **changes}


def post(world, **changes):
    provider = world.providers[0]
    client = signed_in_client(world.users["provider_governance"])
    return client.post(f"/use-of-force-act/providers/{provider.pk}/policy/new/", answers(**changes))


def test_an_uploaded_pdf_is_kept_by_its_digest_and_served_to_the_providers_people(world, media):
    answer = post(world, document=SimpleUploadedFile("use-of-force-v4.pdf", PDF, "application/pdf"))
    assert answer.status_code == 302
    version = PolicyVersion.objects.get()
    digest = hashlib.sha256(PDF).hexdigest()
    assert version.document_sha256 == digest and version.document_bytes == len(PDF)
    assert version.document_file == f"policies/{digest}.pdf" and version.document_url == ""
    assert (media / "policies" / f"{digest}.pdf").read_bytes() == PDF
    assert version.document_name == "use-of-force-v4.pdf"

    staff = signed_in_client(world.users["ward_staff"])
    page = staff.get(f"/use-of-force-act/providers/{world.providers[0].pk}/")
    assert f'href="/use-of-force-act/policies/{version.pk}/document.pdf"' in page.text
    served = staff.get(f"/use-of-force-act/policies/{version.pk}/document.pdf")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == PDF
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.EXPORT, record_type="act.PolicyVersion", detail__export="policy_document"
        ).count()
        == 1
    )
    elsewhere = factories.user(role=Role.PROVIDER_GOVERNANCE, provider=world.providers[1])
    assert (
        signed_in_client(elsewhere).get(f"/use-of-force-act/policies/{version.pk}/document.pdf").status_code
        == 404
    )
    assert Client().get(f"/use-of-force-act/policies/{version.pk}/document.pdf").status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({}, "document_url", "Enter the address where the policy is published, or upload it as a PDF"),
        (
            {"document": SimpleUploadedFile("policy.pdf", b"<html>not a pdf</html>", "application/pdf")},
            "document",
            "The policy must be a PDF file",
        ),
    ],
)
def test_a_missing_or_wrong_document_is_refused_naming_the_field(world, media, changes, field, message):
    answer = post(world, **changes)
    assert answer.status_code == 400
    assert message in answer.text and f'href="#id_{field}' in answer.text
    assert not PolicyVersion.objects.exists()
    assert not (media / "policies").exists() or not any((media / "policies").iterdir())


def test_a_document_over_the_limit_is_refused(world, media, monkeypatch):
    monkeypatch.setattr(services, "POLICY_DOCUMENT_MAX_BYTES", 40)
    answer = post(world, document=SimpleUploadedFile("policy.pdf", PDF + b" " * 40, "application/pdf"))
    assert answer.status_code == 400 and "The policy must be 10 MB or smaller" in answer.text
    assert not PolicyVersion.objects.exists()


@pytest.fixture
def committed_world(transactional_db):
    """The world committed (a backup reads the database from outside the test's connection)."""
    yield factories.build_world()
    empty_append_only_tables()


def test_a_backup_carries_the_documents_and_restore_verifies_them(committed_world, settings, tmp_path):
    post(committed_world, document=SimpleUploadedFile("v4.pdf", PDF, "application/pdf"))
    digest = hashlib.sha256(PDF).hexdigest()
    archive = tmp_path / "rrp.tar"
    call_command("backup", "--output", str(archive))
    assert read_manifest(archive)["media"] == {f"policies/{digest}.pdf": digest}
    if connection.vendor != "sqlite":
        return  # restoring into a new PostgreSQL database is test_backup's; the files' part is the same code
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    call_command("restore", str(archive), "--verify", "--database-url", f"sqlite:///{tmp_path / 'r.sqlite3'}")
    assert (tmp_path / "restored-media" / "policies" / f"{digest}.pdf").read_bytes() == PDF
    (tmp_path / "restored-media" / "policies" / f"{digest}.pdf").write_bytes(PDF + b"changed")
    problems = differences(
        read_manifest(archive), Target.from_url(f"sqlite:///{tmp_path / 'r.sqlite3'}"), settings.MEDIA_ROOT
    )
    assert problems == [f"media/policies/{digest}.pdf: contents differ"]
