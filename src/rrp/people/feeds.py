"""Applying the patient administration system's events to patients, spells and ward stays: admissions,
transfers, discharges, updates, their cancellations and merges. The one code path of both routes in:
the HL7 v2 ADT feed (``people.adt``: files and ``POST /api/adt``) and the CSV files of trusts without a
feed (``people.pas_imports``), so the two cannot give different stays for the same people.

Events are applied in order against the provider's records read once for the whole batch, and written
in bulk at the end, so a day's feed (or a 100,000-message back-load) is a few dozen queries, not a few
per message. An event that cannot be applied yet (a transfer before its admission, an unknown ward) is
*held* with the reason, never dropped; applying the same event twice changes nothing. Nothing is
deleted: a cancelled admission or transfer is kept, marked cancelled (``StandingManager``), and a merged
identity is kept, pointing to the one it was merged into (decision 0053).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.bulk import rows_insert
from rrp.core.models import AuditAction, AuditEvent
from rrp.core.services import audit_record, client_ip
from rrp.organisations.models import Provider, Ward
from rrp.people.models import HospitalSpell, Patient, WardStay
from rrp.people.services import bed_days_derive_from_stays

#: The patient's own details an event may carry (HL7 PID; the patients CSV).
DEMOGRAPHIC_FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth", "sex")
#: What a new patient needs (the NHS number may be unknown).
REQUIRED_TO_REGISTER = ("given_name", "family_name", "date_of_birth", "sex")
CHUNK = 5000
#: The columns of an applied event's audit row, written straight to the driver (decision 0069).
AUDIT_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "record_type",
    "record_id",
    "record_label",
    "patient_id",
    "provider_id",
    "ip_address",
    "path",
    "detail",
)


class EventKind(StrEnum):
    ADMIT = "admit"  # A01
    TRANSFER = "transfer"  # A02
    DISCHARGE = "discharge"  # A03
    UPDATE = "update"  # A08, or a row of the patients CSV
    CANCEL_ADMIT = "cancel_admit"  # A11
    CANCEL_TRANSFER = "cancel_transfer"  # A12
    CANCEL_DISCHARGE = "cancel_discharge"  # A13
    MERGE = "merge"  # A40


class Outcome(StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    HELD = "held"


@dataclass
class PasEvent:
    """One thing that happened in the patient administration system, as RRP reads it from either route.

    ``at`` is when it happened (aware); ``demographics`` holds any of DEMOGRAPHIC_FIELDS (the date of
    birth a date); ``prior_identifier`` is the identity merged away (A40's MRG-1)."""

    kind: EventKind
    local_identifier: str
    at: dt.datetime | None = None
    visit_number: str = ""
    ward_code: str = ""
    demographics: dict[str, Any] = field(default_factory=dict)
    prior_identifier: str = ""
    label: str = ""  # how reports name it: "message 3 (MSG0003)", "row 7"

    def to_json(self) -> dict[str, Any]:
        """The event as JSON, kept with a held message to apply it again later."""
        data = {name: getattr(self, name) for name in _EVENT_FIELDS}  # asdict's deep copy costs more
        data["demographics"] = dict(self.demographics)
        data["at"] = self.at.isoformat() if self.at else None
        born = self.demographics.get("date_of_birth")
        if born:
            data["demographics"] = {**self.demographics, "date_of_birth": born.isoformat()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PasEvent:
        values = dict(data)
        values["kind"] = EventKind(values["kind"])
        values["at"] = dt.datetime.fromisoformat(values["at"]) if values.get("at") else None
        demographics = dict(values.get("demographics") or {})
        if demographics.get("date_of_birth"):
            demographics["date_of_birth"] = dt.date.fromisoformat(demographics["date_of_birth"])
        values["demographics"] = demographics
        return cls(**values)


_EVENT_FIELDS = tuple(f.name for f in fields(PasEvent))


@dataclass
class EventResult:
    event: PasEvent
    outcome: Outcome
    reason: str = ""


class _Held(Exception):
    """The event cannot be applied now; the message says why, for the information team."""


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M")


class PasState:
    """A provider's patients, spells and stays that a batch of events names, read in a few queries and
    changed in memory; ``flush`` writes them in bulk."""

    def __init__(
        self,
        provider: Provider,
        events: Sequence[PasEvent],
        *,
        now: dt.datetime,
        held_visits: Iterable[str] = (),
    ) -> None:
        self.provider = provider
        self.now = now
        self.blocked = set(held_visits)  # visits with a held event: their later events wait behind it
        self.wards = {w.code: w for w in Ward.objects.filter(provider=provider)}
        identifiers = {e.local_identifier for e in events} | {e.prior_identifier for e in events} - {""}
        numbers = {e.demographics.get("nhs_number") for e in events} - {None, ""}
        self.patients: dict[str, Patient] = {}
        self.by_nhs_number: dict[str, Patient] = {}
        for chunk in _chunks(sorted(identifiers)):
            self._remember(Patient.objects.filter(provider=provider, local_identifier__in=chunk))
        for chunk in _chunks(sorted(numbers)):
            self._remember(Patient.objects.filter(provider=provider, nhs_number__in=chunk))
        visits = sorted({e.visit_number for e in events} - {""})
        self.spells: dict[str, HospitalSpell] = {}  # standing spells by visit number
        self.cancelled_visits: set[str] = set()
        self.open_spell_of: dict[int, HospitalSpell] = {}  # patient id -> their undischarged spell
        spells: list[HospitalSpell] = []
        for chunk in _chunks(visits):
            spells += HospitalSpell.all_rows.filter(provider=provider, visit_number__in=chunk)
        patient_ids = [p.pk for p in self.patients.values()]
        for chunk in _chunks(patient_ids):
            spells += HospitalSpell.objects.filter(
                provider=provider, patient_id__in=chunk, discharged_at__isnull=True
            )
        self.stays: dict[int, list[WardStay]] = defaultdict(list)  # spell id -> standing stays in order
        seen: set[int] = set()
        for spell in spells:
            if spell.pk in seen:
                continue
            seen.add(spell.pk)
            if spell.cancelled_at is not None:
                self.cancelled_visits.add(spell.visit_number)
                continue
            if spell.visit_number:
                self.spells[spell.visit_number] = spell
            if spell.discharged_at is None:
                self.open_spell_of[spell.patient_id] = spell
        standing = [s for s in spells if s.cancelled_at is None]
        by_id = {s.pk: s for s in standing}
        for chunk in _chunks(list(by_id)):
            for stay in WardStay.objects.filter(spell_id__in=chunk).order_by("started_at", "id"):
                stay.spell = by_id[stay.spell_id]
                self.stays[stay.spell_id].append(stay)
        self.new_patients: list[Patient] = []
        self.new_spells: list[HospitalSpell] = []
        self.new_stays: list[WardStay] = []
        self.changed: dict[type, dict[int, Any]] = defaultdict(dict)
        self.changed_fields: dict[type, set[str]] = defaultdict(set)
        self.audit: list[tuple[PasEvent, Patient, str, str]] = []  # (event, patient, action, what)
        self.touched_wards: dict[int, dt.date] = {}
        self.merges: list[tuple[Patient, Patient]] = []

    def _remember(self, patients: Iterable[Patient]) -> None:
        for patient in patients:
            self.patients[patient.local_identifier] = patient
            if patient.nhs_number:
                self.by_nhs_number[patient.nhs_number] = patient

    # -- changes, remembered for flush -------------------------------------------------------------

    def _change(self, obj: Any, **values: Any) -> bool:
        differs = {k: v for k, v in values.items() if getattr(obj, k) != v}
        if not differs:
            return False
        for name, value in differs.items():
            setattr(obj, name, value)
        if obj.pk is not None:
            self.changed[type(obj)][obj.pk] = obj
            self.changed_fields[type(obj)].update(differs)
        return True

    def _touch(self, ward_id: int, moment: dt.datetime | None) -> None:
        day = timezone.localtime(moment or self.now).date()
        self.touched_wards[ward_id] = min(day, self.touched_wards.get(ward_id, day))

    def _stays_of(self, spell: HospitalSpell) -> list[WardStay]:
        return self.stays[id(spell) if spell.pk is None else spell.pk]

    # -- the events --------------------------------------------------------------------------------

    def patient_for(self, event: PasEvent, *, create: bool) -> tuple[Patient, bool]:
        """The event's patient, its details brought up to date from the event; (patient, changed)."""
        patient = self.patients.get(event.local_identifier)
        details = {k: v for k, v in event.demographics.items() if v not in (None, "")}
        number = details.get("nhs_number")
        if number:
            other = self.by_nhs_number.get(number)
            if other is not None and other is not patient:
                raise _Held(
                    f"NHS number {number} belongs to patient {other.local_identifier}, not "
                    f"{event.local_identifier}: merge the two records (A40) or correct the number"
                )
        if patient is None:
            if not create:
                raise _Held(f"no patient has the identifier {event.local_identifier} yet")
            missing = [name.replace("_", " ") for name in REQUIRED_TO_REGISTER if name not in details]
            if len(missing) == len(REQUIRED_TO_REGISTER):
                raise _Held(f"no patient has the identifier {event.local_identifier} yet")
            if missing:
                raise _Held(
                    f"patient {event.local_identifier} is not known and the message lacks their {', '.join(missing)}"
                )
            patient = Patient(provider=self.provider, local_identifier=event.local_identifier, **details)
            self.new_patients.append(patient)
            self._remember([patient])
            return patient, True
        if patient.merged_into_id is not None:
            raise _Held(
                f"patient {event.local_identifier} was merged into another record: send the surviving identifier"
            )
        changed = self._change(patient, **details)
        if changed and number:
            self.by_nhs_number[number] = patient
        return patient, changed

    def apply(self, event: PasEvent) -> EventResult:
        visit = event.visit_number
        if visit and visit in self.blocked:
            # A visit's events keep their order: nothing after a held one is applied before it.
            return EventResult(event, Outcome.HELD, f"waits for an earlier held message of visit {visit}")
        try:
            handler = getattr(self, f"_{event.kind.value}")
            changed = handler(event)
        except _Held as held:
            if visit:
                self.blocked.add(visit)
            return EventResult(event, Outcome.HELD, str(held)[:300])
        return EventResult(event, Outcome.APPLIED if changed else Outcome.UNCHANGED)

    def _ward(self, event: PasEvent) -> Ward:
        ward = self.wards.get(event.ward_code)
        if ward is None:
            raise _Held(f"no ward of {self.provider.name} has the code {event.ward_code!r}")
        return ward

    def _spell(self, event: PasEvent, patient: Patient) -> HospitalSpell:
        spell = self.spells.get(event.visit_number)
        if spell is None:
            raise _Held(f"no admission with visit number {event.visit_number} has been received")
        if not _belongs(spell, patient):
            raise _Held(f"visit number {event.visit_number} belongs to another patient")
        return spell

    def _admit(self, event: PasEvent) -> bool:
        patient, details_changed = self.patient_for(event, create=True)
        ward = self._ward(event)
        spell = self.spells.get(event.visit_number)
        if spell is not None:
            stays = self._stays_of(spell)
            if (
                _belongs(spell, patient)
                and spell.admitted_at == event.at
                and stays
                and stays[0].ward_id == ward.pk
            ):
                return details_changed
            raise _Held(
                f"visit number {event.visit_number} was already admitted on {_when(spell.admitted_at)}"
            )
        key = id(patient) if patient.pk is None else patient.pk
        already = self.open_spell_of.get(key)
        if already is not None:
            raise _Held(
                f"patient {event.local_identifier} is still admitted (visit {already.visit_number}, "
                f"from {_when(already.admitted_at)}): a discharge has not been received"
            )
        spell = HospitalSpell(
            patient=patient, provider=self.provider, admitted_at=event.at, visit_number=event.visit_number
        )
        stay = WardStay(spell=spell, patient=patient, ward=ward, started_at=event.at)
        self.new_spells.append(spell)
        self.new_stays.append(stay)
        self.spells[event.visit_number] = spell
        self.stays[id(spell)] = [stay]
        self.open_spell_of[key] = spell
        self._touch(ward.pk, event.at)
        self._log(event, patient, AuditAction.CREATE, f"Admitted to {ward.name}")
        return True

    def _transfer(self, event: PasEvent) -> bool:
        patient, details_changed = self.patient_for(event, create=False)
        spell = self._spell(event, patient)
        ward = self._ward(event)
        stays = self._stays_of(spell)
        if any(s.ward_id == ward.pk and s.started_at == event.at for s in stays):
            return details_changed
        current = stays[-1]
        if spell.discharged_at is not None:
            raise _Held(
                f"visit {event.visit_number} was discharged on {_when(spell.discharged_at)}, before this transfer"
            )
        if event.at <= current.started_at:
            raise _Held(
                f"out of order: the transfer on {_when(event.at)} is not after the current stay began "
                f"({_when(current.started_at)})"
            )
        if current.ward_id == ward.pk:
            return details_changed  # a move of bed within the ward: the stay goes on
        self._change(current, ended_at=event.at)
        stay = WardStay(spell=spell, patient=patient, ward=ward, started_at=event.at)
        stays.append(stay)
        self.new_stays.append(stay)
        self._touch(current.ward_id, event.at)
        self._touch(ward.pk, event.at)
        self._log(event, patient, AuditAction.CHANGE, f"Transferred to {ward.name}")
        return True

    def _discharge(self, event: PasEvent) -> bool:
        patient, details_changed = self.patient_for(event, create=False)
        spell = self._spell(event, patient)
        if spell.discharged_at == event.at:
            return details_changed
        if spell.discharged_at is not None:
            raise _Held(f"visit {event.visit_number} was already discharged on {_when(spell.discharged_at)}")
        current = self._stays_of(spell)[-1]
        if event.at < current.started_at:
            raise _Held(
                f"out of order: the discharge on {_when(event.at)} is before the current stay began "
                f"({_when(current.started_at)})"
            )
        self._change(spell, discharged_at=event.at)
        self._change(current, ended_at=event.at)
        self.open_spell_of.pop(id(patient) if patient.pk is None else patient.pk, None)
        self._touch(current.ward_id, event.at)
        self._log(event, patient, AuditAction.CHANGE, "Discharged")
        return True

    def _update(self, event: PasEvent) -> bool:
        patient, changed = self.patient_for(event, create=True)
        if changed:
            self._log(event, patient, AuditAction.CHANGE if patient.pk else AuditAction.CREATE, "Details")
        return changed

    def _cancel_admit(self, event: PasEvent) -> bool:
        patient, _ = self.patient_for(event, create=False)
        if event.visit_number not in self.spells and event.visit_number in self.cancelled_visits:
            return False
        spell = self._spell(event, patient)
        stays = self._stays_of(spell)
        if spell.discharged_at is not None or len(stays) > 1:
            raise _Held(
                f"visit {event.visit_number} has later transfers or a discharge: cancel those first (A12, A13)"
            )
        self._change(spell, cancelled_at=self.now)
        for stay in stays:
            self._change(stay, cancelled_at=self.now)
            self._touch(stay.ward_id, stay.started_at)
        del self.spells[event.visit_number]
        self.cancelled_visits.add(event.visit_number)
        self.open_spell_of.pop(id(patient) if patient.pk is None else patient.pk, None)
        self._log(event, patient, AuditAction.CHANGE, "Admission cancelled")
        return True

    def _cancel_transfer(self, event: PasEvent) -> bool:
        patient, _ = self.patient_for(event, create=False)
        spell = self._spell(event, patient)
        stays = self._stays_of(spell)
        if spell.discharged_at is not None:
            raise _Held(f"visit {event.visit_number} has been discharged: cancel the discharge first (A13)")
        if len(stays) < 2:
            raise _Held(f"visit {event.visit_number} has no transfer to cancel")
        last, previous = stays.pop(), stays[-1]
        self._change(last, cancelled_at=self.now)  # written cancelled even if new in this batch
        self._change(previous, ended_at=None)
        self._touch(previous.ward_id, last.started_at)
        self._touch(last.ward_id, last.started_at)
        self._log(event, patient, AuditAction.CHANGE, "Transfer cancelled")
        return True

    def _cancel_discharge(self, event: PasEvent) -> bool:
        patient, _ = self.patient_for(event, create=False)
        spell = self._spell(event, patient)
        if spell.discharged_at is None:
            return False
        key = id(patient) if patient.pk is None else patient.pk
        if key in self.open_spell_of:
            raise _Held(f"patient {event.local_identifier} has been admitted again since this discharge")
        last = self._stays_of(spell)[-1]
        if last.ended_at == spell.discharged_at:
            self._change(last, ended_at=None)
        self._touch(last.ward_id, spell.discharged_at)
        self._change(spell, discharged_at=None)
        self.open_spell_of[key] = spell
        self._log(event, patient, AuditAction.CHANGE, "Discharge cancelled")
        return True

    def _merge(self, event: PasEvent) -> bool:
        prior = self.patients.get(event.prior_identifier)
        number = event.demographics.get("nhs_number")
        if number and prior is not None and self.by_nhs_number.get(number) is prior:
            # The NHS number of the record merged away: patient_merge moves it to the record kept.
            event.demographics = {k: v for k, v in event.demographics.items() if k != "nhs_number"}
        surviving, _ = self.patient_for(event, create=True)
        if prior is None:
            raise _Held(f"no patient has the identifier {event.prior_identifier} to merge")
        if prior is surviving:
            raise _Held("the two identifiers of the merge are the same patient")
        if prior.merged_into_id is not None:
            if prior.merged_into_id == surviving.pk:
                return False
            raise _Held(f"patient {event.prior_identifier} was already merged into another record")
        self.merges.append((prior, surviving))
        prior.merged_into_id = -1  # merged in this batch; written by flush
        return True

    def _log(self, event: PasEvent, patient: Patient, action: str, what: str) -> None:
        # The patient's id is known only after flush writes new patients.
        self.audit.append((event, patient, action, what))

    # -- writing ------------------------------------------------------------------------------------

    def flush(self, *, by: User | None, request: HttpRequest | None) -> None:
        """Write every change in bulk: new patients, spells and stays, then changed rows, then the
        audit rows (one per event applied), merges and the bed days of the wards touched."""
        for prior, _ in self.merges:
            prior.merged_into_id = None  # marked -1 while the batch ran; patient_merge writes it
        Patient.objects.bulk_create(self.new_patients, batch_size=1000)
        HospitalSpell.objects.bulk_create(self.new_spells, batch_size=1000)
        WardStay.objects.bulk_create(self.new_stays, batch_size=1000)
        for model, rows in self.changed.items():
            if rows:
                manager = model.all_rows if hasattr(model, "all_rows") else model.objects
                manager.bulk_update(list(rows.values()), sorted(self.changed_fields[model]), batch_size=1000)
        actor = by if by is not None and by.is_authenticated else None
        who = (actor.pk, actor.get_username(), getattr(actor, "role", "")) if actor else (None, "", "")
        where = (client_ip(request), request.path[:300] if request is not None else "")
        provider_id = self.provider.pk
        rows_insert(
            AuditEvent,
            AUDIT_FIELDS,
            (
                (
                    timezone.now(),
                    *who,
                    action,
                    "people.Patient",
                    str(patient.pk),
                    f"{what} ({event.label or event.kind.value})"[:200],
                    patient.pk,
                    provider_id,
                    *where,
                    {"event": event.kind.value, "visit_number": event.visit_number, "ward": event.ward_code},
                )
                for event, patient, action, what in self.audit
            ),
        )
        for prior, surviving in self.merges:
            patient_merge(prior=prior, surviving=surviving, by=by, request=request, reason="HL7 A40 merge")
        if self.touched_wards:
            today = timezone.localdate()
            wards = {w.pk: w for w in self.wards.values()}
            by_start: dict[dt.date, list[Ward]] = defaultdict(list)
            for ward_id, first in self.touched_wards.items():
                by_start[min(first, today)].append(wards[ward_id])
            for first, touched in sorted(by_start.items()):
                bed_days_derive_from_stays(wards=touched, first_day=first, last_day=today)


def _belongs(spell: HospitalSpell, patient: Patient) -> bool:
    """Whether the spell is the patient's (either may be new in this batch, without an id yet)."""
    if spell.patient_id is not None and patient.pk is not None:
        return spell.patient_id == patient.pk
    return spell.patient is patient


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@transaction.atomic
def pas_events_apply(
    *,
    provider: Provider,
    events: Sequence[PasEvent],
    by: User | None,
    request: HttpRequest | None = None,
    held_visits: Iterable[str] = (),
) -> list[EventResult]:
    """Apply the events in order to the provider's patients, spells and ward stays, in one transaction:
    each is applied, found already applied (nothing changes), or held with the reason; an event of a
    visit with an earlier event held (in this batch or in ``held_visits``) is held behind it. Occupied
    bed days of every ward touched are derived again from its stays, from the earliest day changed."""
    state = PasState(provider, events, now=timezone.now(), held_visits=held_visits)
    results = [state.apply(event) for event in events]
    state.flush(by=by, request=request)
    return results


@transaction.atomic
def patient_merge(
    *, prior: Patient, surviving: Patient, by: User | None, reason: str, request: HttpRequest | None = None
) -> None:
    """Merge ``prior`` into ``surviving``: the spells and ward stays move to the surviving identity (so
    they are counted once), and ``prior`` is kept, marked merged into it, with every record that names
    it and its audit trail. Nothing is deleted. Audited on both identities."""
    if prior.pk == surviving.pk or prior.provider_id != surviving.provider_id:
        raise ValueError("A patient can only be merged into another patient of the same provider")
    Patient.objects.select_for_update().filter(pk__in=[prior.pk, surviving.pk]).first()
    now = timezone.now()
    moved_spells = HospitalSpell.all_rows.filter(patient=prior).update(patient=surviving)
    moved_stays = WardStay.all_rows.filter(patient=prior).update(patient=surviving)
    detail: dict[str, object] = {"reason": reason, "spells_moved": moved_spells, "stays_moved": moved_stays}
    number = prior.nhs_number
    Patient.objects.filter(pk=prior.pk).update(
        merged_into=surviving, merged_at=now, nhs_number="" if number and not surviving.nhs_number else number
    )
    if number and not surviving.nhs_number:
        # One NHS number per patient of a provider: the record kept takes it (the audit keeps where from).
        Patient.objects.filter(pk=surviving.pk).update(nhs_number=number)
        prior.nhs_number, surviving.nhs_number = "", number
        detail["nhs_number_moved"] = True
    prior.merged_into, prior.merged_at = surviving, now
    for patient, label in (
        (prior, f"Merged into patient {surviving.local_identifier}"),
        (surviving, f"Patient {prior.local_identifier} merged into this record"),
    ):
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            record=patient,
            record_label=label,
            patient_id=patient.pk,
            provider_id=patient.provider_id,
            request=request,
            detail={**detail, "prior_id": prior.pk, "surviving_id": surviving.pk},
        )
