"""One table for every page: NHS.UK's table markup with caption, scoped headings and numeric columns."""

from __future__ import annotations

from markupsafe import Markup

from rrp.core.tables import table_html


def test_table_has_its_caption_scoped_headings_and_numeric_columns_right_aligned():
    html = table_html(
        "Wards & beds",
        ["Ward", {"text": "Beds", "numeric": True}],
        [["<Ash>", 12], [Markup('<a href="/w/2">Birch</a>'), {"text": "1,200", "classes": "rrp-x"}]],
    )

    assert '<caption class="nhsuk-table__caption">Wards &amp; beds</caption>' in html
    assert '<th class="nhsuk-table__header" scope="col">Ward</th>' in html
    assert '<th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Beds</th>' in html
    assert '<th class="nhsuk-table__header" scope="row">&lt;Ash&gt;</th>' in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">12</td>' in html
    assert '<th class="nhsuk-table__header" scope="row"><a href="/w/2">Birch</a></th>' in html
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric rrp-x">1,200</td>' in html


def test_responsive_table_labels_each_cell_with_its_heading_for_narrow_screens():
    html = table_html("Wards", ["Ward", "Beds"], [["Ash", 12]], responsive=True, row_classes=["rrp-total"])

    assert 'class="nhsuk-table nhsuk-table--responsive" role="table"' in html
    assert '<tr class="nhsuk-table__row rrp-total" role="row">' in html
    assert (
        '<td class="nhsuk-table__cell" role="cell">'
        '<span class="nhsuk-table__heading" aria-hidden="true">Beds </span>12</td>'
    ) in html


def test_without_row_headings_every_cell_is_a_data_cell():
    html = table_html("Flags", ["Flag", "Wards"], [["Silent", 3]], first_cell_is_header=False)

    assert '<td class="nhsuk-table__cell">Silent</td>' in html and 'scope="row"' not in html
