"""Input files for the import tests, made here: TimelineJS sheets (XLSX by openpyxl, ODS written
as its XML, CSV) and an ACLED export."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl

TIMELINEJS_HEADER = [
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
]


def sheet_row(**cells) -> list:
    """One TimelineJS row: ``sheet_row(Year=2022, Headline="...", Media_Credit="...")``."""
    named = {k.replace("_", " "): v for k, v in cells.items()}
    return [named.get(column) for column in TIMELINEJS_HEADER]


# A TimelineJS story as journalists write it: a title slide, numbers as numbers, HTML in the text.
TIMELINEJS_ROWS = [
    sheet_row(Headline="Russia and the DPRK", Text="<p>A story</p>", Type="title"),
    sheet_row(
        Year=2022,
        Month=11,
        Headline="Rockets <b>and missiles</b> for Wagner",
        Text="<p>Rail cars crossed.</p><p>Both sides &amp; Wagner denied it.</p>",
        Media="https://example.org/upi",
        Media_Credit="<i>UPI</i>",
        Group="Arms transfer",
    ),
    sheet_row(Year=2013, End_Year=2014, Headline="Rail link opens to freight traffic", Group="transport"),
    sheet_row(Year=2019, Month=4, Day=25, Time="10:00", Headline="Summit in Vladivostok", Group="Diplomatic"),
    sheet_row(Year=2016, Headline="An era", Type="era", End_Year=2018),
]


def write_xlsx(path: Path, rows: list[list], header: list[str] = TIMELINEJS_HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], header: list[str] = TIMELINEJS_HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return path


def write_ods(path: Path, rows: list[list], header: list[str] = TIMELINEJS_HEADER) -> Path:
    """A minimal OpenDocument spreadsheet: numbers as float cells, text as string cells."""
    body = "".join(_ods_row(row) for row in [header, *rows])
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _ods_row(row: list) -> str:
    cells = []
    for cell in row:
        if cell is None:
            cells.append("<table:table-cell/>")
        elif isinstance(cell, int | float):
            cells.append(
                f'<table:table-cell office:value-type="float" office:value="{cell}"><text:p>{cell}</text:p></table:table-cell>'
            )
        else:
            cells.append(
                f'<table:table-cell office:value-type="string"><text:p>{escape(str(cell))}</text:p></table:table-cell>'
            )
    return f"<table:table-row>{''.join(cells)}</table:table-row>"


ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
    "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp"
).split(",")


def acled_row(**cells: str) -> list[str]:
    return [cells.get(column, "") for column in ACLED_HEADER]


# Rows shaped as ACLED's export writes them (made up here, not ACLED's data).
ACLED_ROWS = [
    acled_row(
        event_id_cnty="UKR1001",
        event_date="15-01-2024",
        time_precision="1",
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        actor1="Military Forces of Russia (2000-)",
        actor2="Civilians (Ukraine)",
        country="Ukraine",
        location="Kharkiv",
        latitude="49.9935",
        longitude="36.2304",
        source="Ukrinform; Suspilne",
        notes="On 15 January 2024, a drone struck a warehouse.",
    ),
    acled_row(
        event_id_cnty="UKR1002",
        event_date="2024-02-10",
        time_precision="3",
        event_type="Protests",
        sub_event_type="Peaceful protest",
        actor1="Protesters (Ukraine)",
        country="Ukraine",
        location="Kyiv",
        latitude="50.45",
        longitude="30.52",
        source="Kyiv Independent",
        notes="Families of soldiers rallied.",
    ),
    acled_row(
        event_id_cnty="UKR1003",
        event_date="05-03-2024",
        time_precision="2",
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Military Forces of Ukraine (2019-)",
        actor2="Military Forces of Russia (2000-)",
        country="Ukraine",
        location="Avdiivka",
        latitude="48.14",
        longitude="37.74",
        source="Ministry of Defence of Ukraine",
        notes="Clashes continued.",
    ),
]
