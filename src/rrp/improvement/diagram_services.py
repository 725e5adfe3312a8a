"""The change package and driver diagrams (issue 14, items 2 and 3): adding change ideas, and saving a
project's driver diagram as a new version. Keyword arguments only, ``by`` the acting user; audited in the
same transaction; bad input is a ``ValidationError`` naming the field, nothing saved.

A driver diagram is written as an outline, one line each, which works in any browser without
JavaScript and reads in order with a screen reader:

    Staff notice and act on rising tension early          <- a primary driver (no mark)
    - Daily safety huddle names the patients at risk      <- a secondary driver ("- ")
      * Safety huddles                                    <- a change idea ("* "), under the secondary

A change idea whose text is the title of an idea in the change package is linked to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from rrp.accounts.models import User
from rrp.accounts.permissions import has_permission
from rrp.accounts.roles import Permission
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.improvement.change_package import STARTER_IDEAS
from rrp.improvement.models import ChangeIdea, DriverDiagramVersion, QiProject
from rrp.improvement.project_services import (
    may_manage_wards,
    no_nhs_number,
    project_idea_filter,
    project_wards,
)
from rrp.organisations.models import Provider

Errors = dict[str, list[str]]
LINE_LIMIT = 200
MARK = re.compile(r"^\s*([-*+])\s+(.*)$")


def ensure_starter_package() -> int:
    """Create the starter change ideas that are missing (by title); the number created. The migration
    loads them once; the demo and tests call this after emptying the tables."""
    now = timezone.now()
    created = 0
    for title, driver, tags, description, source, url in STARTER_IDEAS:
        _idea, made = ChangeIdea.objects.get_or_create(
            title=title,
            provider=None,
            collaborative=None,
            defaults={
                "driver": driver,
                "tags": tags,
                "description": description,
                "source": source,
                "source_url": url,
                "created_at": now,
            },
        )
        created += made
    return created


@transaction.atomic
def change_idea_add(
    *,
    provider: Provider,
    title: str,
    description: str,
    source: str,
    driver: str,
    tags: str = "",
    source_url: str = "",
    by: User,
) -> ChangeIdea:
    """Add a change idea to the provider's own package (its wards see it beside the starter set)."""
    if not has_permission(by, Permission.QI_PROJECT_MANAGE, provider=provider):
        raise PermissionDenied
    errors: Errors = {}
    values = {"title": title, "description": description, "source": source, "driver": driver}
    messages = {
        "title": "Enter the change idea's title",
        "description": "Say what the change is",
        "source": "Say where the idea or its evidence comes from",
        "driver": "Say which driver the idea serves",
    }
    for field, value in values.items():
        if not (value or "").strip():
            errors.setdefault(field, []).append(messages[field])
        no_nhs_number(errors, field, value)
    title = (title or "").strip()
    if len(title) > 80:
        errors.setdefault("title", []).append("The title must be 80 characters or fewer")
    if title and (
        ChangeIdea.objects.filter(title__iexact=title)
        .filter(models.Q(provider__isnull=True, collaborative__isnull=True) | models.Q(provider=provider))
        .exists()
    ):
        errors.setdefault("title", []).append("There is already a change idea with this title")
    if errors:
        raise ValidationError(errors)
    idea = ChangeIdea.objects.create(
        provider=provider,
        title=title,
        description=description.strip(),
        source=source.strip(),
        source_url=(source_url or "").strip(),
        driver=driver.strip(),
        tags=(tags or "").strip(),
        created_by=by,
        created_at=timezone.now(),
    )
    audit_record(actor=by, action=AuditAction.CREATE, record=idea, provider_id=provider.pk)
    return idea


@dataclass(frozen=True)
class ParsedDiagram:
    content: dict
    idea_ids: list[int]


def parse_outline(outline: str, *, ideas: dict[str, int]) -> ParsedDiagram:
    """Read the outline (see the module) into the diagram's content; ``ideas`` maps lower-case titles of
    the change ideas the project may use to their ids. Problems raise ``ValidationError`` on ``outline``,
    naming the line."""
    errors: list[str] = []
    primary: list[dict] = []
    linked: list[int] = []
    for number, raw in enumerate((outline or "").splitlines(), start=1):
        if not raw.strip():
            continue
        match = MARK.match(raw)
        mark, text = (match.group(1), match.group(2).strip()) if match else ("", raw.strip())
        if len(text) > LINE_LIMIT:
            errors.append(f"Line {number} is longer than {LINE_LIMIT} characters: shorten it")
            continue
        if mark == "":
            primary.append({"text": text, "secondary": []})
        elif mark == "-":
            if not primary:
                errors.append(
                    f"Line {number} is a secondary driver (\u201c- \u201d) before any primary driver"
                )
                continue
            primary[-1]["secondary"].append({"text": text, "ideas": []})
        else:
            if not primary or not primary[-1]["secondary"]:
                errors.append(f"Line {number} is a change idea (\u201c* \u201d) before any secondary driver")
                continue
            idea_id = ideas.get(text.lower())
            if idea_id is not None:
                linked.append(idea_id)
            primary[-1]["secondary"][-1]["ideas"].append({"text": text, "idea_id": idea_id})
    if not primary and not errors:
        errors.append("Write at least one primary driver")
    if errors:
        raise ValidationError({"outline": errors})
    return ParsedDiagram({"primary": primary}, linked)


def ideas_for_project(project: QiProject) -> dict[str, int]:
    """Lower-case titles of the change ideas a project's diagram may link to: those offered to its
    cycles (``project_idea_filter``); a starter or provider idea wins over a collaborative's of the same
    title."""
    rows = (
        ChangeIdea.objects.filter(project_idea_filter(project, offered_only=True))
        .order_by()
        .values_list("title", "pk", "collaborative_id")
    )
    out: dict[str, int] = {}
    for title, pk, collaborative_id in rows:
        if collaborative_id is None or title.lower() not in out:
            out[title.lower()] = pk
    return out


@transaction.atomic
def diagram_save(*, project: QiProject, outline: str, note: str = "", by: User) -> DriverDiagramVersion:
    """Save the driver diagram as the project's next version (the earlier ones are kept)."""
    if not may_manage_wards(by, project_wards(project)):
        raise PermissionDenied
    errors: Errors = {}
    no_nhs_number(errors, "outline", outline)
    no_nhs_number(errors, "note", note)
    if len((note or "").strip()) > 200:
        errors.setdefault("note", []).append("The note must be 200 characters or fewer")
    if errors:
        raise ValidationError(errors)
    parsed = parse_outline(outline, ideas=ideas_for_project(project))
    locked = QiProject.objects.select_for_update().get(pk=project.pk)
    latest = locked.diagram_versions.order_by("-number").first()
    if latest is not None and latest.content == parsed.content:
        raise ValidationError({"outline": ["Nothing has changed since the latest version"]})
    version = DriverDiagramVersion.objects.create(
        project=locked,
        number=(latest.number + 1) if latest else 1,
        content=parsed.content,
        outline="\n".join(line.rstrip() for line in outline.strip().splitlines()),
        note=(note or "").strip(),
        saved_by=by,
        saved_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        record=locked,
        provider_id=locked.provider_id,
        detail={"driver_diagram_version": version.number},
    )
    return version
