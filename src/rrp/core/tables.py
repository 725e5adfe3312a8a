"""NHS.UK's table component as HTML, written once for every page, chart data table and the board pack.

``table_html`` writes the markup of NHS.UK's table (the classes and structure of nhsuk-frontend's
``table`` template: a caption, column headings with their scope, numbers right-aligned, the first cell
of each row as its heading, and optionally the responsive layout that stacks each row under its
headings on a narrow screen). Templates call it through the ``data_table`` macro
(``macros/tables.jinja``). It is Python rather than nhsuk-frontend-jinja's own ``table`` macro because
that macro spends about 0.7 ms a cell (5 s for a 1,000-row table; a national collaborative's member
table has 668 rows), and a macro of Jinja loops about 13 µs; this takes about 1 µs (decision 0013).

A heading is a string or a mapping ``{"text" or "html": ..., "numeric": bool, "classes": str}``; a cell
is a string or number (escaped), HTML (``markupsafe.Markup``: a ``{% set %}`` block, ``| figure``), or
a mapping of the same keys. A numeric column's cells are right-aligned with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape


def _content(item: Any) -> tuple[Markup, bool, str]:
    """The item's HTML, whether it asks to be numeric, and its extra classes."""
    if isinstance(item, Mapping):
        html = item.get("html")
        text = escape(html) if html is not None and html != "" else escape(item.get("text", ""))
        return Markup(text), bool(item.get("numeric")), str(item.get("classes") or "")
    return Markup(escape(item)), False, ""


def table_html(
    caption: str,
    head: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    first_cell_is_header: bool = True,
    header_column: int = 0,
    responsive: bool = False,
    caption_size: str = "",
    classes: str = "",
    row_classes: Sequence[str] | None = None,
) -> Markup:
    """The table as HTML (see the module docstring for headings and cells). The row's heading is its
    first cell, or the cell in ``header_column``, unless ``first_cell_is_header`` is false."""
    heads = [_content(h) for h in head]
    numeric = [n for _, n, _ in heads]
    # On a narrow screen each cell of a responsive table shows its column's heading (hidden from readers).
    spans = [
        Markup(f'<span class="nhsuk-table__heading" aria-hidden="true">{html} </span>')
        for html, _, _ in heads
    ]
    out = [
        f'<table class="nhsuk-table{" nhsuk-table--responsive" if responsive else ""}'
        f'{" " + escape(classes) if classes else ""}"{' role="table"' if responsive else ""}>',
        f'<caption class="nhsuk-table__caption'
        f'{" nhsuk-table__caption--" + escape(caption_size) if caption_size else ""}">{escape(caption)}</caption>',
        f'<thead class="nhsuk-table__head"{' role="rowgroup"' if responsive else ""}>'
        f'<tr class="nhsuk-table__row"{' role="row"' if responsive else ""}>',
    ]
    for html, is_numeric, extra in heads:
        css = "nhsuk-table__header" + (" nhsuk-table__header--numeric" if is_numeric else "")
        css += f" {escape(extra)}" if extra else ""
        role = ' role="columnheader"' if responsive else ""
        out.append(f'<th class="{css}" scope="col"{role}>{html}</th>')
    out.append('</tr></thead><tbody class="nhsuk-table__body">')
    for index, row in enumerate(rows):
        row_css = f" {escape(row_classes[index])}" if row_classes and row_classes[index] else ""
        out.append(f'<tr class="nhsuk-table__row{row_css}"{' role="row"' if responsive else ""}>')
        for column, cell in enumerate(row):
            html, is_numeric, extra = _content(cell)
            header = first_cell_is_header and column == header_column
            tag, kind = ("th", "nhsuk-table__header") if header else ("td", "nhsuk-table__cell")
            css = kind
            if is_numeric or (column < len(numeric) and numeric[column]):
                css += f" {kind}--numeric"
            css += f" {escape(extra)}" if extra else ""
            attributes = ' scope="row"' if header else ""
            if responsive:
                attributes += f' role="{"rowheader" if header else "cell"}"'
                html = (spans[column] if column < len(spans) else Markup()) + html
            out.append(f'<{tag} class="{css}"{attributes}>{html}</{tag}>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return Markup("\n".join(out))
