"""Importing from an http(s) address: a CSV or spreadsheet on the web, fetched once (httpx) and
read as a file would be. A Google Sheet's own address (the one its users share, ending in
``/edit``) is read through the sheet's CSV export, so a TimelineJS sheet imports as it stands."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from ..errors import TrackerError
from ..storage.filebytes import MAX_FILE_BYTES

FETCH_TIMEOUT_S = 30.0
# Content types by the file type they are read as (anything else is read as CSV, but a web page).
SPREADSHEET_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
WEB_PAGE_TYPES = ("text/html", "application/xhtml+xml")
SHEET = re.compile(r"^/spreadsheets/d/(?P<published>e/)?(?P<id>[\w-]+)(?:/(?P<view>[\w]*))?")
NOT_SHARED = (
    "for a Google Sheet, share it with 'Anyone with the link' or publish it to the web; "
    "else download the file and import it"
)


def is_url(source: object) -> bool:
    """Whether ``source`` names a file on the web rather than on this machine."""
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def sheet_export_url(url: str) -> str:
    """The CSV export of a Google Sheet's address (its first sheet, or the one ``gid`` names);
    any other address as it is."""
    parts = urlsplit(url)
    match = SHEET.match(parts.path) if parts.hostname == "docs.google.com" else None
    if match is None or match["view"] in ("export", "pub", "gviz"):
        return url
    gid = _gid(parts.query, parts.fragment)
    base = f"https://docs.google.com/spreadsheets/d/{match['published'] or ''}{match['id']}"
    if match["published"]:
        return f"{base}/pub?output=csv" + (f"&gid={gid}" if gid else "")
    return f"{base}/export?format=csv" + (f"&gid={gid}" if gid else "")


def _gid(query: str, fragment: str) -> str:
    for text in (fragment, query):
        values = parse_qs(text).get("gid")
        if values and values[0].isdigit():
            return values[0]
    return ""


def fetch(url: str) -> tuple[bytes, str, str]:
    """The bytes at ``url`` (a Google Sheet's through its CSV export), the suffix of the file
    type they are (".csv", ".xlsx", ".xlsm" or ".ods") and the address they came from. A
    TrackerError naming ``url`` when they cannot be had, or are a web page."""
    address = sheet_export_url(url)
    try:
        with httpx.stream("GET", address, follow_redirects=True, timeout=FETCH_TIMEOUT_S) as response:
            _refuse_failure(url, response)
            data = _body(url, response)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    except httpx.TimeoutException:
        raise TrackerError(
            f"{url}: no answer within {FETCH_TIMEOUT_S:g} s", "try again, or download the file"
        ) from None
    except httpx.TransportError as exc:
        raise TrackerError(f"{url}: could not be fetched ({exc})", "check the address and the connection") from None
    if kind in WEB_PAGE_TYPES or data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise TrackerError(f"{url}: the address gives a web page, not a CSV file or a spreadsheet", NOT_SHARED)
    return data, _suffix(kind, data, str(response.url)), str(response.url)


def _refuse_failure(url: str, response: httpx.Response) -> None:
    if response.is_success:
        return
    status = response.status_code
    phrase = httpx.codes.get_reason_phrase(status) or "(unknown status)"
    hint = NOT_SHARED if status in (401, 403) else "check the address"
    raise TrackerError(f"{url}: the server answered {status} {phrase}", hint)


def _body(url: str, response: httpx.Response) -> bytes:
    """The answer's bytes, refused past the size an events file may have."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise TrackerError(f"{url}: over the {MAX_FILE_BYTES:,}-byte limit", "split it, or raise TRACKER_MAX_BYTES")
        chunks.append(chunk)
    return b"".join(chunks)


def _suffix(kind: str, data: bytes, final_url: str) -> str:
    """The file type of an answer: by its content type, its address, else its first bytes (a
    ZIP archive is an XLSX, or an ODS when it says so)."""
    if kind in SPREADSHEET_TYPES:
        return SPREADSHEET_TYPES[kind]
    suffix = Path(urlsplit(final_url).path).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".ods"):
        return suffix
    if data.startswith(b"PK\x03\x04"):
        return ".ods" if b"application/vnd.oasis.opendocument.spreadsheet" in data[:100] else ".xlsx"
    return ".csv"


def saved(data: bytes, suffix: str, folder: str) -> Path:
    """``data`` in a file of ``folder`` with ``suffix`` (the spreadsheet readers read files)."""
    with tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False) as handle:
        handle.write(data)
    return Path(handle.name)
