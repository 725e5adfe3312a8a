"""NHS England's Making Data Count variation and assurance icons, drawn as small SVG pictures.

The design follows NHS England's published specification (*Making data count: strengthening your
decisions*, NHS Improvement 2019, and the icon set the NHS-R Community distributes with NHSRplotthedots
under the MIT licence): a white disc in a thick coloured ring, and inside it

- variation: five points of a little chart joined by lines; common cause all grey; special cause with
  its last two points in the ring's colour, high or low, and the letter H or L; a neutral special
  cause is a purple arrow pointing up or down;
- assurance: the letter P (blue: the target will be met), F (orange: it will not be met without
  change) or ? (grey: met only some of the time), a dashed target line and a grey process line
  above it (P), below it (F) or crossing it (?).

The geometry here is our own drawing of that design on a 100 x 100 grid (no file is copied); the
colours are the specification's. Licence and source are noted in docs/spc.md. Pure Python: the same
SVG goes in the pages (inline), in the Vega-Lite charts (as an image) and in the board pack.
"""

from __future__ import annotations

import base64
import html

#: Ring and highlight colours of the published icon set.
ICON_COLOURS = {
    "common_cause": "#BFBFBF",
    "special_cause_improvement": "#0072C6",
    "special_cause_concern": "#FF6600",
    "special_cause_neutral_high": "#8000C0",
    "special_cause_neutral_low": "#8000C0",
    "consistent_pass": "#0072C6",
    "consistent_fail": "#FF6600",
    "inconsistent": "#BFBFBF",
}
POINT_GREY = "#7F7F7F"
_XS = (26, 38, 50, 62, 74)
_COMMON_YS = (52, 62, 41, 59, 55)
_HIGH_YS = (58, 63, 58, 45, 49)
_LOW_YS = (42, 37, 42, 55, 51)


def _ring(colour: str) -> str:
    return f'<circle cx="50" cy="50" r="41" fill="#fff" stroke="{colour}" stroke-width="6"/>'


def _letter(letter: str, colour: str, *, x: float, y: float) -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" '
        f'font-weight="700" font-size="30" fill="{colour}">{html.escape(letter)}</text>'
    )


def _points(ys: tuple[int, ...], colours: tuple[str, ...]) -> str:
    path = " ".join(f"{'M' if i == 0 else 'L'}{x} {y}" for i, (x, y) in enumerate(zip(_XS, ys, strict=True)))
    out = [f'<path d="{path}" fill="none" stroke="{POINT_GREY}" stroke-width="2.5"/>']
    out += [
        f'<circle cx="{x}" cy="{y}" r="5.5" fill="{c}"/>' for x, y, c in zip(_XS, ys, colours, strict=True)
    ]
    return "".join(out)


def _variation_body(code: str, letter: str, colour: str) -> str:
    if code == "common_cause":
        return _points(_COMMON_YS, (colour,) * 5)
    high = letter == "H"
    if code.startswith("special_cause_neutral"):
        arrow = (
            "M30 66 L54 42 L46 34 L70 30 L66 54 L58 46 L34 70 Z"
            if high
            else ("M30 34 L54 58 L46 66 L70 70 L66 46 L58 54 L34 30 Z")
        )
        return f'<path d="{arrow}" fill="{colour}"/>'
    ys = _HIGH_YS if high else _LOW_YS
    body = _points(ys, (POINT_GREY,) * 3 + (colour,) * 2)
    return body + _letter(letter, colour, x=40, y=38 if high else 82)


def _assurance_body(code: str, letter: str, colour: str) -> str:
    target_y, process = {
        "consistent_pass": (70, "M22 60 C32 50 40 52 48 58 C56 64 62 50 70 54 C74 56 76 55 78 55"),
        "consistent_fail": (48, "M22 62 C32 52 40 54 48 62 C56 68 62 56 70 60 C74 62 76 61 78 61"),
        "inconsistent": (58, "M22 66 C30 50 38 50 46 60 C54 70 60 48 68 52 C72 54 76 58 78 58"),
    }[code]
    return (
        _letter(letter, colour, x=50, y=40)
        + f'<path d="M12 {target_y} H88" stroke="{colour}" stroke-width="2.5" stroke-dasharray="7 2.5"/>'
        + f'<path d="{process}" fill="none" stroke="{POINT_GREY}" stroke-width="3"/>'
    )


def icon_svg(kind: str, code: str, letter: str, *, size: int = 28, title: str | None = None) -> str:
    """One icon as an ``<svg>`` element ``size`` pixels square; ``kind`` is "variation" or "assurance",
    ``code`` the point type or assurance code, ``letter`` H, L, ~, P, F or ?. Without ``title`` the
    picture is hidden from assistive technology (the caller puts the words beside it)."""
    colour = ICON_COLOURS[code]
    body = (
        _variation_body(code, letter, colour)
        if kind == "variation"
        else _assurance_body(code, letter, colour)
    )
    label = (
        f'role="img" aria-label="{html.escape(title)}"' if title else 'aria-hidden="true" focusable="false"'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 100 100" {label}>'
        f"{_ring(colour)}{body}</svg>"
    )


def icon_data_uri(kind: str, code: str, letter: str) -> str:
    """The icon as a ``data:`` URI, for a Vega-Lite image mark (the page's CSP allows ``data:`` images)."""
    svg = icon_svg(kind, code, letter, size=100)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
