"""The row checks of the MHSDS export on rows the database could not hold (a retired code, a bad
indicator, a malformed date): each is named by table, item and what is wrong."""

from __future__ import annotations

from rrp.act.mhsds import MHS505, MHS515, MHS516, Problem, _check_row

GOOD_TYPE = {
    "RestrictiveIntTypeID": "RRPI1T1",
    "RestrictiveIntIncID": "RRPI1",
    "RestrictiveIntType": "01",
    "StartDateRestrictiveIntType": "2026-03-01",
    "StartTimeRestrictiveIntType": "14:05:00",
    "EndDateRestrictiveIntType": "2026-03-01",
    "EndTimeRestrictiveIntType": "14:15:00",
    "RestraintInjuryPatient": "N",
    "RestraintInjuryCarePers": "",
    "RestraintInjuryOtherPers": "Y",
}


def test_check_row_valid_type_row_has_no_problems():
    assert _check_row(MHS515, GOOD_TYPE, "Incident 1") == []


def test_check_row_retired_type_code_bad_indicator_and_end_before_start():
    row = {
        **GOOD_TYPE,
        "RestrictiveIntType": "02",
        "RestraintInjuryPatient": "U",
        "EndTimeRestrictiveIntType": "14:00:00",
    }
    assert _check_row(MHS515, row, "Incident 1") == [
        Problem("Incident 1", MHS515, "RestrictiveIntType", "'02' is not in the national code list"),
        Problem("Incident 1", MHS515, "RestraintInjuryPatient", "'U' is not Y or N"),
        Problem("Incident 1", MHS515, "EndDateRestrictiveIntType", "ends before it starts"),
    ]


def test_check_row_reason_outside_code_list_and_malformed_date():
    row = {
        "RestrictiveIntIncID": "RRPI1",
        "HospProvSpellID": "RRPS1",
        "StartDateRestrictiveIntInc": "01/03/2026",
        "StartTimeRestrictiveIntInc": "14:05:00",
        "EndDateRestrictiveIntInc": "2026-03-01",
        "EndTimeRestrictiveIntInc": "",
        "RestrictiveIntReason": "20",
        "RestrictiveIntPIReviewHeldPat": "Y",
        "RestrictiveIntPIReviewNotHeldReasPat": "",
        "RestrictiveIntPIReviewHeldCarePers": "N",
    }
    assert [(p.item, p.message) for p in _check_row(MHS505, row, "Incident 1")] == [
        ("RestrictiveIntReason", "'20' is not in the national code list"),
        ("StartDateRestrictiveIntInc", "not a CCYY-MM-DD date with an HH:MM:SS time"),
        ("EndDateRestrictiveIntInc", "an end date and time go together"),
    ]


def test_check_row_police_request_without_ward_stay_or_time():
    row = {
        "WardStayID": "",
        "PoliceAssistReqDate": "2026-03-01",
        "PoliceAssistReqTime": "",
        "PoliceAssistArrDate": "",
        "PoliceAssistArrTime": "",
        "PoliceRestraintForceUsedInd": "",
    }
    assert [p.item for p in _check_row(MHS516, row, "Incident 9")] == [
        "WardStayID",
        "PoliceAssistReqTime",
        "PoliceAssistReqDate",
    ]
