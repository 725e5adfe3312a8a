"""A driver diagram drawn as SVG (issue 14, item 2): the aim on the left, then primary drivers, secondary
drivers and change ideas in columns, each joined to its parent, as teams draw them on paper and in Life
QI. Drawn on the server from a version's ``content`` (no JavaScript). The picture is for sighted readers
at a glance; the page's nested list beside it is the accessible version, so the SVG carries a title and a
description and says so."""

from __future__ import annotations

import textwrap
from html import escape

from markupsafe import Markup

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 210, 54, 40, 12, 10
CHARS_PER_LINE, LINES = 30, 3
COLUMNS = ("Aim", "Primary drivers", "Secondary drivers", "Change ideas")
FILLS = ("#005eb8", "#e8edee", "#ffffff", "#fff9c4")  # NHS blue aim, pale grey, white, pale yellow ideas
TEXT_FILLS = ("#ffffff", "#212b32", "#212b32", "#212b32")


def _lines(text: str) -> list[str]:
    lines = textwrap.wrap(text, CHARS_PER_LINE) or [""]
    if len(lines) > LINES:
        lines = [
            *lines[: LINES - 1],
            textwrap.shorten(" ".join(lines[LINES - 1 :]), CHARS_PER_LINE, placeholder="…"),
        ]
    return lines


def _box(column: int, y: float, text: str) -> str:
    x = PAD + column * (BOX_W + GAP_X)
    lines = _lines(text)
    first = y + BOX_H / 2 - (len(lines) - 1) * 7 + 4
    spans = "".join(
        f'<tspan x="{x + 8}" y="{first + i * 14:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    return (
        f"<g><title>{escape(COLUMNS[column].rstrip('s'))}: {escape(text)}</title>"
        f'<rect x="{x}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="4" fill="{FILLS[column]}" '
        f'stroke="#425563" stroke-width="1"/>'
        f'<text font-family="Frutiger W01, Arial, sans-serif" font-size="12" fill="{TEXT_FILLS[column]}">'
        f"{spans}</text></g>"
    )


def _link(column: int, y_from: float, y_to: float) -> str:
    """A line from a box's right edge in ``column`` to its child's left edge in the next column."""
    x1 = PAD + column * (BOX_W + GAP_X) + BOX_W
    x2 = x1 + GAP_X
    a, b = y_from + BOX_H / 2, y_to + BOX_H / 2
    mid = (x1 + x2) / 2
    return f'<path d="M{x1},{a:.1f} H{mid} V{b:.1f} H{x2}" fill="none" stroke="#768692" stroke-width="1.5"/>'


def diagram_svg(content: dict, aim_text: str, *, standalone: bool = False) -> Markup:
    """The diagram as an inline SVG: one row per change idea (or per driver with nothing under it), each
    parent centred on its children. ``standalone`` sizes it in pixels, for a file opened on its own."""
    boxes: list[str] = []
    links: list[str] = []
    row = 0

    def y_of(r: float) -> float:
        return PAD + 24 + r * (BOX_H + GAP_Y)

    primary_rows: list[float] = []
    for primary in content.get("primary", []):
        secondary_rows: list[float] = []
        for secondary in primary.get("secondary", []):
            idea_rows = []
            for idea in secondary.get("ideas", []):
                boxes.append(_box(3, y_of(row), idea["text"]))
                idea_rows.append(row)
                row += 1
            if not idea_rows:
                row += 1
            at = sum(idea_rows) / len(idea_rows) if idea_rows else row - 1
            boxes.append(_box(2, y_of(at), secondary["text"]))
            links += [_link(2, y_of(at), y_of(r)) for r in idea_rows]
            secondary_rows.append(at)
        if not secondary_rows:
            row += 1
        at = sum(secondary_rows) / len(secondary_rows) if secondary_rows else row - 1
        boxes.append(_box(1, y_of(at), primary["text"]))
        links += [_link(1, y_of(at), y_of(r)) for r in secondary_rows]
        primary_rows.append(at)
    aim_at = sum(primary_rows) / len(primary_rows) if primary_rows else 0
    boxes.append(_box(0, y_of(aim_at), aim_text))
    links += [_link(0, y_of(aim_at), y_of(r)) for r in primary_rows]
    width = PAD * 2 + 4 * BOX_W + 3 * GAP_X
    height = y_of(max(row, 1)) + PAD
    headings = "".join(
        f'<text x="{PAD + i * (BOX_W + GAP_X)}" y="{PAD + 12}" font-family="Frutiger W01, Arial, sans-serif" '
        f'font-size="13" font-weight="bold" fill="#212b32">{name}</text>'
        for i, name in enumerate(COLUMNS)
    )
    size = f'width="{width}" height="{height:.0f}"' if standalone else 'width="100%"'
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" {size} '
        f'role="img" aria-labelledby="driver-diagram-title driver-diagram-desc" class="rrp-driver-diagram-svg">'
        f'<title id="driver-diagram-title">Driver diagram</title>'
        f'<desc id="driver-diagram-desc">The aim, {len(primary_rows)} primary drivers, their secondary drivers '
        f"and change ideas, drawn as a tree; the same diagram follows as a list.</desc>"
        f"{headings}{''.join(links)}{''.join(boxes)}</svg>"
    )
