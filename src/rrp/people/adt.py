"""HL7 v2 ADT from a provider's patient administration system: reading messages (with the kept `hl7`
library, decision 0053), applying them through ``people.feeds`` in order and once each by message control
id (MSH-10), holding those that cannot be applied yet in a queue the information team sees, and
answering each with an HL7 acknowledgement.

Read: A01 admit, A02 transfer, A03 discharge, A08 update, A11/A12/A13 cancel the admission, transfer or
discharge, A40 merge. Fields (layout and examples in docs/imports.md):
MSH-9 message type, MSH-10 control id; EVN-2 recorded and EVN-6 occurred; PID-3 identifiers (the
provider's own, and the NHS number as type NH), PID-5 name, PID-7 date of birth, PID-8 sex; PV1-3.1 the
ward's code in RRP, PV1-19 visit number, PV1-44/45 admitted and discharged; MRG-1 the merged identifier.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import hl7
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from rrp.accounts.models import User
from rrp.core.bulk import rows_insert
from rrp.core.models import AuditAction
from rrp.core.services import audit_record
from rrp.core.validation.files import FileProblem, read_text_file
from rrp.organisations.models import Provider
from rrp.people.codes import Sex
from rrp.people.feeds import EventKind, EventResult, Outcome, PasEvent, pas_events_apply
from rrp.people.models import FeedMessage, FeedStatus
from rrp.people.validation import InvalidNhsNumber, validate_nhs_number

TRIGGERS: dict[str, EventKind] = {
    "A01": EventKind.ADMIT,
    "A02": EventKind.TRANSFER,
    "A03": EventKind.DISCHARGE,
    "A08": EventKind.UPDATE,
    "A11": EventKind.CANCEL_ADMIT,
    "A12": EventKind.CANCEL_TRANSFER,
    "A13": EventKind.CANCEL_DISCHARGE,
    "A40": EventKind.MERGE,
}
#: HL7 administrative sex (table 0001) to the MHSDS code RRP keeps.
SEXES = {
    "M": Sex.MALE,
    "F": Sex.FEMALE,
    "A": Sex.INDETERMINATE,
    "O": Sex.NOT_KNOWN,
    "U": Sex.NOT_KNOWN,
    "N": Sex.NOT_KNOWN,
}
FIELD_NAMES = {
    ("MSH", 9): "message type",
    ("MSH", 10): "message control id",
    ("PID", 3): "patient identifiers",
    ("PID", 5): "patient name",
    ("PID", 7): "date of birth",
    ("PID", 8): "administrative sex",
    ("PV1", 3): "assigned location (the ward's code)",
    ("PV1", 19): "visit number",
    ("PV1", 44): "admit date/time",
    ("PV1", 45): "discharge date/time",
    ("EVN", 2): "recorded date/time",
    ("EVN", 6): "event occurred",
    ("MRG", 1): "prior patient identifier",
}
#: The columns of each message's row in the feed's log, written straight to the driver (decision 0069).
FEED_MESSAGE_FIELDS = (
    "provider",
    "control_id",
    "message_type",
    "received_at",
    "event_at",
    "local_identifier",
    "visit_number",
    "ward_code",
    "event",
    "text",
    "status",
    "reason",
)
#: The fields RRP reads of each segment other than the header, which is read up to MSH-12 (the fields the
#: module docstring names); every other field and segment is left unparsed (decision 0069).
READ_FIELDS: dict[str, tuple[int, ...]] = {
    "EVN": (1, 2, 6),
    "PID": (3, 5, 7, 8),
    "PV1": (3, 19, 44, 45),
    "MRG": (1,),
}
MSH_FIELDS = 12
#: Escapes text for a field of RRP's own messages (the standard separators).
_ESCAPER = hl7.parse("MSH|^~\\&|RRP")
_TIMESTAMP = re.compile(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?$")


class MessageProblem(ValueError):
    """A message RRP cannot read, naming where: message number, control id, segment and field."""

    def __init__(
        self,
        reason: str,
        *,
        segment: str = "",
        field: int = 0,
        number: int = 0,
        control_id: str = "",
        code: str = "AE",
    ) -> None:
        self.reason, self.segment, self.field = reason, segment, field
        self.number, self.control_id, self.code = number, control_id, code
        super().__init__(reason)

    @property
    def where(self) -> str:
        if not self.segment:
            return ""
        name = FIELD_NAMES.get((self.segment, self.field), "")
        return f"segment {self.segment}, field {self.field}" + (f" ({name})" if name else "")

    def __str__(self) -> str:
        message = f"Message {self.number}" + (f" ({self.control_id})" if self.control_id else "")
        return f"{message}: {self.where + ': ' if self.where else ''}{self.reason}"


class AdtRejected(Exception):
    """A file with malformed messages: none of it was applied."""

    def __init__(self, problems: list[MessageProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} malformed message(s); nothing was applied.")


@dataclass
class AdtMessage:
    number: int
    control_id: str
    message_type: str
    text: str
    event: PasEvent | None  # None: a type RRP does not read


def split_messages(text: str) -> list[str]:
    """The messages of a file, each with its segments joined by carriage returns (files hold them with
    CR, LF or CRLF; batch and file header and trailer segments are left out)."""
    messages: list[list[str]] = []
    for line in re.split(r"\r\n|\r|\n", text.lstrip("\ufeff")):
        line = line.strip("\x0b\x1c ")  # MLLP framing characters, if a capture kept them
        if not line or line[:3] in ("FHS", "BHS", "BTS", "FTS"):
            continue
        if line.startswith("MSH") or not messages:
            messages.append([])
        messages[-1].append(line)
    return ["\r".join(segments) for segments in messages]


class _Segments:
    """The segments RRP reads of one message (the first MSH, EVN, PID, PV1 and MRG), parsed by the kept
    library. Before the library parses them, the message is cut down to those segments and each segment
    to the fields RRP reads (``READ_FIELDS``), split on the message's own field separator as the library
    itself splits a segment: building the library's tree of every field of every segment cost more than
    all the rest of reading a message (decision 0069). Escapes, repetitions and components are the
    library's, so a field reads exactly as it did from the whole message."""

    def __init__(self, text: str) -> None:
        stripped = text.strip()  # as the library's parse does
        self.segments: dict[str, hl7.Segment] = {}
        self.places: dict[str, dict[int, int]] = {}  # a field's number -> its place in the cut-down segment
        if stripped[:3] != "MSH" or len(stripped) < 4:
            # Not a message header: the library's own parse refuses it (or reads what it can).
            for segment in hl7.parse(text):
                self.segments.setdefault(_name(segment), segment)
            return
        separator = stripped[3]
        lines: list[str] = []
        for line in stripped.split("\r"):
            fields = line.split(separator)
            name = fields[0]
            if not lines:
                lines.append(separator.join(fields[:MSH_FIELDS]))  # the header, with its separators
            elif name in READ_FIELDS and name not in self.places and len(fields) > 1:
                # (a bare "PID" line is no PID segment to the library either: its id reads as "P")
                wanted = READ_FIELDS[name]
                lines.append(separator.join([name, *(fields[f] if f < len(fields) else "" for f in wanted)]))
                self.places[name] = {f: place for place, f in enumerate(wanted, start=1)}
        for segment in hl7.parse("\r".join(lines)):
            self.segments[_name(segment)] = segment

    def value(self, segment: str, field: int, component: int = 1, repeat: int = 1) -> str:
        """The field's text (its first component and repetition unless told), unescaped; "" if absent."""
        found = self.segments.get(segment)
        if found is None:
            return ""
        places = self.places.get(segment)
        try:
            place = field if places is None else places[field]
            return str(found.extract_field(1, place, repeat, component) or "").strip()
        except (KeyError, IndexError):
            return ""

    def has(self, segment: str) -> bool:
        return segment in self.segments


def _name(segment: hl7.Segment) -> str:
    """A parsed segment's id, as the library's ``Message.segments`` compares it ("" for an empty line)."""
    try:
        return str(segment[0][0])
    except IndexError:
        return ""


def _timestamp(value: str, segment: str, field: int, *, need_time: bool = True) -> dt.datetime:
    match = _TIMESTAMP.match(value)
    if not match or (need_time and match.group(2) is None):
        raise MessageProblem(
            f"{value!r} is not an HL7 date and time (YYYYMMDDHHMM, seconds and an offset such as +0100 allowed)",
            segment=segment,
            field=field,
        )
    day, hour, minute, _, offset = match.groups()
    try:
        naive = dt.datetime(int(day[:4]), int(day[4:6]), int(day[6:]), int(hour or 0), int(minute or 0))
    except ValueError:
        raise MessageProblem(f"{value!r} is not a real date", segment=segment, field=field) from None
    if offset:
        sign = 1 if offset[0] == "+" else -1
        zone = dt.timezone(sign * dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        moment = naive.replace(tzinfo=zone)
    else:
        moment = timezone.make_aware(naive)  # UK local time, as the ward's clock shows it
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise MessageProblem(f"{value!r} is in the future", segment=segment, field=field)
    return moment


def _first_time(message: _Segments, *places: tuple[str, int]) -> dt.datetime:
    for segment, field in places:
        value = message.value(segment, field)
        if value:
            return _timestamp(value, segment, field)
    segment, field = places[0]
    raise MessageProblem(
        "missing: the message says when the event happened in none of "
        + ", ".join(f"{s}-{f}" for s, f in places),
        segment=segment,
        field=field,
    )


def _required(message: _Segments, segment: str, field: int, component: int = 1) -> str:
    if not message.has(segment):
        raise MessageProblem(f"the message has no {segment} segment", segment=segment, field=field)
    value = message.value(segment, field, component)
    if not value:
        raise MessageProblem("missing", segment=segment, field=field)
    return value


def _identifiers(message: _Segments) -> tuple[str, str]:
    """(the provider's identifier, the NHS number or "") from PID-3's repetitions."""
    if not message.has("PID"):
        raise MessageProblem("the message has no PID segment", segment="PID", field=3)
    local, nhs = "", ""
    for repeat in range(1, 10):
        value = message.value("PID", 3, 1, repeat)
        kind = message.value("PID", 3, 5, repeat).upper()
        if not value:
            if repeat > 1:
                break
            continue
        if kind == "NH":
            try:
                nhs = validate_nhs_number(value)
            except InvalidNhsNumber as problem:
                raise MessageProblem(f"{value!r}: {problem}", segment="PID", field=3) from None
        elif not local:
            local = value
    if not local:
        raise MessageProblem(
            "missing: no identifier of the provider's own (type MR or PI)", segment="PID", field=3
        )
    if len(local) > 30:
        raise MessageProblem(f"{local!r} is longer than 30 characters", segment="PID", field=3)
    return local, nhs


def _demographics(message: _Segments, *, required: bool) -> dict[str, object]:
    details: dict[str, object] = {}
    family, given = message.value("PID", 5, 1), message.value("PID", 5, 2)
    born, sex = message.value("PID", 7), message.value("PID", 8).upper()
    if required and not (family and given):
        raise MessageProblem("missing: the family and given names (family^given)", segment="PID", field=5)
    if family or given:
        if len(family) > 100 or len(given) > 100:
            raise MessageProblem("a name is longer than 100 characters", segment="PID", field=5)
        details.update(family_name=family, given_name=given)
    if required and not born:
        raise MessageProblem("missing", segment="PID", field=7)
    if born:
        details["date_of_birth"] = _timestamp(born, "PID", 7, need_time=False).date()
    if required and not sex:
        raise MessageProblem("missing", segment="PID", field=8)
    if sex:
        if sex not in SEXES:
            raise MessageProblem(f"{sex!r} is not an HL7 sex code (M, F, A, O, U, N)", segment="PID", field=8)
        details["sex"] = str(SEXES[sex])
    return details


def _event(message: _Segments, kind: EventKind, *, label: str) -> PasEvent:
    """The event a readable ADT message of a type RRP reads describes."""
    local, nhs = _identifiers(message)
    event = PasEvent(kind=kind, local_identifier=local, label=label)
    event.demographics = _demographics(message, required=kind is EventKind.ADMIT)
    if nhs:
        event.demographics["nhs_number"] = nhs
    if kind in (EventKind.ADMIT, EventKind.TRANSFER):
        event.ward_code = _required(message, "PV1", 3)
    if kind not in (EventKind.UPDATE, EventKind.MERGE):
        event.visit_number = _required(message, "PV1", 19)
        if len(event.visit_number) > 30:
            raise MessageProblem("longer than 30 characters", segment="PV1", field=19)
    if kind is EventKind.ADMIT:
        event.at = _first_time(message, ("PV1", 44), ("EVN", 6), ("EVN", 2))
    elif kind is EventKind.TRANSFER:
        event.at = _first_time(message, ("EVN", 6), ("EVN", 2))
    elif kind is EventKind.DISCHARGE:
        event.at = _first_time(message, ("PV1", 45), ("EVN", 6), ("EVN", 2))
    elif kind is EventKind.MERGE:
        event.prior_identifier = _required(message, "MRG", 1)
    return event


def read_message(text: str, number: int) -> AdtMessage:
    """Read one message; MessageProblem naming the segment and field if it cannot be read."""
    control_id = ""
    try:
        try:
            message = _Segments(text)
        except Exception as problem:  # the library's parse errors have no common base
            raise MessageProblem(f"not an HL7 v2 message ({problem})", segment="MSH", field=1) from None
        control_id = message.value("MSH", 10)
        if not control_id:
            raise MessageProblem("missing", segment="MSH", field=10)
        if len(control_id) > 50:
            raise MessageProblem("longer than 50 characters", segment="MSH", field=10)
        kind, trigger = (
            message.value("MSH", 9, 1),
            message.value("MSH", 9, 2) or message.value("EVN", 1),
        )
        message_type = f"{kind}^{trigger}"
        if kind != "ADT" or trigger not in TRIGGERS:
            return AdtMessage(number, control_id, message_type, text, None)
        event = _event(message, TRIGGERS[trigger], label=f"message {number} ({control_id})")
        return AdtMessage(number, control_id, message_type, text, event)
    except MessageProblem as problem:
        problem.number, problem.control_id = number, control_id
        raise


def read_messages(text: str) -> list[AdtMessage]:
    """Every message of a file; AdtRejected listing every malformed one (none is applied)."""
    messages, problems = [], []
    for number, message_text in enumerate(split_messages(text), start=1):
        try:
            messages.append(read_message(message_text, number))
        except MessageProblem as problem:
            problems.append(problem)
    if not messages and not problems:
        problems.append(MessageProblem("the file holds no HL7 messages (each begins with an MSH segment)"))
    if problems:
        raise AdtRejected(problems)
    return messages


@dataclass
class AdtOutcome:
    """What became of a batch: per status counts, the messages skipped as already received, the types RRP
    does not read, and each message's own result (by control id)."""

    counts: Counter
    results: dict[str, EventResult]


@transaction.atomic
def adt_apply(
    *, provider: Provider, messages: list[AdtMessage], by: User | None, request: HttpRequest | None = None
) -> AdtOutcome:
    """Apply the messages in order, each once by its control id; log each with its outcome, then try the
    provider's held messages again (oldest event first) until no more can be applied."""
    counts: Counter = Counter()
    seen = set()
    ids = [m.control_id for m in messages]
    for start in range(0, len(ids), 5000):
        seen.update(
            FeedMessage.objects.filter(
                provider=provider, control_id__in=ids[start : start + 5000]
            ).values_list("control_id", flat=True)
        )
    fresh: list[AdtMessage] = []
    for message in messages:
        if message.control_id in seen:
            counts["duplicate"] += 1
            continue
        seen.add(message.control_id)
        if message.event is None:
            counts[f"not read ({message.message_type})"] += 1
            continue
        fresh.append(message)
    held_visits = set(
        FeedMessage.objects.filter(provider=provider, status=FeedStatus.HELD)
        .exclude(visit_number="")
        .values_list("visit_number", flat=True)
    )
    results = pas_events_apply(
        provider=provider, events=[m.event for m in fresh], by=by, request=request, held_visits=held_visits
    )
    now = timezone.now()
    rows_insert(
        FeedMessage,
        FEED_MESSAGE_FIELDS,
        (
            (
                provider.pk,
                message.control_id,
                message.message_type,
                now,
                message.event.at,
                message.event.local_identifier,
                message.event.visit_number,
                message.event.ward_code[:20],
                message.event.to_json(),
                message.text,
                str(result.outcome),
                result.reason,
            )
            for message, result in zip(fresh, results, strict=True)
        ),
    )
    by_id = {m.control_id: r for m, r in zip(fresh, results, strict=True)}
    counts.update(str(r.outcome) for r in results)
    if counts[Outcome.HELD] or FeedMessage.objects.filter(provider=provider, status=FeedStatus.HELD).exists():
        released = held_retry(provider=provider, by=by, request=request)
        counts["released"] += len(released)
        counts[Outcome.HELD] = FeedMessage.objects.filter(provider=provider, status=FeedStatus.HELD).count()
        for message in released:
            by_id[message.control_id] = EventResult(PasEvent.from_json(message.event), Outcome.APPLIED)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        record_type="people.FeedMessage",
        record_label=f"HL7 ADT: {len(messages)} message(s) received",
        provider_id=provider.pk,
        request=request,
        detail={key: value for key, value in counts.items()},
    )
    return AdtOutcome(counts, by_id)


def held_retry(
    *, provider: Provider, by: User | None, request: HttpRequest | None = None
) -> list[FeedMessage]:
    """Apply the provider's held messages again, in the order their events happened, as often as one
    more is applied (a transfer waits for its admission, which may itself have waited for its ward).
    Returns those applied; the rest stay held with their reason brought up to date."""
    released: list[FeedMessage] = []
    while True:
        held = list(
            FeedMessage.objects.filter(provider=provider, status=FeedStatus.HELD).order_by("event_at", "id")
        )
        if not held:
            return released
        results = pas_events_apply(
            provider=provider, events=[PasEvent.from_json(m.event) for m in held], by=by, request=request
        )
        now = timezone.now()
        progress = []
        for message, result in zip(held, results, strict=True):
            if result.outcome is Outcome.HELD:
                message.reason = result.reason
            else:
                message.status, message.resolved_at = FeedStatus.APPLIED, now
                progress.append(message)
        FeedMessage.objects.bulk_update(held, ["status", "resolved_at", "reason"], batch_size=1000)
        released += progress
        if not progress or len(progress) == len(held):
            return released


def adt_import(*, provider: Provider, source: Path | str | IO[str], by: User | None) -> AdtOutcome:
    """Apply a file of ADT messages: AdtRejected (none applied) if any message is malformed."""
    if isinstance(source, (str, Path)):
        try:
            text = read_text_file(source)
        except FileProblem as problem:
            raise AdtRejected([MessageProblem(str(problem))]) from None
    else:
        text = source.read()
    return adt_apply(provider=provider, messages=read_messages(text), by=by)


def _ack(message_text: str, code: str, text: str, problem: MessageProblem | None = None) -> str:
    """An HL7 original-mode ACK for the message: MSH answering its sender, MSA with the code, the message's
    control id and the text, and ERR naming the segment and field of a problem. Built here rather than
    with the library's ``create_ack``, which calls the deprecated ``datetime.utcnow``."""
    try:
        original = _Segments(message_text)
        sender = [original.value("MSH", n) for n in (3, 4, 5, 6)]
        control_id, trigger = original.value("MSH", 10), original.value("MSH", 9, 2)
        processing, version = original.value("MSH", 11) or "P", original.value("MSH", 12) or "2.4"
    except Exception:  # not even an MSH to answer: an ACK of our own
        sender, control_id, trigger, processing, version = ["", "", "RRP", ""], "", "", "P", "2.4"
    escape = _ESCAPER.escape
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%d%H%M%S+0000")
    segments = [
        "|".join(
            [
                "MSH",
                "^~\\&",
                sender[2] or "RRP",
                sender[3],
                sender[0],
                sender[1],
                stamp,
                "",
                f"ACK^{trigger}^ACK" if trigger else "ACK",
                f"RRP{uuid.uuid4().hex[:17]}",
                processing,
                version,
            ]
        ),
        f"MSA|{code}|{escape(control_id)}|{escape(text[:80])}",
    ]
    if problem is not None:
        hl7_code = (
            "101^Required field missing^HL70357"
            if problem.reason.startswith("missing")
            else "102^Data type error^HL70357"
        )
        if problem.code == "AR":
            hl7_code = "200^Unsupported message type^HL70357"
        location = f"{problem.segment}^1^{problem.field}" if problem.segment else ""
        segments.append(f"ERR||{location}|{hl7_code}|E||||{escape(str(problem)[:250])}")
    return "\r".join(segments) + "\r"


def malformed_ack(reason: str) -> str:
    """An AE for a body that is not a message at all."""
    return _ack("", "AE", "Malformed message", MessageProblem(reason, segment="MSH", field=1))


def adt_acknowledge(
    *, provider: Provider, message_text: str, by: User | None, request: HttpRequest | None = None
) -> str:
    """Apply one message sent by an integration engine and answer with its ACK: AA when applied, already
    held, or held in the queue (the reason in MSA-3; sending it again would not help); AE naming the
    segment and field of a malformed message, with nothing changed; AR for a type RRP does not read."""
    texts = split_messages(message_text)
    if len(texts) != 1:
        problem = MessageProblem(
            f"send one message at a time (this body holds {len(texts)})", segment="MSH", field=1
        )
        return _ack(message_text, "AE", "Malformed message", problem)
    try:
        message = read_message(texts[0], 1)
    except MessageProblem as problem:
        return _ack(texts[0], "AE", f"Malformed: {problem.where or problem.reason}", problem)
    if message.event is None:
        problem = MessageProblem(
            f"{message.message_type} is not a message RRP reads (ADT A01, A02, A03, A08, A11, A12, A13, A40)",
            segment="MSH",
            field=9,
            code="AR",
        )
        return _ack(texts[0], "AR", "Unsupported message type", problem)
    outcome = adt_apply(provider=provider, messages=[message], by=by, request=request)
    result = outcome.results.get(message.control_id)
    if result is None:
        return _ack(texts[0], "AA", "Already received")
    if result.outcome is Outcome.HELD:
        return _ack(texts[0], "AA", f"Held for the information team: {result.reason}")
    return _ack(texts[0], "AA", "Applied" if result.outcome is Outcome.APPLIED else "Already held")
