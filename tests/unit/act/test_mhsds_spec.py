"""The MHSDS export checked against what the project can cite for MHSDS v6 (issue 16 item 6; the
project's notes law-and-data-standards.md §3.1-3.4, and the NHS Digital sources named in docs/mhsds.md):
the three tables' names, every data item's name and order, the two national code lists, the
indicators, and the date and time formats. Written out here from the sources, not from the code, so a
change to either side fails until docs/mhsds.md says which source allows it."""

from __future__ import annotations

import datetime as dt

from rrp.act.mhsds import (
    DATE_FORMAT,
    INDICATOR_ITEMS,
    MANDATORY,
    MHS505,
    MHS515,
    MHS516,
    TABLES,
    TIME_FORMAT,
    VALID_REASONS,
    VALID_TYPES,
)

# §3.1 (NHS Digital menh_dq 3.3.coverage_csvs.py): the v5 split, continued in v6.
CITED_TABLES = {
    "MHS505RestrictiveInterventInc",
    "MHS515RestrictiveInterventType",
    "MHS516PoliceAssistanceRequest",
}
# §3.2 (NHS Digital's MHSDS pipeline test data, one dictionary per table; Restraints_Prep.py).
CITED_ITEMS = {
    MHS505: [
        "RestrictiveIntIncID",
        "HospProvSpellID",
        "StartDateRestrictiveIntInc",
        "StartTimeRestrictiveIntInc",
        "EndDateRestrictiveIntInc",
        "EndTimeRestrictiveIntInc",
        "RestrictiveIntReason",
        "RestrictiveIntPIReviewHeldPat",
        "RestrictiveIntPIReviewNotHeldReasPat",
        "RestrictiveIntPIReviewHeldCarePers",
    ],
    MHS515: [
        "RestrictiveIntTypeID",
        "RestrictiveIntIncID",
        "RestrictiveIntType",
        "StartDateRestrictiveIntType",
        "StartTimeRestrictiveIntType",
        "EndDateRestrictiveIntType",
        "EndTimeRestrictiveIntType",
        "RestraintInjuryPatient",
        "RestraintInjuryCarePers",
        "RestraintInjuryOtherPers",
    ],
    MHS516: [
        "WardStayID",
        "PoliceAssistReqDate",
        "PoliceAssistReqTime",
        "PoliceAssistArrDate",
        "PoliceAssistArrTime",
        "PoliceRestraintForceUsedInd",
    ],
}
# §3.3 (3_load_ref_data.py, validity_CDQA.py): 01, 04-17; 02 and 03 not valid; 99 is not a type.
CITED_TYPES = {"01", *(f"{n:02d}" for n in range(4, 18))}
# §3.4 (Restraints_Prep.py, validity_CDQA.py): 10-19, 98, 99.
CITED_REASONS = {*(str(n) for n in range(10, 20)), "98", "99"}
# §3.2: the Y/N items.
CITED_INDICATORS = {
    MHS505: {"RestrictiveIntPIReviewHeldPat", "RestrictiveIntPIReviewHeldCarePers"},
    MHS515: {"RestraintInjuryPatient", "RestraintInjuryCarePers", "RestraintInjuryOtherPers"},
    MHS516: {"PoliceRestraintForceUsedInd"},
}


def test_the_tables_and_their_items_are_the_cited_ones_in_order():
    assert set(TABLES) == CITED_TABLES
    assert {table: list(items) for table, items in TABLES.items()} == CITED_ITEMS


def test_the_code_lists_are_the_national_ones():
    assert set(VALID_TYPES) == CITED_TYPES and not {"02", "03", "99"} & set(VALID_TYPES)
    assert set(VALID_REASONS) == CITED_REASONS


def test_the_indicators_are_the_cited_y_n_items():
    assert {table: set(items) for table, items in INDICATOR_ITEMS.items()} == CITED_INDICATORS


def test_mandatory_items_are_items_of_their_table_with_every_identifier_and_start():
    for table, items in MANDATORY.items():
        assert set(items) <= set(TABLES[table])
    assert {"RestrictiveIntIncID", "HospProvSpellID", "StartDateRestrictiveIntInc"} <= set(MANDATORY[MHS505])
    assert {"RestrictiveIntTypeID", "RestrictiveIntIncID", "RestrictiveIntType"} <= set(MANDATORY[MHS515])


def test_dates_are_ccyy_mm_dd_and_times_hh_mm_ss():
    moment = dt.datetime(2026, 3, 1, 9, 5, 7)
    assert moment.strftime(DATE_FORMAT) == "2026-03-01"
    assert moment.strftime(TIME_FORMAT) == "09:05:07"
