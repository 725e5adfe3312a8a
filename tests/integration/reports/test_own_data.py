"""Chart your own data (issue 20 item 4): a pasted or uploaded CSV becomes Making Data Count charts with
icons, the sentence, the data table and SVG, PNG and CSV downloads; bad data gets ``rrp spc``'s own
messages; nothing is stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from markupsafe import escape

from rrp.accounts.roles import Role
from rrp.cli.spc import main as rrp_spc
from rrp.core.validation.spc_csv import OUTPUT_COLUMNS
from rrp.reports.own_data import MAX_GROUPS, MAX_ROWS
from tests import factories
from tests.helpers import signed_in_client

URL = "/reports/charts/own-data/"
# 24 weeks: 12 around 10, then 12 around 4 (a shift down: special cause improvement when down is better).
VALUES = [10, 11, 9, 12, 10, 9, 11, 10, 12, 9, 10, 11, 4, 5, 3, 4, 5, 4, 3, 5, 4, 4, 5, 3]
SERIES = "date,value\n" + "".join(
    f"2025-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d},{v}\n" for i, v in enumerate(VALUES)
)


def options(**overrides: object) -> dict[str, object]:
    form = {
        "csv_text": SERIES,
        "title": "Assaults on staff",
        "chart": "xmr",
        "shape": "value",
        "improvement": "decrease",
        "target": "",
        "rebase": "",
        "multiplier": "",
        "date_column": "date",
        "value_column": "value",
        "numerator_column": "numerator",
        "denominator_column": "denominator",
        "group_column": "",
    }
    form.update(overrides)
    return form


@pytest.fixture
def client(db):
    """Anyone signed in may chart their own data: a ward staff member with no ward at all here."""
    provider = factories.provider(region=factories.region())
    return signed_in_client(factories.user(role=Role.WARD_STAFF, provider=provider))


def row_counts() -> dict[str, int]:
    """Rows in every table RRP has: charting must change none of them (no model, no audit)."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label != "sessions"
    }


def test_the_page_asks_for_data_and_says_nothing_is_stored(client):
    page = client.get(reverse("reports:own-data"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing you paste or upload is stored" in html
    assert 'enctype="multipart/form-data"' in html


def test_someone_not_signed_in_is_sent_to_sign_in(db):
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_a_pasted_series_is_charted_with_icons_sentence_and_table_and_nothing_is_stored(client):
    before = row_counts()
    page = client.post(URL, options(target="6"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Assaults on staff" in html and "own-chart-0-spec" in html
    # The sentence and the icons come from the last period's summary: a shift down, improvement.
    assert "special cause variation, improvement" in html
    assert "The target of 6" in html
    assert "Data behind the chart" in html
    assert row_counts() == before


def test_an_untitled_series_is_called_your_data_in_the_sentence(client):
    # Without a title the chart is named by its kind, but its sentence read "XmR chart for XmR chart".
    html = client.post(URL, options(title="")).content.decode()
    assert "XmR chart for your data" in html
    assert "XmR chart for XmR chart" not in html


def test_an_uploaded_file_is_charted_and_put_in_the_box_for_downloads(client):
    upload = SimpleUploadedFile("ward.csv", SERIES.encode("utf-8-sig"), content_type="text/csv")
    page = client.post(URL, {**options(csv_text=""), "file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert "own-chart-0-spec" in html
    assert "2025-01-08,11" in html  # the file's text now fills the box, so a download re-posts it


def test_an_upload_is_kept_in_memory_never_in_a_temporary_file(client, settings, tmp_path):
    # Django writes an upload larger than FILE_UPLOAD_MAX_MEMORY_SIZE to FILE_UPLOAD_TEMP_DIR; this page may not.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    upload = SimpleUploadedFile("ward.csv", SERIES.encode(), content_type="text/csv")
    page = client.post(URL, {**options(csv_text=""), "file": upload})
    assert page.status_code == 200 and "own-chart-0-spec" in page.content.decode()
    assert list(tmp_path.iterdir()) == []


def test_a_group_column_gives_one_chart_per_group(client):
    data = "ward,date,value\n" + "".join(
        f"{w},{line}\n" for w in ("Oak", "Ash") for line in SERIES.splitlines()[1:]
    )
    html = client.post(URL, options(csv_text=data, group_column="ward")).content.decode()
    assert "Assaults on staff: Oak" in html and "Assaults on staff: Ash" in html
    assert "own-chart-1-spec" in html and "own-chart-2-spec" not in html


def test_numerators_and_denominators_make_a_u_chart_with_a_multiplier(client):
    data = "date,numerator,denominator\n" + "".join(
        f"2025-{1 + i // 4:02d}-{1 + 7 * (i % 4):02d},{v},{200 + i}\n" for i, v in enumerate(VALUES)
    )
    page = client.post(URL, options(csv_text=data, chart="u", multiplier="1000"))
    assert page.status_code == 200
    rows = list(
        csv.reader(
            io.StringIO(
                client.post(
                    URL, options(csv_text=data, chart="u", multiplier="1000", download="csv")
                ).content.decode()
            )
        )
    )
    assert float(rows[1][2]) == pytest.approx(10 / 200 * 1000)


def test_downloads_re_post_the_form_and_store_nothing(client):
    before = row_counts()
    svg = client.post(URL, options(download="svg-0"))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.lstrip().startswith(b"<svg")
    assert 'filename="spc-chart-1.svg"' in svg["Content-Disposition"]
    png = client.post(URL, options(download="png-0"))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    table = client.post(URL, options(download="csv"))
    rows = list(csv.reader(io.StringIO(table.content.decode())))
    assert rows[0] == OUTPUT_COLUMNS and len(rows) == 1 + len(VALUES)
    assert rows[-1][-1] == "special_cause_improvement"
    assert row_counts() == before


def test_a_label_a_spreadsheet_would_run_is_neutralised_in_the_csv(client):
    data = "ward,date,value\n" + "".join(f"=HYPERLINK(1),{line}\n" for line in SERIES.splitlines()[1:])
    rows = list(
        csv.reader(
            io.StringIO(
                client.post(URL, options(csv_text=data, group_column="ward", download="csv")).content.decode()
            )
        )
    )
    assert rows[1][0] == "'=HYPERLINK(1)"


def _cli_message(tmp_path: Path, data: str, capsys, *args: str) -> str:
    source = tmp_path / "in.csv"
    source.write_text(data)
    assert rrp_spc(["xmr", "--input", str(source), "--output", str(tmp_path / "out.csv"), *args]) == 2
    return capsys.readouterr().err.split(f"{source}: ", 1)[1].strip()


@pytest.mark.parametrize(
    ("data", "extra"),
    [
        (SERIES.replace(",11\n", ",abc\n", 1), {}),
        (SERIES.replace("2025-01-15", "15/01/2025"), {}),
        (SERIES + "2025-01-01,3\n", {}),
        ("date,count\n2025-01-01,3\n", {}),
        ("date,numerator,denominator\n2025-01-01,3,0\n", {"shape": "ratio"}),
        ('date,value\n2025-01-01,"3\n', {}),
    ],
    ids=["not a number", "not a date", "same date twice", "no such column", "zero denominator", "open quote"],
)
def test_bad_data_gets_the_same_message_as_rrp_spc_in_the_error_summary(
    client, tmp_path, capsys, data, extra
):
    args = ["--numerator-column", "numerator", "--denominator-column", "denominator"] if extra else []
    said = _cli_message(tmp_path, data, capsys, *args)
    before = row_counts()
    page = client.post(URL, options(csv_text=data, **extra))
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html
    expected = said[:1].upper() + said[1:]
    assert str(escape(expected)) in html
    assert row_counts() == before


def test_a_file_that_is_not_utf8_is_refused_in_words(client):
    upload = SimpleUploadedFile("ward.csv", "date,value,note\n2025-01-01,3,café\n".encode("cp1252"))
    page = client.post(URL, {**options(csv_text=""), "file": upload})
    assert page.status_code == 400 and "The file is not UTF-8 text" in page.content.decode()


def test_too_many_rows_groups_or_bytes_are_refused_with_the_limit(client):
    many = "date,value\n" + "".join(f"{2000 + i // 365}-01-01,{i}\n" for i in range(MAX_ROWS + 1))
    assert (
        f"at most {MAX_ROWS:,} can be charted here"
        in client.post(URL, options(csv_text=many)).content.decode()
    )
    groups = "g,date,value\n" + "".join(f"G{g},2025-01-01,1\n" for g in range(MAX_GROUPS + 1))
    page = client.post(URL, options(csv_text=groups, group_column="g"))
    assert page.status_code == 400 and f"at most {MAX_GROUPS} can be charted here" in page.content.decode()
    big = SimpleUploadedFile("big.csv", b"date,value\n" + b"2025-01-01,1\n" * 90_000)
    page = client.post(URL, {**options(csv_text=""), "file": big})
    assert page.status_code == 400 and "The file is larger than 1 MB" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"csv_text": ""}, "Paste your data or choose a CSV file"),
        ({"chart": "c", "shape": "ratio"}, "A c chart reads a value for each date"),
        ({"rebase": "2025-04-07, April"}, "&#39;April&#39; is not a date"),
        ({"multiplier": "0"}, "Enter a multiplier greater than 0"),
        ({"target": "lots"}, "Enter the target as a number"),
    ],
)
def test_bad_options_name_the_field(client, overrides, says):
    page = client.post(URL, options(**overrides))
    assert page.status_code == 400
    assert says in page.content.decode()


def test_a_rebase_starts_new_limits_and_is_marked(client):
    page = client.post(URL, options(rebase="2025-04-01"))
    html = page.content.decode()
    assert page.status_code == 200 and "Rebase: new limits from here" in html
    rows = list(
        csv.reader(
            io.StringIO(client.post(URL, options(rebase="2025-04-01", download="csv")).content.decode())
        )
    )
    assert {r[10] for r in rows[1:]} == {"0", "1"}


def test_a_post_without_the_csrf_token_is_refused(db):
    """The view sets its upload handler before the body is read, so CSRF is checked inside it: still checked."""
    user = factories.user(role=Role.WARD_STAFF, provider=factories.provider(region=factories.region()))
    client = signed_in_client(user)
    client.handler.enforce_csrf_checks = True
    assert client.post(URL, options()).status_code == 403
