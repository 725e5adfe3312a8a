"""The driver diagram drawn as SVG (issue 14, item 2): every driver and idea is a box in its column, joined
to its parent, the text escaped, long text shortened with its whole text kept in the box's title, and the
picture labelled as an image whose list follows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rrp.improvement.diagram_drawing import diagram_svg
from rrp.improvement.diagram_services import parse_outline

SVG = "{http://www.w3.org/2000/svg}"
OUTLINE = """Staff notice rising tension early
- A daily safety huddle names the patients at risk
  * Safety huddles
  * Huddle card <at> the nurses' station & the office
- Handover says what helps each person
Patients choose how to calm down
- Calm-down options offered before any hands-on intervention, every time, on every shift, by every member of staff on duty
"""


def test_every_box_in_its_column_joined_to_its_parent() -> None:
    content = parse_outline(OUTLINE, ideas={"safety huddles": 7}).content
    svg = ET.fromstring(str(diagram_svg(content, "Reduce restraint by 25% by 2027")))
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    titles = [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g")]
    assert titles[-1] == "Aim: Reduce restraint by 25% by 2027"
    assert "Change idea: Huddle card <at> the nurses' station & the office" in titles  # escaped, parsed back
    assert sum(t.startswith("Primary driver:") for t in titles) == 2
    assert sum(t.startswith("Secondary driver:") for t in titles) == 3
    assert sum(t.startswith("Change idea:") for t in titles) == 2
    # One joining line per box but the aim: 2 primaries, 3 secondaries, 2 ideas.
    assert len(list(svg.iter(f"{SVG}path"))) == 7
    # Long text is shortened in the box but whole in its title.
    long = next(g for g in svg.iter(f"{SVG}g") if "every member of staff" in g.find(f"{SVG}title").text)
    shown = " ".join(t.text for t in long.iter(f"{SVG}tspan"))
    assert shown.endswith("…") and len(long.findall(f".//{SVG}tspan")) == 3
    # Boxes of one column share their x; columns run left to right.
    xs = {
        g.find(f"{SVG}title").text.split(":")[0]: float(g.find(f"{SVG}rect").get("x"))
        for g in svg.iter(f"{SVG}g")
    }
    assert xs["Aim"] < xs["Primary driver"] < xs["Secondary driver"] < xs["Change idea"]
