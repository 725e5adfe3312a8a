"""The debrief pages of an incident (issue 15 item 2): the patient's, a carer's and the staff debrief,
each recorded (or corrected, with a reason) on its own page. Scoped and audited as every incident page
(``views.scoped_incident``); writing needs ``incident_record`` on the incident's ward."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.core.concurrency import StaleVersion
from rrp.core.http import FORM_METHODS
from rrp.force import debriefs, presenters
from rrp.force.codes import DebriefKind, IncidentStatus
from rrp.force.forms import DebriefForm
from rrp.force.models import Incident
from rrp.force.views import scoped_incident
from rrp.people import selectors as people_selectors

TITLES = {
    DebriefKind.PATIENT: "Debrief with the patient",
    DebriefKind.CARER: "Debrief with a carer or family member",
    DebriefKind.STAFF: "Staff debrief",
}
# Form errors from the service name model fields; the page has a date and a time for each moment.
FIELD_OF = {"offered_at": "offered_date", "held_at": "held_date"}


def _back_from(incident: Incident) -> HttpResponse:
    """Where a saved debrief goes: a draft's task list section it was recorded from, else the incident."""
    if incident.status == IncidentStatus.DRAFT:
        return redirect("force:record-section", incident_id=incident.pk, slug="debriefs")
    return redirect("force:incident-detail", incident_id=incident.pk)


@require_http_methods(FORM_METHODS)
def debrief_record(request: HttpRequest, incident_id: int, kind: str) -> HttpResponse:
    """Record one kind of debrief of the incident, or correct the one recorded."""
    if kind not in DebriefKind.values:
        raise Http404
    incident = scoped_incident(request, incident_id)
    require_permission(request.user, Permission.INCIDENT_RECORD, ward=incident.ward)
    current = debriefs.debriefs_current(incident).get(kind)
    posted = request.POST if request.method == "POST" else None
    form = DebriefForm(posted, initial=DebriefForm.initial_from(current)).for_kind(
        kind, correcting=current is not None
    )
    # The version this page was opened at: a save from it is refused if someone saved since.
    base = debriefs.debrief_version(incident, kind)
    if posted is not None and posted.get("base_version", "").strip().isdigit():
        base = int(posted["base_version"])
    general: list[str] = []
    status = 200
    if posted is not None and form.is_valid():
        try:
            debriefs.debrief_record(
                incident=incident,
                kind=kind,
                by=request.user,
                base_version=base,
                change_reason=form.cleaned_data.get("change_reason") or "",
                request=request,
                **form.content(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as problem:
            for name, problems in problem.message_dict.items():
                target = FIELD_OF.get(name, name)
                for message in problems:
                    if target in form.fields:
                        form.add_error(target, message)
                    else:
                        general.append(message)
        except StaleVersion as stale:
            general.append(
                f"{stale} What is shown now is your version; the one saved since is on the incident page."
            )
            base = stale.current
            status = 409
        else:
            messages.success(request, f"{TITLES[kind]} saved.")
            return _back_from(incident)
    errors = [{"text": message, "href": "#debrief-form"} for message in general]
    errors += presenters.form_error_links([form])
    plan = None
    if kind == DebriefKind.PATIENT:
        plan = people_selectors.support_plan_for(
            request.user, incident.current_patient, request=request, where="patient debrief"
        )
    return render(
        request,
        "force/debrief_record.jinja",
        {
            "incident": incident,
            "kind": kind,
            "title": TITLES[kind],
            "form": form,
            "current": current,
            "errors": errors,
            "plan": plan,
            "base_version": base,
        },
        status=status if status != 200 or not errors else 400,
    )
