"""Downloads: CSV files through the one safe writer, and chart pictures drawn by vl-convert.

Every CSV download of the reports is :func:`csv_download`, so every cell goes through
``core.csv_export`` (formulas neutralised, RRP's numbers kept as numbers). Chart pictures are shared by
the board's ward charts and the collaborative's pooled charts, so that every chart download is drawn
from the very spec its page shows (and so suppressed exactly as the page is).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from django.http import HttpResponse

from rrp.charts import chart_to_png, chart_to_svg
from rrp.core.csv_export import Row, csv_text

PictureKind = Literal["svg", "png"]
CONTENT_TYPES: dict[str, str] = {"svg": "image/svg+xml", "png": "image/png"}


def chart_picture_response(spec: dict[str, object], *, kind: PictureKind, filename: str) -> HttpResponse:
    """The chart drawn as ``kind`` and sent as an attachment named ``filename`` + ``.svg`` or ``.png``."""
    body: str | bytes = chart_to_svg(spec) if kind == "svg" else chart_to_png(spec)
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


def csv_download(rows: Iterable[Row], *, filename: str, header: Sequence[str] | None = None) -> HttpResponse:
    """``rows`` as a CSV attachment named ``filename``, written by ``core.csv_export`` (safe to open in a
    spreadsheet)."""
    response = HttpResponse(csv_text(rows, header=header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
