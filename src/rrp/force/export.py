"""The proposed CQC "notify within 72 hours" export of uses of force. OFF by default.

The Mental Health Units (Use of Force) Act 2018 guidance and CQC have proposed that providers tell
CQC of each use of force within 72 hours. The duty does not exist yet, so the export is switched off
unless settings.RRP_CQC_72H_EXPORT is true (environment variable RRP_CQC_72H_EXPORT=1), and its
layout is ours until CQC publishes one.

One row per use of force: an incident and one category of force (physical, mechanical, chemical,
isolation = seclusion or segregation), from the incident's latest version, whose first intervention
of that category started in the window. No patient name or NHS number: the patient is a keyed hash
(HMAC-SHA256 with settings.PSEUDONYM_KEY), stable between exports so repeats can be counted but not
reversed. Every export is audited (EXPORT) with the incident ids it contains, before the file is
written, so a failed audit write writes no file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from rrp.core.csv_export import write_csv
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.force.codes import ForceCategory, category_of
from rrp.force.models import Incident, IncidentVersion, InterventionRecord
from rrp.organisations.models import Provider

DEFAULT_WINDOW = dt.timedelta(hours=72)

# The export's four categories: the Act's isolation covers seclusion and segregation.
EXPORT_CATEGORY: dict[ForceCategory, str] = {
    ForceCategory.PHYSICAL: "physical",
    ForceCategory.MECHANICAL: "mechanical",
    ForceCategory.CHEMICAL: "chemical",
    ForceCategory.SECLUSION: "isolation",
    ForceCategory.SEGREGATION: "isolation",
}
CATEGORY_ORDER = ("physical", "mechanical", "chemical", "isolation")

COLUMNS = (
    "incident_id",
    "provider_ods",
    "ward_code",
    "patient_key",
    "category",
    "type_codes",
    "started_at",
    "ended_at",
    "in_care_plan",
    "incident_status",
    "hours_since_start",
)


class ExportSwitchedOff(Exception):
    """The export was asked for while settings.RRP_CQC_72H_EXPORT is off."""


def export_enabled() -> bool:
    return bool(getattr(settings, "RRP_CQC_72H_EXPORT", False))


def patient_key(patient_id: int) -> str:
    """A stable pseudonym for a patient: HMAC-SHA256 of the id with settings.PSEUDONYM_KEY (the same
    scheme as the segregation register's pseudonyms), so it cannot be reversed without the key."""
    digest = hmac.new(settings.PSEUDONYM_KEY.encode(), f"patient:{patient_id}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10].upper()


@dataclass(frozen=True)
class UseOfForceRow:
    incident_id: int
    provider_ods: str
    ward_code: str
    patient_key: str
    category: str
    type_codes: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    in_care_plan: str
    incident_status: str
    hours_since_start: float

    def as_csv(self) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in COLUMNS}
        row["started_at"] = self.started_at.isoformat()
        row["ended_at"] = self.ended_at.isoformat() if self.ended_at else ""
        row["hours_since_start"] = f"{self.hours_since_start:.1f}"
        return row


def _care_plan(values: list[bool | None]) -> str:
    """yes when every intervention of the category is in the care plan, no when any is not, else blank."""
    if any(v is False for v in values):
        return "no"
    if values and all(v is True for v in values):
        return "yes"
    return "not recorded"


def uses_of_force(
    *, interventions: Iterable[Any], incident: Any, at: dt.datetime, since: dt.datetime
) -> list[UseOfForceRow]:
    """The rows of one incident (annotated with ``current_patient_id``): its latest version's interventions
    grouped by category, kept when the category's first start is in [since, at]. A category still going
    (any open end) has no end."""
    groups: dict[str, list[Any]] = {}
    for item in interventions:
        groups.setdefault(EXPORT_CATEGORY[category_of(item.type_code)], []).append(item)
    rows = []
    for category in CATEGORY_ORDER:
        items = groups.get(category)
        if not items:
            continue
        started = min(i.started_at for i in items)
        if not (since <= started <= at):
            continue
        ends = [i.ended_at for i in items]
        rows.append(
            UseOfForceRow(
                incident_id=incident.pk,
                provider_ods=incident.provider.ods_code,
                ward_code=incident.ward.code,
                patient_key=patient_key(incident.current_patient_id),
                category=category,
                type_codes=" ".join(sorted({i.type_code for i in items})),
                started_at=started,
                ended_at=None if any(e is None for e in ends) else max(ends),
                in_care_plan=_care_plan([i.in_care_plan for i in items]),
                incident_status=incident.status,
                hours_since_start=(at - started).total_seconds() / 3600,
            )
        )
    return rows


def cqc_72h_rows(
    *, provider: Provider | None = None, since: dt.datetime, at: dt.datetime
) -> list[UseOfForceRow]:
    """Every use of force that started in [since, at], of one provider or all, oldest first."""
    latest = IncidentVersion.objects.filter(incident=OuterRef("version__incident")).order_by("-number")
    interventions = (
        InterventionRecord.objects.filter(version_id=Subquery(latest.values("pk")[:1]))
        .not_voided()  # voided incidents and duplicates are never exported
        .filter(started_at__lte=at)
        .select_related("version")
    )
    if provider is not None:
        interventions = interventions.filter(version__incident__provider=provider)
    # Read the incidents with an intervention starting up to `at` and not too long before `since`
    # (a category's first start decides the window, so read every intervention of those incidents).
    incident_ids = set(
        interventions.filter(started_at__gte=since).values_list("version__incident_id", flat=True)
    )
    by_incident: dict[int, list[InterventionRecord]] = {}
    for item in interventions.filter(version__incident_id__in=incident_ids):
        by_incident.setdefault(item.version.incident_id, []).append(item)
    incidents = (
        Incident.objects.filter(pk__in=incident_ids)
        .with_status()
        # The current patient (decision 0021): a corrected incident is keyed to the right one.
        .with_current_version(current_patient_id="patient_id")
        .select_related("provider", "ward")
    )
    rows = []
    for incident in incidents:
        rows.extend(
            uses_of_force(
                interventions=by_incident.get(incident.pk, []), incident=incident, at=at, since=since
            )
        )
    return sorted(rows, key=lambda r: (r.started_at, r.incident_id, CATEGORY_ORDER.index(r.category)))


@transaction.atomic
def cqc_72h_export(
    *,
    output: Path,
    provider_ods: str | None = None,
    since: dt.datetime | None = None,
    at: dt.datetime | None = None,
    by: Any = None,
) -> int:
    """Write the CQC 72-hour export to `output` (CSV) and audit it; return the number of rows.

    Raises ExportSwitchedOff when the setting is off, and ValueError naming the provider when its ODS
    code is unknown. `since` defaults to 72 hours before `at` (now).
    """
    if not export_enabled():
        raise ExportSwitchedOff(
            "The CQC 72-hour export is switched off: it prepares for a proposed CQC duty that is not in "
            "force. Set RRP_CQC_72H_EXPORT=1 to switch it on."
        )
    at = at or timezone.now()
    since = since if since is not None else at - DEFAULT_WINDOW
    provider = None
    if provider_ods:
        provider = Provider.objects.filter(ods_code__iexact=provider_ods.strip()).first()
        if provider is None:
            raise ValueError(f"--provider: no provider has the ODS code {provider_ods!r}")
    rows = cqc_72h_rows(provider=provider, since=since, at=at)
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        record_type="force.Incident",
        record_label=f"CQC 72-hour use-of-force export ({len(rows)} rows)",
        provider_id=provider.pk if provider else None,
        detail={
            "export": "cqc_72h",
            "provider_ods": provider.ods_code if provider else "",
            "since": since.isoformat(),
            "at": at.isoformat(),
            "rows": len(rows),
            "incident_ids": sorted({r.incident_id for r in rows}),
            "output": str(output),
        },
    )
    with Path(output).open("w", newline="", encoding="utf-8") as handle:
        write_csv(handle, (row.as_csv() for row in rows), header=COLUMNS)
    return len(rows)
