"""Recording a use of force as a task list (issue 13): each section of the record on its own short page,
saved to a draft as it is completed, then "check your answers" and submit.

The first section ("Where, when and what force") creates the draft (`services.incident_record`); every
later save adds a version to it (`services.incident_amend`, reason "Draft: <section> saved"), so nothing
typed and saved is ever lost and each save is in the history. Only drafts are edited here; a submitted
record is changed on the one-page change form, with a reason. Scope and audit are the same as every
incident page (`views.scoped_incident`, `selectors.incident_get_for`).

A session that ended while a page was being filled in loses nothing: the sign-in middleware keeps the
posted form (`accounts.middleware.PENDING_POST`) and, once the user has signed in again and is sent back
here, the page shows it again, unsaved, for them to check and save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rrp.accounts.middleware import take_pending_post
from rrp.accounts.permissions import permission_required, require_permission
from rrp.accounts.roles import Permission
from rrp.core.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_database_busy
from rrp.core.concurrency import StaleVersion
from rrp.core.http import FORM_METHODS
from rrp.force import debriefs, presenters, sections, selectors, services
from rrp.force.codes import DebriefKind, IncidentStatus
from rrp.force.completeness import Record
from rrp.force.debrief_answers import debrief_answers
from rrp.force.forms import InterventionRowForm, OtherStaffForm, RosterStaffForm, TaskInterventionRowForm
from rrp.force.models import Incident
from rrp.force.views import MAX_ROWS, _amend_initial, _patient_for, _unbound_copy, scoped_incident
from rrp.organisations.models import Ward
from rrp.people import selectors as people_selectors
from rrp.people.models import Patient


def _busy(problem: OperationalError) -> list[str]:
    """The database was too busy to save (rrp.core.busy): the page is shown again with what was typed
    and this message (503, Retry-After); anything else is a fault and goes on up."""
    if not is_database_busy(problem):
        raise problem
    return [BUSY_MESSAGE]


class _Conflict(str):
    """A message saying someone else saved the draft first (decision 0018): the page answers 409."""


def _stale(stale: StaleVersion) -> list[str]:
    return [_Conflict(str(stale))]


def _base_version(data: QueryDict | None, page: selectors.IncidentPage) -> int:
    """The draft version a section page started from: the posted hidden field when the page is shown
    again, else the latest. Each save sends it, so two people saving the same draft at once get the
    conflict answer instead of the second silently putting back what the first changed."""
    posted = (data.get("base_version", "") if data is not None else "").strip()
    return int(posted) if posted.isdigit() else page.version.number


def _answer(response: HttpResponse, general: list[str]) -> HttpResponse:
    if any(isinstance(message, _Conflict) for message in general):
        response.status_code = 409
    if BUSY_MESSAGE in general:
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _posted(request: HttpRequest) -> tuple[QueryDict | None, bool]:
    """The form data to bind: this POST, or one kept from before the session ended (then `restored`)."""
    if request.method == "POST":
        return request.POST, False
    kept = take_pending_post(request)
    return kept, kept is not None


def _action(data: QueryDict | None) -> str:
    return (data.get("action", "") if data is not None else "") or "save"


# --- The patient's support plan, shown while force is recorded (issue 15) ---

# The sections that show the plan's key points, and which of them (None: all). The force page shows
# all, to answer "was this in the plan?" (s6(5)(d)); why-and-how the early signs and strategies for the
# efforts to avoid force (s6(5)(o)); the notification page who the patient wants told (s6(5)(p)).
PLAN_SHOWN_ON: dict[str, tuple[str, ...] | None] = {
    "force": None,
    "why": ("Early signs that they are becoming distressed", "Secondary strategies", "Tertiary strategies"),
    "notification": ("Who to tell after force is used",),
}


def _plan_context(request: HttpRequest, patient: Patient, slug: str = "force") -> dict[str, Any]:
    """The plan's key points for the page (read through people's scoped selector, audited as shown)."""
    return {
        "plan": people_selectors.support_plan_for(
            request.user, patient, request=request, where="recording force"
        ),
        "plan_only": PLAN_SHOWN_ON.get(slug),
        "show_plan": slug in PLAN_SHOWN_ON,
        "today": timezone.localdate(),
    }


# --- The first section: where, when and what force (creates the draft) ---


def _rows(
    data: QueryDict | None, action: str, initial_rows: list[dict[str, Any]]
) -> list[InterventionRowForm]:
    """The rows of force, bound to `data`; "Add another type of force" adds one starting where the last
    ended (its end, or its start date when no end date was typed) and keeps everything typed."""
    count = _count_of(data, "iv_count", max(1, len(initial_rows)))
    rows = [
        TaskInterventionRowForm(
            data, prefix=f"iv-{n}", initial=initial_rows[n] if n < len(initial_rows) else {}
        )
        for n in range(count)
    ]
    if action == "add_intervention" and count < MAX_ROWS:
        last = rows[-1]
        end_date = (
            last.data.get(f"{last.prefix}-end_date") or last.data.get(f"{last.prefix}-start_date") or ""
        )
        rows.append(
            TaskInterventionRowForm(
                prefix=f"iv-{count}",
                initial={
                    "start_date": end_date,
                    "start_time": last.data.get(f"{last.prefix}-end_time") or "",
                },
            )
        )
    if action in ("add_intervention", "add_person", "stay"):
        rows = [_unbound_copy(form) if form.is_bound else form for form in rows]
    return rows


def _count_of(data: QueryDict | None, name: str, default: int) -> int:
    if data is None:
        return default
    try:
        return max(1, min(MAX_ROWS, int(data.get(name, default))))
    except ValueError:
        return default


def _force_initial(version: Any | None, page: selectors.IncidentPage | None) -> tuple[dict, list[dict]]:
    if version is None or page is None:
        # Entry after the event: today's date, and no time at all (never "now" silently).
        return {}, [{"start_date": timezone.localdate().isoformat()}]
    rows = _amend_initial(page)["rows"]
    for row in rows:
        if row.get("end_date") == row.get("start_date"):
            row["end_date"] = ""
    return {"place_on_ward": version.place_on_ward}, rows


def _render_force(
    request: HttpRequest,
    *,
    ward: Ward,
    patient: Patient,
    incident: Incident | None,
    details: Any,
    rows: list[InterventionRowForm],
    restored: bool,
    general: list[str] = (),
    base_version: int | None = None,
) -> HttpResponse:
    errors = [{"text": message, "href": "#iv-0-type_code"} for message in general]
    errors += presenters.form_error_links([details, *rows])
    return _answer(
        render(
            request,
            "force/record_force.jinja",
            {
                "ward": ward,
                "patient": patient,
                "incident": incident,
                "d": details,
                "rows": rows,
                "errors": errors,
                "restored": restored,
                "section": sections.BY_SLUG["force"],
                "base_version": base_version,
                **_plan_context(request, patient),
            },
            status=400 if errors else 200,
        ),
        general,
    )


def _apply_row_errors(problem: ValidationError, details: Any, rows: list[InterventionRowForm]) -> list[str]:
    used = [form for form in rows if not form.is_blank()]
    general: list[str] = []
    mapping = {"type_code": "type_code", "started_at": "start_time", "ended_at": "end_time"}
    for key, messages_ in problem.message_dict.items():
        for message in messages_:
            if key.startswith("interventions["):
                index = int(key[key.index("[") + 1 : key.index("]")])
                name = mapping.get(key.split(".", 1)[1], "type_code")
                if index < len(used):
                    used[index].add_error(name, message)
                    continue
            elif key in details.fields:
                details.add_error(key, message)
                continue
            general.append(message)
    return general


@require_http_methods(FORM_METHODS)
@permission_required(Permission.INCIDENT_RECORD)
def record_first(request: HttpRequest, ward_id: int, patient_id: int) -> HttpResponse:
    """The first section of a new record; saving it creates the draft and opens the task list."""
    ward = selectors.recordable_ward_for(request.user, ward_id)
    patient = _patient_for(request, ward, patient_id) if ward is not None else None
    if patient is None:
        raise Http404
    # The page shows the patient's name and NHS number: audit it as a view of the patient.
    people_selectors.patient_get_for(request.user, patient.pk, request=request)
    data, restored = _posted(request)
    action = _action(data)
    initial, initial_rows = _force_initial(None, None)
    details = sections.details_form(sections.BY_SLUG["force"], data, initial=initial)
    rows = _rows(data, action, initial_rows)
    general: list[str] = []
    if request.method == "POST" and action == "save" and _valid(details, rows):
        try:
            incident = services.incident_record(
                ward=ward,
                patient=patient,
                by=request.user,
                request=request,
                interventions=[form.to_input() for form in rows if not form.is_blank()],
                **_force_content(details, rows),
            )
        except ValidationError as problem:
            general = _apply_row_errors(problem, details, rows)
        except OperationalError as problem:
            general = _busy(problem)
        else:
            messages.success(request, "Draft saved. Carry on with the next section, or finish it later.")
            return redirect("force:record-tasks", incident_id=incident.pk)
    if action in ("add_intervention", "stay"):
        details = _unbound_copy(details)
        _keep_fields(details, "force")
    return _render_force(
        request,
        ward=ward,
        patient=patient,
        incident=None,
        details=details,
        rows=rows,
        restored=restored,
        general=general,
    )


def _keep_fields(form: Any, slug: str) -> None:
    for name in list(form.fields):
        if name not in sections.BY_SLUG[slug].fields:
            del form.fields[name]


def _valid(*forms_: Any) -> bool:
    flat = [f for item in forms_ for f in (item if isinstance(item, list) else [item])]
    return all([form.is_valid() for form in flat])


def _force_content(details: Any, rows: list[InterventionRowForm]) -> dict[str, Any]:
    interventions = [form.to_input() for form in rows if not form.is_blank()]
    starts = [i.started_at for i in interventions if i.started_at]
    ends = [i.ended_at for i in interventions if i.ended_at]
    return {
        "durations_confirmed": bool(details.cleaned_data.get("durations_confirmed")),
        "place_on_ward": (details.cleaned_data.get("place_on_ward") or "").strip(),
        # The incident runs from the first intervention's start to the last one's end (s6(5)(b)).
        "occurred_at": min(starts) if starts else None,
        "ended_at": max(ends) if ends and len(ends) == len(interventions) else None,
    }


# --- The task list, each later section, check your answers ---


def _draft(request: HttpRequest, incident_id: int) -> tuple[Incident, selectors.IncidentPage]:
    """The incident if it is a draft the user may record on; a submitted one goes to its own page."""
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_RECORD)
    if incident.status != IncidentStatus.DRAFT:
        raise _NotDraft(incident)
    if refusal := services.void_refusal(incident):
        raise _NotDraft(incident, refusal)
    return incident, selectors.incident_page(incident)


class _NotDraft(Exception):
    """The record is not a draft that can be continued here (submitted, or voided: `message` says)."""

    def __init__(self, incident: Incident, message: str = "") -> None:
        self.incident = incident
        self.message = message or "This record has been submitted: change it from its page, with a reason."


def _record_of(page: selectors.IncidentPage) -> Record:
    return Record(
        version=page.version,
        interventions=page.interventions,
        staff=page.staff,
        patient=page.incident.current_patient,
        debriefs_recorded=frozenset(debriefs.debriefs_current(page.incident)),
    )


def _debriefs_context(incident: Incident, page: selectors.IncidentPage) -> dict[str, Any]:
    """The debriefs section's cards: each kind's current record with a link to record it, and the
    version's own yes/no answers where no record exists (read only: decision 0061)."""
    current = debriefs.debriefs_current(incident)
    answers = debrief_answers([page.version])[incident.pk]
    return {
        "debriefs": current,
        "debrief_kinds": DebriefKind.choices,
        "legacy_answers": None if current else answers,
    }


def _not_draft(view: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _NotDraft as stop:
            messages.info(request, stop.message)
            return redirect("force:incident-detail", incident_id=stop.incident.pk)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_http_methods(FORM_METHODS)
@_not_draft
def record_tasks(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The task list: each section with its status, then "Check your answers and submit"."""
    incident, page = _draft(request, incident_id)
    record = _record_of(page)
    items = [
        {
            "title": section.title,
            "hint": section.hint,
            "href": reverse("force:record-section", args=[incident.pk, section.slug]),
            "status": status,
        }
        for section, status in sections.statuses(record)
    ]
    return render(
        request,
        "force/record_tasks.jinja",
        {
            "incident": incident,
            "patient": incident.current_patient,
            "ward": incident.ward,
            "items": items,
            "task_items": [_task_item(item) for item in items],
            "done": sum(1 for item in items if item["status"] in (sections.COMPLETED, sections.NOT_NEEDED)),
            "ready": sections.all_done(record),
            "missing": page.missing_items,
        },
    )


_TAGS = {
    sections.IN_PROGRESS: "nhsuk-tag--yellow",
    sections.NOT_STARTED: "nhsuk-tag--blue",
    sections.OPTIONAL: "nhsuk-tag--grey",
    sections.NOT_NEEDED: "nhsuk-tag--grey",
    sections.CANNOT_START: "nhsuk-tag--grey",
}


def _task_item(item: dict[str, Any]) -> dict[str, Any]:
    """An NHS.UK task list item: Completed as plain text, every other status as a tag (the pattern)."""
    status = item["status"]
    shown = (
        {"text": status}
        if status == sections.COMPLETED
        else {"tag": {"text": status, "classes": _TAGS[status]}}
    )
    return {"title": {"text": item["title"]}, "hint": item["hint"], "href": item["href"], "status": shown}


def _save(
    request: HttpRequest, incident: Incident, section: sections.Section, base_version: int, **changes: Any
) -> None:
    services.incident_amend(
        incident=incident,
        by=request.user,
        reason=f"Draft: {section.title.lower()} saved",
        base_version=base_version,
        request=request,
        **changes,
    )


class _Refused(NamedTuple):
    """Why a section's save was refused: the messages above the form and the version to carry on from."""

    general: list[str]
    base: int


def _try_save(
    request: HttpRequest,
    incident: Incident,
    section: sections.Section,
    base: int,
    *,
    invalid: Callable[[ValidationError], list[str]],
    **changes: Any,
) -> _Refused | None:
    """Save a section (``_save``) and answer a refusal as every section page does; None when saved.

    Someone without the right (or a record gone out of reach) is 404; the service's field errors are
    put on the page's forms by ``invalid``, which returns the messages for above them; a stale draft
    carries on from the version now saved (409, decision 0018); a busy database keeps what was typed (503).
    """
    try:
        _save(request, incident, section, base, **changes)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as problem:
        return _Refused(invalid(problem), base)
    except StaleVersion as stale:
        return _Refused(_stale(stale), stale.current)
    except OperationalError as problem:
        return _Refused(_busy(problem), base)
    return None


@require_http_methods(FORM_METHODS)
@_not_draft
def record_section(request: HttpRequest, incident_id: int, slug: str) -> HttpResponse:
    """One section of a draft: shown filled from the draft, saved as a new draft version."""
    section = sections.BY_SLUG.get(slug)
    if section is None:
        raise Http404
    incident, page = _draft(request, incident_id)
    data, restored = _posted(request)
    action = _action(data)
    handler = {"force": _section_force, "staff": _section_staff, "outcome": _section_outcome}.get(
        slug, _section_details
    )
    return handler(request, incident, page, section, data, action, restored)


def _after_save(request: HttpRequest, incident: Incident, section: sections.Section) -> HttpResponse:
    messages.success(request, f"{section.title} saved.")
    return redirect("force:record-tasks", incident_id=incident.pk)


def _section_force(request, incident, page, section, data, action, restored) -> HttpResponse:
    initial, initial_rows = _force_initial(page.version, page)
    base = _base_version(data, page)
    details = sections.details_form(section, data, initial=initial)
    rows = _rows(data, action, initial_rows)
    general: list[str] = []
    if request.method == "POST" and action == "save" and _valid(details, rows):
        refused = _try_save(
            request,
            incident,
            section,
            base,
            invalid=lambda problem: _apply_row_errors(problem, details, rows),
            interventions=[form.to_input() for form in rows if not form.is_blank()],
            **_force_content(details, rows),
        )
        if refused is None:
            return _after_save(request, incident, section)
        general, base = refused
    if action in ("add_intervention", "stay"):
        details = _unbound_copy(details)
        _keep_fields(details, "force")
    return _render_force(
        request,
        ward=incident.ward,
        patient=incident.current_patient,
        incident=incident,
        details=details,
        rows=rows,
        restored=restored,
        general=general,
        base_version=base,
    )


def _render_section(
    request: HttpRequest,
    incident: Incident,
    section: sections.Section,
    template: str,
    forms_: list[Any],
    restored: bool,
    general: list[str] = (),
    **extra: Any,
) -> HttpResponse:
    errors = [{"text": message, "href": "#section-form"} for message in general]
    errors += presenters.form_error_links(forms_)
    return _answer(
        render(
            request,
            template,
            {
                "incident": incident,
                "patient": incident.current_patient,
                "ward": incident.ward,
                "section": section,
                "errors": errors,
                "restored": restored,
                **extra,
            },
            status=400 if errors else 200,
        ),
        general,
    )


def _service_errors(problem: ValidationError, form: Any) -> list[str]:
    general = []
    direct = {
        "police_arrived_at": "police_arrived_time",
        "police_requested_at": "police_requested_time",
        "care_plan_notified_at": "care_plan_notified_time",
    }
    for key, messages_ in problem.message_dict.items():
        name = direct.get(key, key)
        for message in messages_:
            if name in form.fields:
                form.add_error(name, message)
            else:
                general.append(message)
    return general


def _section_details(request, incident, page, section, data, action, restored) -> HttpResponse:
    initial = sections.IncidentDetailsForm.initial_from(page.version)
    if section.slug == "notification" and page.version.care_plan_notified_at is None:
        # Continuing a draft keeps the notification date default (today) that a new record has.
        initial["care_plan_notified_date"] = timezone.localdate().isoformat()
    form = sections.details_form(section, data, initial=initial)
    base = _base_version(data, page)
    general: list[str] = []
    if request.method == "POST" and action == "save" and form.is_valid():
        refused = _try_save(
            request,
            incident,
            section,
            base,
            invalid=lambda problem: _service_errors(problem, form),
            **sections.section_changes(form),
        )
        if refused is None:
            return _after_save(request, incident, section)
        general, base = refused
    if action == "stay":
        form = _unbound_copy(form)
        _keep_fields(form, section.slug)
    return _render_section(
        request,
        incident,
        section,
        "force/record_section.jinja",
        [form],
        restored,
        general,
        form=form,
        base_version=base,
        **(
            _plan_context(request, incident.current_patient, section.slug)
            if section.slug in PLAN_SHOWN_ON
            else {}
        ),
        **(_debriefs_context(incident, page) if section.slug == "debriefs" else {}),
    )


def _section_outcome(request, incident, page, section, data, action, restored) -> HttpResponse:
    form = sections.OutcomeForm(data, initial=sections.OutcomeForm.initial_from(page.version))
    base = _base_version(data, page)
    general: list[str] = []
    if request.method == "POST" and action == "save" and form.is_valid():
        refused = _try_save(
            request,
            incident,
            section,
            base,
            invalid=lambda problem: _service_errors(problem, form),
            **form.changes(),
        )
        if refused is None:
            return _after_save(request, incident, section)
        general, base = refused
    if action == "stay":
        form = _unbound_copy(form)
    return _render_section(
        request,
        incident,
        section,
        "force/record_outcome.jinja",
        [form],
        restored,
        general,
        form=form,
        happened=sections.HAPPENED,
        base_version=base,
    )


def _section_staff(request, incident, page, section, data, action, restored) -> HttpResponse:
    ward = incident.ward
    roster = list(selectors.ward_roster(ward))
    picked = {s.staff_member_id: s.part for s in page.staff if s.staff_member_id}
    saved_others = [
        {"name": s.name, "job_title": s.job_title, "part": s.part}
        for s in page.staff
        if not s.staff_member_id
    ]
    roster_forms = [
        RosterStaffForm(
            data,
            prefix=f"roster-{member.pk}",
            member=member,
            initial={"involved": member.pk in picked, "part": picked.get(member.pk, "")},
        )
        for member in roster
    ]
    other_count = _count_of(data, "other_count", max(1, len(saved_others)))
    others = [
        OtherStaffForm(data, prefix=f"other-{n}", initial=saved_others[n] if n < len(saved_others) else {})
        for n in range(other_count)
    ]
    if action == "add_person" and len(others) < MAX_ROWS:
        others.append(OtherStaffForm(prefix=f"other-{len(others)}"))
    base = _base_version(data, page)
    general: list[str] = []
    if request.method == "POST" and action == "save" and _valid(roster_forms, others):
        used = [form for form in [*roster_forms, *others] if not form.is_blank()]
        refused = _try_save(
            request,
            incident,
            section,
            base,
            invalid=lambda problem: [m for messages_ in problem.message_dict.values() for m in messages_],
            staff=[form.to_input() for form in used],
        )
        if refused is None:
            return _after_save(request, incident, section)
        general, base = refused
    if action in ("add_person", "stay"):
        roster_forms = [_unbound_copy(form, member=form.member) for form in roster_forms]
        others = [_unbound_copy(form) if form.is_bound else form for form in others]
    on_ward, elsewhere = _split_roster(roster_forms, ward, picked, request.user)
    return _render_section(
        request,
        incident,
        section,
        "force/record_staff.jinja",
        [*roster_forms, *others],
        restored,
        general,
        on_ward=on_ward,
        elsewhere=elsewhere,
        others=others,
        base_version=base,
    )


def _split_roster(
    roster_forms: list[RosterStaffForm], ward: Ward, picked: dict[int, str], user: Any
) -> tuple[list[RosterStaffForm], list[RosterStaffForm]]:
    """The ward's own staff first (the signed-in user at the top), then the provider's staff who belong
    to no ward (bank, response team). RRP has no duty rota, so "on shift" is the ward's own roster."""
    own_ids = set(ward.staff.values_list("pk", flat=True))
    me = getattr(getattr(user, "staff_member", None), "pk", None)
    on_ward = sorted(
        (form for form in roster_forms if form.member.pk in own_ids),
        key=lambda form: (form.member.pk != me, form.member.pk not in picked),
    )
    elsewhere = [form for form in roster_forms if form.member.pk not in own_ids]
    return on_ward, elsewhere


@require_http_methods(FORM_METHODS)
@_not_draft
def record_check(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Check your answers: every section's answers with a Change link each, then submit for review."""
    incident, page = _draft(request, incident_id)
    record = _record_of(page)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            services.incident_submit(incident=incident, by=request.user, request=request)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            errors = [
                {"text": f"Missing: {item}", "href": "#completeness"}
                for item in problem.message_dict.get("statutory_items", [])
            ] + [
                {"text": message, "href": "#submit"}
                for key, messages_ in problem.message_dict.items()
                if key != "statutory_items"
                for message in messages_
            ]
        else:
            messages.success(request, "Incident submitted for review.")
            return redirect("force:incident-detail", incident_id=incident.pk)
    return render(
        request,
        "force/record_check.jinja",
        {
            "incident": incident,
            "patient": incident.current_patient,
            "ward": incident.ward,
            "page": page,
            "statuses": sections.statuses(record),
            "missing": page.missing_items,
            "errors": errors,
            "p": presenters,
        },
        status=400 if errors else 200,
    )
