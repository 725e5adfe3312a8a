"""Values of measures counted outside RRP's records (issue 20, decision 0043), through the API: the same
CSV as ``rrp import measure-values``, for an incident system's nightly export (docs/measure-values.md)."""

from __future__ import annotations

import io

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from rrp.accounts.models import User
from rrp.accounts.permissions import require_permission
from rrp.accounts.roles import Permission
from rrp.accounts.scope import wards_for
from rrp.api.problems import problem_responses
from rrp.core.csv_import import file_rejected
from rrp.core.validation.files import FileProblem, decode_text
from rrp.measures.values import measure_values_import

router = Router(tags=["Measure values"])


class MeasureValuesImportResult(Schema):
    """What an import did: rows read, first values saved, values corrected (a new version each) and rows
    equal to the value already held."""

    rows: int
    created: int
    corrected: int
    unchanged: int


@router.post(
    "/measure-values/import",
    response={200: MeasureValuesImportResult, **problem_responses(400, 401, 403, 409, 422)},
    summary="Import measure values (assaults, self-harm, staff sickness, huddles, Safewards) from a CSV",
)
def import_measure_values(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    """A CSV with exactly the columns `ward_code,measure,period_start,numerator,denominator` (multipart
    form field `file`), for the wards the token's user may enter values for. All or nothing: any problem
    rejects the file (422) with every problem listed by row and column, and nothing is saved. The same
    file twice changes nothing; a changed figure is a new version whose reason names the file."""
    user: User = request.auth  # type: ignore[attr-defined]
    require_permission(
        user, Permission.MEASURE_VALUES_ENTER, denied="Your role cannot enter or import measure values."
    )
    try:
        text = decode_text(file.read())
    except FileProblem as problem:
        raise file_rejected(problem) from None
    return measure_values_import(
        source=io.StringIO(text, newline=""), wards=wards_for(user), by=user, name=file.name or "upload"
    )
