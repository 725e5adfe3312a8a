"""POST /api/adt: one HL7 v2 ADT message from a trust's integration engine, answered with an HL7 ACK.

The body is the message itself (segments separated by carriage returns; content type
``x-application/hl7-v2+er7`` or ``text/plain``), applied through the same code as `rrp import adt`
(``people.adt``) for the token user's provider. The answer is always an HL7 acknowledgement, with HTTP
200 once the token and permission are good: ``AA`` applied, already received, or held in the queue for
the information team (the reason in MSA-3); ``AE`` for a malformed message, nothing changed, with ERR
naming the segment and field; ``AR`` for a message type RRP does not read. A missing or bad token is the
API's usual 401 problem, a role without ``patient_feed_manage`` its 403 (docs/api.md).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.api.problems import problem_responses
from rrp.people.adt import adt_acknowledge, malformed_ack

router = Router(tags=["Patient administration feed"])
HL7_CONTENT_TYPE = "x-application/hl7-v2+er7"


@router.post(
    "/adt",
    response={200: str, **problem_responses(401, 403)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                HL7_CONTENT_TYPE: {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
        "responses": {
            200: {"description": "An HL7 ACK (MSA AA, AE or AR)", "content": {HL7_CONTENT_TYPE: {}}}
        },
    },
)
def adt(request: HttpRequest) -> HttpResponse:
    """Apply one ADT message (A01, A02, A03, A08, A11, A12, A13, A40) for your provider; the answer is its
    HL7 ACK."""
    user = request.user
    require_permission(
        user, Permission.PATIENT_FEED_MANAGE, denied="Your role cannot send the patient administration feed."
    )
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        ack = malformed_ack("The message is not UTF-8 text")
    else:
        ack = adt_acknowledge(provider=user.provider, message_text=text, by=user, request=request)
    return HttpResponse(ack, content_type=f"{HL7_CONTENT_TYPE}; charset=utf-8")
