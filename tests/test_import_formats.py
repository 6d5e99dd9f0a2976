"""`tracker import` of TimelineJS sheets (XLSX, ODS, CSV) and ACLED exports, made in the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import run
from import_helpers import (
    ACLED_HEADER,
    ACLED_ROWS,
    TIMELINEJS_ROWS,
    sheet_row,
    write_csv,
    write_ods,
    write_xlsx,
)

from tracker.importing import readers
from tracker.storage import load_events

SHEET_DEFAULTS = ["--status", "reported", "--source-url", "https://example.org/story", "--source-name", "The sheet"]
NOT_READ = "columns not read: Time, End Time, Display Date, Media Caption, Media Thumbnail, Background"


def imported(path: Path, ids: list[str]) -> list[dict]:
    frame = load_events(path, cache=False).set_index("id")
    columns = ["date", "end_date", "title", "description", "category", "status", "source_name", "source_url"]
    return [{c: str(frame.at[i, c]) for c in columns} for i in ids]


TIMELINEJS_EVENTS = [
    {
        "date": "2013",
        "end_date": "2014",
        "title": "Rail link opens to freight traffic",
        "description": "",
        "category": "transport",
        "status": "reported",
        "source_name": "The sheet",
        "source_url": "https://example.org/story",
    },
    {
        "date": "2019-04-25",
        "end_date": "",
        "title": "Summit in Vladivostok",
        "description": "",
        "category": "diplomatic",
        "status": "reported",
        "source_name": "The sheet",
        "source_url": "https://example.org/story",
    },
    {
        "date": "2022-11",
        "end_date": "",
        "title": "Rockets and missiles for Wagner",
        "description": "Rail cars crossed.\nBoth sides & Wagner denied it.",
        "category": "arms_transfer",
        "status": "reported",
        "source_name": "UPI",
        "source_url": "https://example.org/upi",
    },
]
TIMELINEJS_IDS = [
    "2013-rail-link-opens-to-freight-traffic",
    "2019-04-25-summit-in-vladivostok",
    "2022-11-rockets-and-missiles-for-wagner",
]


def timelinejs_report(source, reader: str, events: Path) -> str:
    """What importing TIMELINEJS_ROWS from ``source`` (a file or an address) prints."""
    return (
        f"{source}: TimelineJS sheet, read with {reader}; {NOT_READ}\n"
        f"{source}:2: skipped: a title slide, not an event\n"
        f"{source}:6: skipped: an era, not an event\n"
        f"{events}: added 3 events from {source} (2 skipped)\n"
    )


@pytest.mark.parametrize("kind", ["xlsx", "ods", "csv"])
def test_a_timelinejs_sheet_keeps_each_dates_precision(small_csv: Path, tmp_path: Path, kind: str):
    writer = {"xlsx": write_xlsx, "ods": write_ods, "csv": write_csv}[kind]
    source = writer(tmp_path / f"story.{kind}", TIMELINEJS_ROWS)
    result = run("import", str(source), "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert result.exit_code == 0, result.output
    reader = "pyarrow" if kind == "csv" else "python-calamine"
    assert result.stdout == timelinejs_report(source, reader, small_csv)
    assert imported(small_csv, TIMELINEJS_IDS) == TIMELINEJS_EVENTS
    assert run("validate", str(small_csv)).exit_code == 0


def test_an_xlsx_calamine_cannot_read_is_read_by_openpyxl(small_csv, tmp_path, monkeypatch):
    def refuse(path):
        raise ValueError("unsupported workbook part")

    monkeypatch.setattr(readers, "_calamine_rows", refuse)
    source = write_xlsx(tmp_path / "story.xlsx", TIMELINEJS_ROWS)
    result = run("import", str(source), "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"{source}: TimelineJS sheet, read with openpyxl (python-calamine could not read it: unsupported "
        f"workbook part); {NOT_READ}"
    )
    assert imported(small_csv, TIMELINEJS_IDS) == TIMELINEJS_EVENTS


def test_timelinejs_problems_name_the_sheet_row_and_its_column(small_csv, tmp_path):
    before = small_csv.read_bytes()
    rows = [
        *TIMELINEJS_ROWS,
        sheet_row(Year=2023, Month=2, Day=30, Headline="No such day", Group="military"),
        sheet_row(Year="twenty", Headline="Words for a year", Group="military"),
        sheet_row(Year=2021, Day=3, Headline="A day without a month", Group="military"),
        sheet_row(Year=2021, Headline="Unknown group", Group="Weather"),
    ]
    source = write_xlsx(tmp_path / "story.xlsx", rows)
    result = run("import", str(source), "--csv", str(small_csv), *SHEET_DEFAULTS)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{source}:7: Year/Month/Day (date): '2023-02-30' is not a real calendar date (check the day and month)\n"
        f"{source}:8: Year: 'twenty' is not a whole number (give the year, month and day as numbers)\n"
        f"{source}:9: Year/Month/Day (date): a day or month without the larger part (give Month with Day, and "
        "Year with Month)\n"
        f"{source}:10: Group: 'Weather' is not a category (use one of: military, arms_transfer, diplomatic, "
        "economic, energy, transport, labor, sanctions, legal_un; or give --category for these rows)\n"
        f"Error: 4 rows of {source} refused; nothing was written (fix them, or add the other rows with "
        "--skip-invalid; --dry-run lists every row)\n"
    )
    assert small_csv.read_bytes() == before
    result = run("import", str(source), "--csv", str(small_csv), *SHEET_DEFAULTS, "--category", "economic", "--dry-run")
    assert result.exit_code == 0
    assert f"{source}:10: add 2021-unknown-group (2021): Unknown group" in result.stdout.splitlines()


def test_a_timelinejs_sheet_needs_a_status(small_csv, tmp_path):
    source = write_xlsx(tmp_path / "story.xlsx", TIMELINEJS_ROWS)
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {source}: a TimelineJS sheet gives no status: give --status"


def test_an_acled_export(small_csv, tmp_path):
    source = write_csv(tmp_path / "acled.csv", ACLED_ROWS, ACLED_HEADER)
    args = ["import", str(source), "--csv", str(small_csv), "--status", "reported"]
    result = run(*args, "--source-url", "https://acleddata.com/data-export-tool/")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{source}:3: event_type: 'Protests' is not a category of the tracker (give --category for these rows "
        "(military, arms_transfer, diplomatic, economic, energy, transport, labor, sanctions, legal_un))"
    )
    result = run(*args, "--source-url", "https://acleddata.com/data-export-tool/", "--category", "diplomatic")
    assert result.exit_code == 0, result.output
    frame = load_events(small_csv, cache=False).set_index("id")
    got = frame.loc[["acled-ukr1001", "acled-ukr1002", "acled-ukr1003"]]
    assert got["date"].tolist() == ["2024-01-15", "2024-02", "2024-03"]
    assert got["title"].tolist() == [
        "Air/drone strike: Military Forces of Russia and Civilians (Ukraine) in Kharkiv, Ukraine",
        "Peaceful protest: Protesters (Ukraine) in Kyiv, Ukraine",
        "Armed clash: Military Forces of Ukraine and Military Forces of Russia in Avdiivka, Ukraine",
    ]
    assert got["category"].astype(str).tolist() == ["military", "diplomatic", "military"]
    assert got["actors"].tolist() == [
        "Military Forces of Russia;Civilians Ukraine",
        "Protesters Ukraine",
        "Military Forces of Ukraine;Military Forces of Russia",
    ]
    assert got["location"].tolist() == ["Kharkiv, Ukraine", "Kyiv, Ukraine", "Avdiivka, Ukraine"]
    assert got["lat"].tolist() == [49.9935, 50.45, 48.14]
    assert got["source_name"].tolist() == ["Ukrinform; Suspilne", "Kyiv Independent", "Ministry of Defence of Ukraine"]
    assert set(got["source_url"]) == {"https://acleddata.com/data-export-tool/"}
    assert got["description"].tolist()[0] == "On 15 January 2024, a drone struck a warehouse."
    again = run(*args, "--source-url", "https://acleddata.com/data-export-tool/", "--category", "diplomatic")
    assert again.stdout.splitlines()[1] == f"{source}:2: duplicate of {small_csv}:6 (acled-ukr1001): the same id"
    assert again.stdout.splitlines()[-1] == f"{small_csv}: added no events: nothing new in {source} (3 duplicates)"


def test_an_acled_export_needs_a_source_url_and_a_status(small_csv, tmp_path):
    source = write_csv(tmp_path / "acled.csv", ACLED_ROWS, ACLED_HEADER)
    result = run("import", str(source), "--csv", str(small_csv))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: {source}: an ACLED export gives no status, source_url: give --status, --source-url"
    )
