"""Reading an ADT message cut down to the segments and fields RRP reads gives every field exactly as the
kept library reads it from the whole message (decision 0069): a differential test over messages with
segments RRP ignores, repeated segments, repetitions, components, sub-components and escapes."""

from __future__ import annotations

import hl7
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rrp.people.adt import MSH_FIELDS, READ_FIELDS, _Segments

# Field text with the separators and the escape character, so repetitions, components and escapes occur.
TEXT = st.text(alphabet="AB7 ^~&\\FSTERX.", max_size=10)
FIELDS = st.lists(st.one_of(st.just(""), TEXT), max_size=50)
NAMES = st.sampled_from(["EVN", "PID", "PV1", "MRG", "NK1", "PV2", "OBX", "ZU1", "AL1"])


@st.composite
def messages(draw: st.DrawFn) -> str:
    header = ["MSH", "^~\\&", *draw(st.lists(TEXT, max_size=16))]
    segments = ["|".join(header)]
    for name, fields in draw(st.lists(st.tuples(NAMES, FIELDS), max_size=8)):
        segments.append("|".join([name, *fields]))
    return "\r".join(segments)


def library_value(text: str, segment: str, field: int, component: int, repeat: int) -> str:
    """The field as read before decision 0069: from the library's tree of the whole message."""
    message = hl7.parse(text)
    try:
        return str(message.extract_field(segment, 1, field, repeat, component) or "").strip()
    except (KeyError, IndexError):
        return ""


def library_has(message: hl7.Message, segment: str) -> bool:
    try:
        message.segment(segment)
    except KeyError:
        return False
    return True


PLACES = [("MSH", field) for field in range(3, MSH_FIELDS + 1)] + [
    (segment, field) for segment, fields in READ_FIELDS.items() for field in fields
]


# The library logs an empty escape (two escape characters) with the deprecated Logger.warn, reading
# before and after alike.
@pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated:DeprecationWarning")
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages())
def test_every_field_read_is_the_librarys_reading_of_the_whole_message(text):
    read = _Segments(text)
    for segment, field in PLACES:
        for component in (1, 2, 5):
            for repeat in (1, 2, 3):
                assert read.value(segment, field, component, repeat) == library_value(
                    text, segment, field, component, repeat
                ), (segment, field, component, repeat)
    whole = hl7.parse(text)
    for segment in ("MSH", "EVN", "PID", "PV1", "MRG"):
        assert read.has(segment) == library_has(whole, segment), segment


def test_a_message_with_segments_rrp_does_not_read_is_cut_down_to_those_it_reads():
    text = "\r".join(
        [
            "MSH|^~\\&|PAS|TRUST|RRP|TRUST|202406020156||ADT^A01|M1|P|2.4|||AL|NE",
            "EVN|A01|202406020156",
            "PID|1||P1^^^TRUST^MR~9990822085^^^NHS^NH||Khan^Kit||19941012|M|||1 High St^^Town",
            "NK1|1|Khan^Sam|MTH",
            "PV1|1|I|BW05^^^RRP" + "|" * 16 + "V1",
            "PID|2||P2",
            "OBX|1|TX|||A long note \\F\\ with an escaped bar",
        ]
    )
    read = _Segments(text)
    assert set(read.segments) == {"MSH", "EVN", "PID", "PV1"}
    assert read.value("PID", 3) == "P1"  # the first PID, as the library's segment() gives
    assert read.value("PID", 3, 5, 2) == "NH"
    assert read.value("PV1", 3) == "BW05" and read.value("PV1", 19) == "V1"
    assert read.value("MSH", 9, 2) == "A01" and read.value("MSH", 10) == "M1"
    assert read.value("MRG", 1) == "" and not read.has("MRG")
