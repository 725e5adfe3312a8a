"""Chart pictures as downloads: the SVG or PNG response of a chart's Vega-Lite spec, drawn by vl-convert.

Shared by the board's ward charts and the collaborative's pooled charts, so that every chart download
is drawn from the very spec its page shows (and so suppressed exactly as the page is).
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse

from rrp.charts import chart_to_png, chart_to_svg

PictureKind = Literal["svg", "png"]
CONTENT_TYPES: dict[str, str] = {"svg": "image/svg+xml", "png": "image/png"}


def chart_picture_response(spec: dict[str, object], *, kind: PictureKind, filename: str) -> HttpResponse:
    """The chart drawn as ``kind`` and sent as an attachment named ``filename`` + ``.svg`` or ``.png``."""
    body: str | bytes = chart_to_svg(spec) if kind == "svg" else chart_to_png(spec)
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response
