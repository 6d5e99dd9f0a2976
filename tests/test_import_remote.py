"""`tracker import` of a file at an http(s) address: a local server stands in for the web (and
for a Google Sheet's CSV export); a Google Sheet's own address is read through that export."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run
from import_helpers import TIMELINEJS_ROWS, sheet_row, write_csv, write_ods, write_xlsx
from pytest_httpserver import HTTPServer
from test_import_formats import (
    NOT_READ,
    SHEET_DEFAULTS,
    TIMELINEJS_EVENTS,
    TIMELINEJS_IDS,
    imported,
    timelinejs_report,
)

from tracker.importing import remote
from tracker.importing.remote import sheet_export_url

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def web():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.clear()
    server.stop()


def serve(web: HTTPServer, path: str, source: Path, content_type: str) -> str:
    web.expect_request(path).respond_with_data(source.read_bytes(), content_type=content_type)
    return web.url_for(path)


@pytest.mark.parametrize(
    ("kind", "content_type", "reader"),
    [
        ("csv", "text/csv; charset=utf-8", "pyarrow"),
        ("xlsx", XLSX, "python-calamine"),
        ("ods", "application/octet-stream", "python-calamine"),  # (told by its first bytes)
    ],
)
def test_a_timelinejs_sheet_at_an_address_imports_as_the_file_would(small_csv, tmp_path, web, kind, content_type, reader):  # fmt: skip
    writer = {"xlsx": write_xlsx, "ods": write_ods, "csv": write_csv}[kind]
    url = serve(web, "/story", writer(tmp_path / f"story.{kind}", TIMELINEJS_ROWS), content_type)
    result = run("import", url, "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert result.exit_code == 0, result.output
    assert result.stdout == timelinejs_report(url, reader, small_csv)
    assert imported(small_csv, TIMELINEJS_IDS) == TIMELINEJS_EVENTS


def test_a_refused_row_is_named_by_the_address_and_its_line(small_csv, tmp_path, web):
    rows = [*TIMELINEJS_ROWS, sheet_row(Year=2023, Month=2, Day=30, Headline="No such day", Group="military")]
    url = serve(web, "/story.csv", write_csv(tmp_path / "story.csv", rows), "text/csv")
    before = small_csv.read_bytes()
    result = run("import", url, "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{url}:7: Year/Month/Day (date): '2023-02-30' is not a real calendar date (check the day and month)"
    )
    assert small_csv.read_bytes() == before


def test_a_redirect_is_followed_and_the_report_says_where_from(small_csv, tmp_path, web):
    target = serve(web, "/files/story.xlsx", write_xlsx(tmp_path / "story.xlsx", TIMELINEJS_ROWS), "application/octet-stream")  # fmt: skip
    web.expect_request("/latest").respond_with_data("", status=302, headers={"Location": "/files/story.xlsx"})
    url = web.url_for("/latest")
    result = run("import", url, "--csv", str(small_csv), *SHEET_DEFAULTS, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{url}: TimelineJS sheet, read with python-calamine, from {target}; {NOT_READ}"  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "content_type", "message"),
    [
        (404, "no", "text/plain", "the server answered 404 Not Found (check the address)"),
        (
            403,
            "no",
            "text/plain",
            "the server answered 403 Forbidden (for a Google Sheet, share it with 'Anyone with the link' or "
            "publish it to the web; else download the file and import it)",
        ),
        (
            200,
            "<!DOCTYPE html><html><body>Sign in</body></html>",
            "text/html; charset=utf-8",
            "the address gives a web page, not a CSV file or a spreadsheet (for a Google Sheet, share it with "
            "'Anyone with the link' or publish it to the web; else download the file and import it)",
        ),
    ],
)
def test_an_address_that_gives_no_file_is_refused_in_one_line(small_csv, web, status, body, content_type, message):
    web.expect_request("/sheet").respond_with_data(body, status=status, content_type=content_type)
    url = web.url_for("/sheet")
    before = small_csv.read_bytes()
    result = run("import", url, "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert (result.exit_code, result.stderr) == (1, f"Error: {url}: {message}\n")
    assert small_csv.read_bytes() == before


def test_an_answer_over_the_size_limit_is_refused(small_csv, tmp_path, web, monkeypatch):
    monkeypatch.setattr(remote, "MAX_FILE_BYTES", 100)
    url = serve(web, "/big.csv", write_csv(tmp_path / "story.csv", TIMELINEJS_ROWS), "text/csv")
    result = run("import", url, "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {url}: over the 100-byte limit (split it, or raise TRACKER_MAX_BYTES)\n",
    )


def test_nothing_listening_is_refused_in_one_line(small_csv, web):
    url = web.url_for("/story.csv")
    web.stop()
    result = run("import", url, "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {url}: could not be fetched (")
    assert result.stderr.endswith("(check the address and the connection)\n")
    web.start()  # (the fixture stops it again)


@pytest.mark.parametrize(
    ("given", "export"),
    [
        (
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/edit#gid=0",
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/export?format=csv&gid=0",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/edit?usp=sharing",
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/export?format=csv",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/edit?gid=123#gid=123",
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/export?format=csv&gid=123",
        ),
        (
            "https://docs.google.com/spreadsheets/d/1AbC-d_9",
            "https://docs.google.com/spreadsheets/d/1AbC-d_9/export?format=csv",
        ),  # fmt: skip
        (
            "https://docs.google.com/spreadsheets/d/e/2PACX-1v/pubhtml?gid=7",
            "https://docs.google.com/spreadsheets/d/e/2PACX-1v/pub?output=csv&gid=7",
        ),
        # already an export, or not a sheet: as given
        (
            "https://docs.google.com/spreadsheets/d/1AbC/export?format=xlsx",
            "https://docs.google.com/spreadsheets/d/1AbC/export?format=xlsx",
        ),  # fmt: skip
        ("https://docs.google.com/document/d/1AbC/edit", "https://docs.google.com/document/d/1AbC/edit"),
        ("https://example.org/spreadsheets/d/1AbC/edit", "https://example.org/spreadsheets/d/1AbC/edit"),
    ],
)
def test_a_google_sheets_address_is_read_through_its_csv_export(given, export):
    assert sheet_export_url(given) == export
