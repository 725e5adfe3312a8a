"""Dates, numbers and the suppression mark written once for pages, PDFs and CSVs (core.formatting)."""

from __future__ import annotations

import datetime as dt
import math

from django.template.loader import get_template
from django.utils import timezone

from rrp.core import formatting as f

SUMMER_MIDNIGHT_UTC = dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 June in the UK


def test_dates_are_written_in_gov_uk_style_and_in_uk_time():
    assert f.long_date(dt.date(2026, 12, 6)) == "6 December 2026"
    assert f.long_date(SUMMER_MIDNIGHT_UTC) == "1 June 2026"
    assert f.long_date_time(SUMMER_MIDNIGHT_UTC) == "1 June 2026, 00:30"
    assert f.short_date_time(SUMMER_MIDNIGHT_UTC) == "1 Jun 2026, 00:30"
    assert f.time_of_day(SUMMER_MIDNIGHT_UTC) == "00:30"
    assert f.month_year(SUMMER_MIDNIGHT_UTC) == "June 2026"
    assert f.short_month_year(dt.date(2026, 12, 6)) == "Dec 2026"
    assert f.month_span(dt.date(2025, 12, 1), dt.date(2026, 11, 30)) == "December 2025 to November 2026"
    assert f.month_span(dt.date(2025, 12, 1), dt.date(2026, 11, 30), short=True) == "Dec 2025 to Nov 2026"


def test_machine_read_dates_are_iso_8601():
    assert f.iso_date(dt.date(2026, 3, 1)) == "2026-03-01"
    assert f.iso_month(SUMMER_MIDNIGHT_UTC) == "2026-06"
    assert f.iso_date(None) == f.long_date(None) == f.month_year("") == ""


def test_numbers_have_separators_on_pages_and_none_in_csv_files():
    assert f.whole_number(12345.4) == "12,345"
    assert f.decimal(1234.56) == "1,234.6"
    assert f.percent(-12.4, signed=True) == "-12%" and f.percent(3.0, signed=True) == "+3%"
    assert f.percent(12.5, 1) == "12.5%"
    assert f.plain_number(12345.0) == "12345" and f.plain_number(2.5) == "2.5"
    assert f.plain_number(1234.5678, 2) == "1234.57"
    for missing in (None, math.nan, math.inf):
        assert f.whole_number(missing) == f.plain_number(missing) == f.percent(missing) == ""


def test_the_suppression_mark_is_nhs_digitals_star_and_is_read_out_as_suppressed():
    assert f.SUPPRESSED_MARK == "*"
    html = f.figure_html("*")
    assert '<span aria-hidden="true">*</span>' in html and ">suppressed</span>" in html
    assert f.figure_html("1,234") == "1,234" and f.figure_html("<b>") == "&lt;b&gt;"


def test_pages_use_the_same_functions_as_jinja_filters():
    template = get_template("web/about.jinja").template.environment.from_string(
        "{{ d | date_uk }}|{{ t | datetime_uk }}|{{ d | month_year }}|{{ n | number }}|{{ none | number }}|"
        "{{ '*' | figure }}"
    )
    text = template.render(
        d=dt.date(2026, 12, 6), t=timezone.make_aware(dt.datetime(2026, 12, 6, 14, 5)), n=1234
    )
    assert text.split("|")[:5] == ["6 December 2026", "6 December 2026, 14:05", "December 2026", "1,234", "–"]
    assert "suppressed" in text.split("|")[5]


def test_csv_files_carry_the_pages_figures_without_separators_and_empty_where_there_is_none():
    assert f.csv_figure(f.whole_number(12345)) == "12345"
    assert f.csv_figure(f.decimal(1234.5)) == "1234.5"
    assert f.csv_figure(f.SUPPRESSED_MARK) == "*"
    assert f.csv_figure("Missing") == f.csv_figure("none") == f.csv_figure("–") == ""
