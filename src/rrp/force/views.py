"""Use-of-force pages: record, list, read, amend, review, statements, "my reports" and CQC tasks.

Views stay thin: they authorise (``accounts.permissions``: the role's permission, a 403), parse forms, call
a service or selector and render. Every page that shows an incident gets it through
`selectors.incident_get_for`, which checks scope and audits the view; ids outside the reader's scope
answer 404. The services check the ward again (``has_permission(by, ..., ward=incident.ward)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rrp.accounts.permissions import has_permission, permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.core.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_database_busy
from rrp.core.concurrency import StaleVersion
from rrp.core.forms import form_page
from rrp.core.http import FORM_METHODS
from rrp.core.models import AuditAction
from rrp.core.services import audit_list, audit_record
from rrp.core.times import to_the_minute
from rrp.force import debriefs, presenters, selectors, services
from rrp.force.closure import closure_checklist
from rrp.force.codes import DebriefKind, IncidentStatus, VoidKind
from rrp.force.forms import (
    ChangeReasonForm,
    CloseForm,
    CqcTaskCompleteForm,
    IncidentDetailsForm,
    IncidentFilterForm,
    InterventionRowForm,
    OtherStaffForm,
    PatientCorrectionForm,
    PatientFindForm,
    ReviewNoteForm,
    RosterStaffForm,
    RtObservationForm,
    SendBackForm,
    StatementForm,
    VoidForm,
    now_defaults,
    split,
    yes_no_initial,
)
from rrp.force.models import Incident
from rrp.organisations.models import Ward
from rrp.people import selectors as people_selectors
from rrp.people.models import Patient
from rrp.people.validation import InvalidNhsNumber, normalise_nhs_number, validate_nhs_number

MAX_ROWS = 20


def scoped_incident(request: HttpRequest, incident_id: int) -> Incident:
    """The incident if the user may see it (the view is audited): 403 without the permission, else 404."""
    require_permission(request.user, Permission.INCIDENT_VIEW)
    incident = selectors.incident_get_for(request.user, incident_id, request=request)
    if incident is None:
        raise Http404
    return incident


# --- Incident list, "my reports" ---


@require_safe
@permission_required(Permission.INCIDENT_VIEW)
def incident_list(request: HttpRequest) -> HttpResponse:
    wards = list(selectors.incident_wards_for(request.user))
    chosen = request.GET.get("patient", "")
    patient = (
        people_selectors.patients_for(request.user).filter(pk=int(chosen)).first()
        if chosen.isdigit() and len(chosen) < 19
        else None
    )
    form = IncidentFilterForm(request.GET or None, wards=wards, patient=patient)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "ward_id": data["ward"],
            "status": data["status"],
            "since": data["since"],
            "until": data["until"],
            # The person's incidents under every identity merged into the record (decision 0053).
            "patient_ids": people_selectors.patient_identities(patient) if data["patient"] else (),
        }
    page = Paginator(selectors.incident_list_filtered(request.user, **filters), 25).get_page(
        request.GET.get("page")
    )
    shown = list(selectors.attach_current_patients(list(page.object_list)))
    _audit_list(request, shown, "Incident list")
    return render(
        request,
        "force/incident_list.jinja",
        {
            "form": form,
            "page": page,
            "incidents": shown,
            "p": presenters,
            "patient": patient if form.is_bound and not form.errors and filters.get("patient_ids") else None,
        },
        status=400 if form.errors else 200,
    )


@require_safe
@permission_required(Permission.INCIDENT_VIEW)
def my_reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.incident_reports_by(request.user), 25).get_page(request.GET.get("page"))
    shown = list(selectors.attach_current_patients(list(page.object_list)))
    _audit_list(request, shown, "My reports")
    latest = selectors.last_status_changes(shown)
    return render(
        request,
        "force/my_reports.jinja",
        {"page": page, "incidents": shown, "latest": latest, "p": presenters},
    )


def _audit_list(request: HttpRequest, shown: list[Incident], label: str) -> None:
    audit_list(
        actor=request.user,
        records=shown,
        record_type="force.Incident",
        label=label,
        request=request,
        detail=lambda group: {
            "incident_ids": [i.pk for i in group],
            "patient_ids": sorted({i.current_patient.pk for i in group}),
        },
    )


# --- Recording: choose the ward and patient, then one form ---


@require_safe
@permission_required(Permission.INCIDENT_RECORD)
def incident_start(request: HttpRequest) -> HttpResponse:
    """Step 1: the ward (pre-filled when the user has one) and the patient (on the ward now, or found)."""
    wards = list(selectors.incident_wards_for(request.user))
    if not wards:
        raise Http404
    ward = _chosen_ward(request, wards)
    find = PatientFindForm(request.GET or None)
    query = find.cleaned_data.get("q", "").strip() if find.is_bound and find.is_valid() else ""
    errors: list[dict[str, str]] = []
    patients: list[Patient] = []
    if ward is not None:
        if query:
            digits = normalise_nhs_number(query)
            if digits.isdigit() and len(digits) == 10:
                try:
                    validate_nhs_number(digits)
                except InvalidNhsNumber as problem:
                    find.add_error("q", str(problem))
            patients = list(
                people_selectors.patient_search(request.user, query).filter(provider_id=ward.provider_id)[:50]
            )
            if patients:
                audit_record(
                    actor=request.user,
                    action=AuditAction.VIEW,
                    record_type="people.Patient",
                    record_label=f"Patients found to record an incident ({len(patients)})",
                    provider_id=ward.provider_id,
                    request=request,
                    detail={"patient_ids": [p.pk for p in patients]},
                )
        else:
            patients = people_selectors.patients_on_ward_now(request.user, ward, request=request)
        chosen = request.GET.get("patient")
        if chosen is not None:
            if chosen.isdigit() and _patient_for(request, ward, int(chosen)) is not None:
                return redirect("force:incident-new", ward_id=ward.pk, patient_id=int(chosen))
            errors.append({"text": "Choose the patient force was used on", "href": "#patient"})
    elif "ward" in request.GET:
        errors.append({"text": "Choose the ward", "href": "#ward"})
    errors = presenters.form_error_links([find]) + errors
    return render(
        request,
        "force/incident_start.jinja",
        {
            "wards": wards,
            "ward": ward,
            "find": find,
            "query": query,
            "patients": patients,
            "patient_items": presenters.patient_radio_items(
                patients, people_selectors.wards_now([p.pk for p in patients])
            ),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _chosen_ward(request: HttpRequest, wards: list[Ward]) -> Ward | None:
    if len(wards) == 1:
        return wards[0]
    chosen = request.GET.get("ward", "")
    return next((w for w in wards if str(w.pk) == chosen), None)


def _patient_for(request: HttpRequest, ward: Ward, patient_id: int) -> Patient | None:
    return (
        people_selectors.patients_for(request.user)
        .filter(pk=patient_id, provider_id=ward.provider_id)
        .first()
    )


@dataclass
class RecordForms:
    """The forms on the record page, bound or not, and the rows they make for the services."""

    details: IncidentDetailsForm
    rows: list[InterventionRowForm]
    roster: list[RosterStaffForm]
    others: list[OtherStaffForm]
    reason: ChangeReasonForm | None = None
    general_errors: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    busy: bool = False
    # After a save refused as stale (decision 0018): what someone else changed, beside what was entered.
    conflict: list[dict[str, Any]] = field(default_factory=list)
    conflict_version: Any = None

    def all(self) -> list[forms.Form]:
        extra = [self.reason] if self.reason is not None else []
        return [self.details, *self.rows, *self.roster, *self.others, *extra]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all()])

    def used_rows(self) -> list[InterventionRowForm]:
        return [form for form in self.rows if not form.is_blank()]

    def used_staff(self) -> list[RosterStaffForm | OtherStaffForm]:
        return [form for form in [*self.roster, *self.others] if not form.is_blank()]

    def service_arguments(self) -> dict[str, Any]:
        interventions = [form.to_input() for form in self.used_rows()]
        content = self.details.content()
        starts = [i.started_at for i in interventions if i.started_at]
        ends = [i.ended_at for i in interventions if i.ended_at]
        # The incident runs from the first intervention's start to the last one's end (s6(5)(b)).
        content["occurred_at"] = min(starts) if starts else None
        content["ended_at"] = max(ends) if ends and len(ends) == len(interventions) else None
        return {
            "interventions": interventions,
            "staff": [form.to_input() for form in self.used_staff()],
            "durations_confirmed": bool(self.details.cleaned_data.get("durations_confirmed")),
            **content,
        }

    def content_entered(self) -> dict[str, Any]:
        """What the person entered, in the shape of `IncidentVersion.content()`, for comparing."""
        arguments = self.service_arguments()
        arguments.pop("durations_confirmed")
        arguments["interventions"] = [
            (i.type_code, to_the_minute(i.started_at), to_the_minute(i.ended_at), i.in_care_plan)
            for i in arguments["interventions"]
        ]
        arguments["staff"] = [
            (s.staff_member.pk, s.staff_member.name, s.staff_member.job_title, s.part)
            if s.staff_member
            else (None, s.name.strip(), s.job_title.strip(), s.part)
            for s in arguments["staff"]
        ]
        return arguments

    def apply_service_errors(self, problem: ValidationError) -> None:
        """Put each service error on the field it names, so the summary links to it."""
        rows, staff = self.used_rows(), self.used_staff()
        for key, messages_ in problem.message_dict.items():
            if key == "statutory_items":
                self.missing.extend(messages_)
                continue
            target = self._target(key, rows, staff)
            for message in messages_:
                if target is None:
                    self.general_errors.append(message)
                else:
                    target[0].add_error(target[1], message)

    def database_busy(self, problem: OperationalError) -> None:
        """The database was too busy to save (rrp.core.busy): say so above the form, which keeps what
        was typed; anything else is a fault and goes on up."""
        if not is_database_busy(problem):
            raise problem
        self.busy = True
        self.general_errors.append(BUSY_MESSAGE)

    def _target(self, key: str, rows: list, staff: list) -> tuple[forms.Form, str] | None:
        if key.startswith("interventions[") or key.startswith("staff["):
            index = int(key[key.index("[") + 1 : key.index("]")])
            name = key.split(".", 1)[1]
            if key.startswith("interventions["):
                mapping = {"type_code": "type_code", "started_at": "start_time", "ended_at": "end_time"}
                return (rows[index], mapping.get(name, "type_code")) if index < len(rows) else None
            if index >= len(staff):
                return None
            form = staff[index]
            if isinstance(form, RosterStaffForm):
                return form, ("part" if name == "part" else "involved")
            return form, name if name in form.fields else "name"
        direct = {"police_arrived_at": "police_arrived_time", "police_requested_at": "police_requested_time"}
        if key == "reason" and self.reason is not None:
            return self.reason, "change_reason"
        name = direct.get(key, key)
        return (self.details, name) if name in self.details.fields else None


def _count(request: HttpRequest, name: str, default: int) -> int:
    try:
        return max(1, min(MAX_ROWS, int(request.POST.get(name, default))))
    except ValueError:
        return default


def _build_forms(
    request: HttpRequest, *, ward: Ward, initial: dict[str, Any], amend: bool
) -> tuple[RecordForms, str]:
    """The page's forms, bound on POST. Returns them and the action the user asked for."""
    roster = list(selectors.ward_roster(ward))
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "") if data else ""
    row_count = _count(request, "iv_count", len(initial["rows"])) if data else len(initial["rows"])
    other_count = _count(request, "other_count", 1) if data else 1
    rows = [
        InterventionRowForm(
            data, prefix=f"iv-{n}", initial=initial["rows"][n] if n < len(initial["rows"]) else {}
        )
        for n in range(row_count)
    ]
    if action == "add_intervention" and row_count < MAX_ROWS:
        last = rows[-1]
        start = (
            last.data.get(f"{last.prefix}-end_date") or "",
            last.data.get(f"{last.prefix}-end_time") or "",
        )
        rows.append(
            InterventionRowForm(
                prefix=f"iv-{row_count}",
                initial={
                    "start_date": start[0] or now_defaults()[0],
                    "start_time": start[1],
                    "end_date": start[0],
                },
            )
        )
    picked = initial["roster"]
    roster_forms = [
        RosterStaffForm(
            data,
            prefix=f"roster-{member.pk}",
            member=member,
            initial={"involved": member.pk in picked, "part": picked.get(member.pk, "")},
        )
        for member in roster
    ]
    others = [
        OtherStaffForm(
            data, prefix=f"other-{n}", initial=initial["others"][n] if n < len(initial["others"]) else {}
        )
        for n in range(max(other_count, len(initial["others"]) if not data else other_count))
    ]
    if action == "add_person" and len(others) < MAX_ROWS:
        others.append(OtherStaffForm(prefix=f"other-{len(others)}"))
    reason = ChangeReasonForm(data, initial={"base_version": initial.get("base_version")}) if amend else None
    details = IncidentDetailsForm(data, initial=initial["details"])
    if action in ("add_intervention", "add_person", "stay"):
        # Adding a row (or pressing Enter in a field: "stay") is not saving: show what was typed,
        # without judging it yet.
        details = _unbound_copy(details)
        rows = [_unbound_copy(form) if form.is_bound else form for form in rows]
        roster_forms = [_unbound_copy(form, member=form.member) for form in roster_forms]
        others = [_unbound_copy(form) if form.is_bound else form for form in others]
        reason = _unbound_copy(reason) if reason is not None else None
    return (
        RecordForms(details=details, rows=rows, roster=roster_forms, others=others, reason=reason),
        action,
    )


def _unbound_copy(form: forms.Form, **kwargs: Any) -> forms.Form:
    """The same form, unbound, showing the raw values that were posted."""
    initial = {name: form[name].data for name in form.fields}
    return type(form)(prefix=form.prefix, initial=initial, **kwargs)


def _amend_initial(page: selectors.IncidentPage) -> dict[str, Any]:
    rows = []
    for item in page.interventions:
        start_date, start_time = split(item.started_at)
        end_date, end_time = split(item.ended_at)
        rows.append(
            {
                "type_code": item.type_code,
                "start_date": start_date,
                "start_time": start_time,
                "end_date": end_date or start_date,
                "end_time": end_time,
                "in_care_plan": yes_no_initial(item.in_care_plan),
            }
        )
    return {
        "base_version": page.version.number,
        "details": IncidentDetailsForm.initial_from(page.version),
        "rows": rows or [{"start_date": now_defaults()[0]}],
        "roster": {s.staff_member_id: s.part for s in page.staff if s.staff_member_id},
        "others": [
            {"name": s.name, "job_title": s.job_title, "part": s.part}
            for s in page.staff
            if not s.staff_member_id
        ],
    }


@require_http_methods(FORM_METHODS)
def incident_amend(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Amend (or finish a draft of) an incident: a new version, with a reason unless it is a draft."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_RECORD)
    page = selectors.incident_page(incident)
    record_forms, action = _build_forms(request, ward=incident.ward, initial=_amend_initial(page), amend=True)
    if request.method == "POST" and action in ("draft", "submit") and record_forms.is_valid():
        reason = record_forms.reason.cleaned_data["change_reason"].strip()
        if not reason and incident.status == IncidentStatus.DRAFT:
            reason = "Draft continued"
        service = services.incident_amend_and_submit if action == "submit" else services.incident_amend
        try:
            service(
                incident=incident,
                by=request.user,
                reason=reason,
                base_version=record_forms.reason.cleaned_data["base_version"],
                request=request,
                **record_forms.service_arguments(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            record_forms.apply_service_errors(problem)
        except OperationalError as problem:
            record_forms.database_busy(problem)
        except StaleVersion as stale:
            record_forms = _reconcile(request, incident, page, record_forms, stale)
        else:
            messages.success(
                request, "Incident submitted for review." if action == "submit" else "Changes saved."
            )
            return redirect("force:incident-detail", incident_id=incident.pk)
    return _render_form(
        request, record_forms, ward=incident.ward, patient=incident.current_patient, incident=incident
    )


def _reconcile(
    request: HttpRequest,
    incident: Incident,
    page: selectors.IncidentPage,
    entered: RecordForms,
    stale: StaleVersion,
) -> RecordForms:
    """The change form again after a save refused because someone else saved first (decision 0018):
    their changes listed beside what this person entered, field by field; the form keeps everything
    this person entered, takes the other person's value for a detail this person left as it was (so
    saving again does not put it back), and now carries the latest version, so the next save is a
    new version on top of theirs."""
    started = selectors.incident_version(incident, stale.base)
    theirs = selectors.incident_version(incident, stale.current)
    conflict = presenters.conflict_rows(started.content(), theirs.content(), entered.content_entered())
    merged = _take_their_details(request.POST, started, theirs)
    merged["base_version"] = str(stale.current)
    request.POST = merged
    record_forms, _ = _build_forms(request, ward=incident.ward, initial=_amend_initial(page), amend=True)
    record_forms.is_valid()
    record_forms.conflict, record_forms.conflict_version = conflict, theirs
    return record_forms


def _posted_value(value: Any) -> Any:
    """A detail's value as the form posts it, for comparing an initial value with what was posted."""
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return tuple(sorted(str(v) for v in value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _take_their_details(data: Any, started: Any, theirs: Any) -> Any:
    """The posted data with the other person's value for each detail they changed and this person did
    not (their values as the form would have posted them)."""
    merged = data.copy()
    before, after = IncidentDetailsForm.initial_from(started), IncidentDetailsForm.initial_from(theirs)
    for name, form_field in IncidentDetailsForm.base_fields.items():
        old, new = _posted_value(before.get(name)), _posted_value(after.get(name))
        if old == new:
            continue
        many = isinstance(form_field, forms.MultipleChoiceField)
        mine = _posted_value(data.getlist(name) if many else data.get(name))
        if mine == old:
            merged.setlist(name, list(new) if many else [new] if new != "" else [])
    return merged


def _render_form(
    request: HttpRequest,
    record_forms: RecordForms,
    *,
    ward: Ward,
    patient: Patient,
    incident: Incident | None,
) -> HttpResponse:
    stale = (
        [
            {
                "text": "Someone else saved a change while you were editing: check it and save again",
                "href": "#conflict",
            }
        ]
        if record_forms.conflict_version
        else []
    )
    errors = (
        stale
        + [{"text": message, "href": "#incident-form"} for message in record_forms.general_errors]
        + presenters.missing_item_links(record_forms.missing)
        + presenters.form_error_links(record_forms.all())
    )
    response = render(
        request,
        "force/incident_form.jinja",
        {
            "f": record_forms,
            "ward": ward,
            "patient": patient,
            "incident": incident,
            "errors": errors,
            "missing": record_forms.missing,
            "p": presenters,
        },
        status=503 if record_forms.busy else 409 if record_forms.conflict_version else 400 if errors else 200,
    )
    if record_forms.busy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# --- The incident page, history, review steps, statements ---


@require_safe
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = scoped_incident(request, incident_id)
    return _render_detail(request, incident)


def _render_detail(
    request: HttpRequest, incident: Incident, *, errors: list[dict[str, str]] = (), status: int = 200
) -> HttpResponse:
    page = selectors.incident_page(incident)
    user = request.user
    current = incident.status
    reviewer = has_permission(user, Permission.INCIDENT_REVIEW)
    writer = has_permission(user, Permission.INCIDENT_RECORD)
    actions = {
        "amend": writer
        and (current != IncidentStatus.CLOSED or has_permission(user, Permission.CLOSED_INCIDENT_AMEND)),
        "submit": writer and current in (IncidentStatus.DRAFT, IncidentStatus.SENT_BACK),
        "review": reviewer and current == IncidentStatus.SUBMITTED,
        "send_back": reviewer and current in (IncidentStatus.SUBMITTED, IncidentStatus.REVIEWED),
        "close": reviewer and current == IncidentStatus.REVIEWED,
        "statement": services.statement_author_may_add(incident=incident, by=user),
        "observe": writer,
        "debrief": writer and has_permission(user, Permission.INCIDENT_RECORD, ward=incident.ward),
        "void": page.void is None and has_permission(user, Permission.INCIDENT_VOID, ward=incident.ward),
        "patient": has_permission(user, Permission.INCIDENT_REVIEW, ward=incident.ward)
        and (current != IncidentStatus.CLOSED or has_permission(user, Permission.CLOSED_INCIDENT_AMEND)),
    }
    if page.void is not None:  # a voided record is kept as it is: statements and observations only
        actions.update(
            amend=False,
            submit=False,
            review=False,
            send_back=False,
            close=False,
            patient=False,
            debrief=False,
        )
    return render(
        request,
        "force/incident_detail.jinja",
        {
            "page": page,
            "incident": incident,
            "status": current,
            "actions": actions,
            "rt": selectors.rt_monitoring_for(incident, interventions=page.interventions),
            "debriefs": debriefs.debriefs_current(incident),
            "debrief_kinds": DebriefKind.choices,
            "notices": selectors.incident_notices(page),
            "errors": list(errors),
            "p": presenters,
        },
        status=status,
    )


@require_safe
def incident_history(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = scoped_incident(request, incident_id)
    entries = selectors.incident_history(incident)
    return render(
        request,
        "force/incident_history.jinja",
        {"incident": incident, "entries": list(reversed(entries)), "p": presenters},
    )


@require_POST
def incident_submit(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_RECORD)
    try:
        services.incident_submit(incident=incident, by=request.user, request=request)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as problem:
        missing = problem.message_dict.get("statutory_items", [])
        errors = [{"text": f"Missing: {item}", "href": "#completeness"} for item in missing] + [
            {"text": message, "href": "#actions"}
            for key, messages_ in problem.message_dict.items()
            if key != "statutory_items"
            for message in messages_
        ]
        return _render_detail(request, incident, errors=errors, status=400)
    messages.success(request, "Incident submitted for review.")
    return redirect("force:incident-detail", incident_id=incident.pk)


def _review_step(request: HttpRequest, incident_id: int, step: str) -> HttpResponse:
    """Review (optional note) or send back (request required): a confirmation page, then POST. Closing
    has its own page, with the checklist (``incident_close``)."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_REVIEW)
    form_class = SendBackForm if step == "send_back" else ReviewNoteForm
    form = form_class(request.POST if request.method == "POST" else None)

    def save() -> None:
        if step == "send_back":
            services.incident_send_back(
                incident=incident,
                by=request.user,
                request_text=form.cleaned_data["request_text"],
                request=request,
            )
        else:
            services.incident_review(
                incident=incident, by=request.user, note=form.cleaned_data["note"], request=request
            )

    titles = {
        "review": "Mark as reviewed",
        "send_back": "Send back for changes",
    }
    done = {
        "review": "Incident marked as reviewed.",
        "send_back": "Incident sent back.",
    }
    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect("force:incident-detail", incident_id=incident.pk),
        message=done[step],
        denied_is_not_found=True,
        template="force/incident_step.jinja",
        context=lambda: {
            "incident": incident,
            "form": form,
            "step": step,
            "title": titles[step],
            "errors": presenters.form_error_links([form]),
            "p": presenters,
        },
    )


@require_http_methods(FORM_METHODS)
def incident_review(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _review_step(request, incident_id, "review")


@require_http_methods(FORM_METHODS)
def incident_send_back(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _review_step(request, incident_id, "send_back")


@require_http_methods(FORM_METHODS)
def incident_close(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Close with the checklist of follow-ups and the review questions (issue 13): the page shows what is
    done and not, and asks a reason for each follow-up closed without."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_REVIEW)
    posted = request.method == "POST"
    checklist = closure_checklist(incident, at=timezone.now())
    form = CloseForm(request.POST if posted else None, checklist=checklist)
    return form_page(
        request,
        form,
        save=lambda: services.incident_close(
            incident=incident, by=request.user, request=request, **form.service_arguments()
        ),
        done=lambda _: redirect("force:incident-detail", incident_id=incident.pk),
        message="Incident closed.",
        field_for=form.field_for,
        denied_is_not_found=True,
        template="force/incident_close.jinja",
        context=lambda: {
            "incident": incident,
            "form": form,
            "checklist": checklist,
            "title": "Close the incident",
            "errors": presenters.form_error_links([form]),
            "p": presenters,
        },
    )


@require_http_methods(FORM_METHODS)
def incident_void(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Void an incident or mark it a duplicate (provider governance, issue 13 item 5)."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_VOID, ward=incident.ward)
    form = VoidForm(request.POST if request.method == "POST" else None)

    def save() -> None:
        data = form.cleaned_data
        duplicate_of = None
        if data["kind"] == VoidKind.DUPLICATE:
            # Only an incident this user can see may be named (else the form says none was found).
            duplicate_of = (
                selectors.incident_list_for_user(request.user).filter(pk=data["duplicate_of"]).first()
            )
            if duplicate_of is None:
                raise ValidationError({"duplicate_of": ["No incident you can see has this number"]})
        services.incident_void(
            incident=incident,
            by=request.user,
            reason=data["reason"],
            duplicate_of=duplicate_of,
            request=request,
        )

    return form_page(
        request,
        form,
        save=save,
        done=lambda _: redirect("force:incident-detail", incident_id=incident.pk),
        message="Incident voided. It is kept, struck through, and no longer counted.",
        template="force/incident_void.jinja",
        context=lambda: {
            "incident": incident,
            "form": form,
            "title": "Void this incident",
            "errors": presenters.form_error_links([form]),
            "p": presenters,
        },
    )


@require_http_methods(FORM_METHODS)
def incident_patient_correct(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Move an incident recorded against the wrong patient to the right one, as a new version with a
    reason (a ward manager or provider governance; issue 13 item 5, decision 0021). The right patient is
    found by name or NHS number among the provider's patients the user may see."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_REVIEW, ward=incident.ward)
    page = selectors.incident_page(incident)
    posted = request.method == "POST"
    data = request.POST if posted else request.GET
    find = PatientFindForm({"q": data.get("q", "")})
    query = find.cleaned_data.get("q", "").strip() if find.is_valid() else ""
    patients: list[Patient] = []
    if query:
        patients = list(
            people_selectors.patient_search(request.user, query)
            .filter(provider_id=incident.provider_id)
            .exclude(pk=page.version.patient_id)[:50]
        )
        if patients:
            audit_record(
                actor=request.user,
                action=AuditAction.VIEW,
                record_type="people.Patient",
                record_label=f"Patients found to correct the patient of an incident ({len(patients)})",
                provider_id=incident.provider_id,
                request=request,
                detail={"patient_ids": [p.pk for p in patients], "incident_id": incident.pk},
            )
    form = PatientCorrectionForm(
        request.POST if posted else None, initial={"base_version": page.version.number}
    )
    general: list[str] = []
    status = 200
    if posted and form.is_valid():
        data = form.cleaned_data
        patient = (
            people_selectors.patients_for(request.user)
            .filter(pk=int(data["patient"]), provider_id=incident.provider_id)
            .first()
        )
        if patient is None:
            form.add_error("patient", "Choose a patient of this incident's provider that you can see")
        else:
            try:
                services.incident_patient_correct(
                    incident=incident,
                    by=request.user,
                    patient=patient,
                    reason=data["reason"],
                    base_version=data["base_version"],
                    request=request,
                )
            except PermissionDenied:
                raise Http404 from None
            except StaleVersion as stale:
                general.append(str(stale))
                status = 409
            except ValidationError as problem:
                for key, messages_ in problem.message_dict.items():
                    for message in messages_:
                        if key in form.fields:
                            form.add_error(key, message)
                        else:
                            general.append(message)
            else:
                messages.success(
                    request, f"Patient corrected: the incident is now recorded against {patient.name}."
                )
                return redirect("force:incident-detail", incident_id=incident.pk)
    errors = [{"text": message, "href": "#patient-correction"} for message in general]
    errors += presenters.form_error_links([find, form]) if posted or find.errors else []
    chosen = str(form["patient"].value() or "")
    return render(
        request,
        "force/incident_patient.jinja",
        {
            "incident": incident,
            "current": page.version.patient,
            "voided": services.void_refusal(incident),
            "find": find,
            "query": query,
            "form": form,
            "patients": patients,
            "patient_items": [
                {**item, "checked": str(item["value"]) == chosen}
                for item in presenters.patient_radio_items(
                    patients, people_selectors.wards_now([p.pk for p in patients])
                )
            ],
            "title": "Correct the patient",
            "errors": errors,
            "p": presenters,
        },
        status=status if status != 200 else (400 if errors else 200),
    )


@require_http_methods(FORM_METHODS)
def statement_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = scoped_incident(request, incident_id)
    if not services.statement_author_may_add(incident=incident, by=request.user):
        raise PermissionDenied
    form = StatementForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        save=lambda: services.statement_add(
            incident=incident, by=request.user, text=form.cleaned_data["text"], request=request
        ),
        done=lambda _: redirect("force:incident-detail", incident_id=incident.pk),
        message="Your statement has been added.",
        template="force/statement_add.jinja",
        context=lambda: {
            "incident": incident,
            "form": form,
            "errors": presenters.form_error_links([form]),
            "p": presenters,
        },
    )


# --- CQC notification tasks (provider governance) ---


@require_safe
@permission_required(Permission.CQC_TASK_COMPLETE)
def cqc_task_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    tasks = selectors.cqc_tasks_for(request.user).select_related("incident__ward")
    if show != "all":
        tasks = tasks.filter(status="open")
    page = Paginator(tasks, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "force/cqc_task_list.jinja",
        {"page": page, "tasks": list(page.object_list), "show": show, "p": presenters},
    )


@require_http_methods(FORM_METHODS)
@permission_required(Permission.CQC_TASK_COMPLETE)
def cqc_task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.cqc_task_get_for(request.user, task_id)
    if task is None:
        raise Http404
    form = CqcTaskCompleteForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        save=lambda: services.cqc_task_complete(
            task=task,
            by=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            request=request,
        ),
        done=lambda _: redirect(reverse("force:cqc-task-list")),
        message="CQC task completed.",
        template="force/cqc_task.jinja",
        context=lambda: {
            "task": task,
            "form": form,
            "errors": presenters.form_error_links([form]),
            "p": presenters,
        },
    )


# --- Physical health observations after rapid tranquillisation ---


@require_http_methods(FORM_METHODS)
def rt_observation_add(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Record one set of physical health observations after rapid tranquillisation (NICE QS154)."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_RECORD)
    page = selectors.incident_page(incident)
    monitoring = selectors.rt_monitoring_for(incident, interventions=page.interventions)
    if monitoring is None:
        raise Http404
    today, now = now_defaults()
    form = RtObservationForm(
        request.POST if request.method == "POST" else None,
        initial={"observed_date": today, "observed_time": now},
    )
    general: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.rt_observation_record(
                incident=incident, by=request.user, request=request, **form.service_arguments()
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            for key, messages_ in problem.message_dict.items():
                name = RtObservationForm.FIELD_FOR.get(key, key)
                for message in messages_:
                    if name in form.fields:
                        form.add_error(name, message)
                    else:
                        general.append(message)
        else:
            messages.success(request, "Observations recorded.")
            return redirect(reverse("force:incident-detail", args=[incident.pk]) + "#rt-monitoring")
    errors = [{"text": message, "href": "#rt-observation-form"} for message in general]
    errors += presenters.form_error_links([form])
    return render(
        request,
        "force/rt_observation_add.jinja",
        {"incident": incident, "form": form, "monitoring": monitoring, "errors": errors, "p": presenters},
        status=400 if errors else 200,
    )
