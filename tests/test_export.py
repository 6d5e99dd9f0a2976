"""Exports: the files themselves (PNG/SVG/PDF/HTML/CSV/JSON), their captions, names and errors."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from plotly.io.json import to_json_plotly

from tracker.cli import main
from tracker.export import data_version, export_filename, export_view
from tracker.export import image as export_image
from tracker.export.data import events_csv as csv_bytes
from tracker.export.data import neutralise_formulas
from tracker.export.rows import public_frame
from tracker.query import EventFilter, filter_events
from tracker.storage import add_event, load_events

FILTER_ARGS = ["--category", "military", "--category", "arms_transfer"]
FILTER = EventFilter(categories=("military", "arms_transfer"))
SVG_NS = "{http://www.w3.org/2000/svg}"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def export(csv: Path, out: Path, *args: str):
    result = run("export", csv, *args, "-o", out)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def sha_version(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module", autouse=True)
def _close_browser():
    yield
    export_image.stop_browser()


# ---------------------------------------------------------------- images


@pytest.mark.chromium
def test_png_has_signature_and_requested_pixel_size(events_csv, tmp_path):
    data = export(
        events_csv,
        tmp_path / "t.png",
        *FILTER_ARGS,
        "--width",
        "800",
        "--height",
        "500",
        "--scale",
        "2",
    )
    assert png_size(data) == (1600, 1000)


@pytest.mark.chromium
def test_counts_png_at_scale_one(events_csv, tmp_path):
    data = export(events_csv, tmp_path / "c.png", "--chart", "counts", "--width", "640", "--height", "360")
    assert png_size(data) == (640, 360)


@pytest.mark.chromium
def test_svg_is_xml_with_svg_root_and_caption(events_csv, tmp_path):
    data = export(events_csv, tmp_path / "t.svg", *FILTER_ARGS, "--title", "Arms & <war>")
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    caption = (
        f"Filters: categories: military, arms_transfer · 11 of 46 events · "
        f"data: events.csv @ {sha_version(events_csv)} · generated {today()}"
    )
    assert caption in texts
    assert "Arms & <war>" in texts  # the title is shown as typed, not parsed as markup


@pytest.mark.chromium
def test_pdf_signature(events_csv, tmp_path):
    data = export(events_csv, tmp_path / "t.pdf", "--format", "pdf", "--chart", "counts")
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")


@pytest.mark.chromium
def test_map_png_renders_offline_with_vendored_outlines(events_csv, tmp_path):
    data = export(events_csv, tmp_path / "m.png", "--chart", "map", "--width", "700", "--height", "400")
    assert png_size(data) == (700, 400)


@pytest.mark.chromium
def test_browser_stays_warm_between_images(events_csv):
    frame = load_events(events_csv)
    export_view(frame, FILTER, "png", csv_path=events_csv)
    thread = export_image._server()._thread
    export_view(frame, FILTER, "svg", csv_path=events_csv, chart="counts")
    assert export_image.server_running()
    assert export_image._server()._thread is thread  # the same browser served both


# ---------------------------------------------------------------- HTML


def test_html_is_self_contained_with_filtered_titles(events_csv, tmp_path):
    page = export(events_csv, tmp_path / "t.html", *FILTER_ARGS).decode()
    frame = load_events(events_csv)
    shown = filter_events(frame, FILTER)
    for title in shown["title"]:
        assert to_json_plotly(html.escape(title))[1:-1] in page
    hidden = frame[~frame["id"].isin(shown["id"])]["title"].iloc[0]
    assert to_json_plotly(html.escape(hidden))[1:-1] not in page
    assert re.search(r"<script[^>]*\bsrc=", page) is None  # nothing loaded from the network
    assert "plotly.js v" in page and "Plotly.newPlot" in page  # plotly.js inlined
    assert to_json_plotly(f"11 of 46 events · data: events.csv @ {sha_version(events_csv)}")[1:-1] in page


def test_html_escapes_hostile_titles(events_csv, tmp_path):
    hostile = '<img src=x onerror=alert(1)> & "quotes"'
    add_event(
        events_csv,
        {
            "date": "2024-05-01",
            "title": hostile,
            "category": "military",
            "status": "alleged",
            "source_url": "https://example.org/a",
        },
    )
    page = export(events_csv, tmp_path / "t.html", "--title", "<script>alert(2)</script>").decode()
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "<title>&lt;script&gt;alert(2)&lt;/script&gt;</title>" in page
    assert to_json_plotly(html.escape(hostile))[1:-1] in page


def test_map_html_carries_its_outlines(events_csv, tmp_path):
    page = export(events_csv, tmp_path / "m.html", "--chart", "map").decode()
    assert "window.PlotlyGeoAssets" in page and '"world_110m"' in page
    assert re.search(r"<script[^>]*\bsrc=", page) is None


# ---------------------------------------------------------------- CSV and JSON


@pytest.mark.parametrize("args", [FILTER_ARGS, [], ["--status", "denied"], ["--search", "rajin", "--since", "2022"]])
def test_csv_rows_equal_tracker_list(events_csv, tmp_path, args):
    data = export(events_csv, tmp_path / "e.csv", *args)
    listed = run("list", events_csv, *args, "--format", "csv")
    assert listed.exit_code == 0
    assert data.decode() == listed.stdout  # the shipped data holds no formula-like cells
    assert len(pd.read_csv(io.BytesIO(data), dtype=str)) == len(listed.stdout.splitlines()) - 1


def test_json_events_equal_tracker_list_and_meta(events_csv, tmp_path):
    doc = json.loads(export(events_csv, tmp_path / "e.json", *FILTER_ARGS))
    listed = json.loads(run("list", events_csv, *FILTER_ARGS, "--format", "json").stdout)
    assert doc["events"] == listed and len(listed) == 11
    meta = doc["meta"]
    assert meta["filters"] == "categories: military, arms_transfer"
    assert (meta["events"], meta["total_events"]) == (11, 46)
    assert meta["data_file"] == "events.csv"
    assert meta["data_version"] == sha_version(events_csv)
    assert meta["generated"].startswith(today()) and meta["generated"].endswith("Z")
    assert meta["query"] == "category=military%2Carms_transfer"


def test_formula_cells_neutralised_and_round_trip(events_csv, tmp_path):
    row = {
        "date": "2024-05-01",
        "title": '=HYPERLINK("http://evil.example","x")',
        "category": "military",
        "status": "alleged",
        "description": "\t+cmd|' /C calc'!A0",
        "location": "-2+3 km",
        "source_name": "@SUM(1+1)",
        "source_url": "https://example.org/a",
        "lat": "-33.9",
        "lon": "-73.968",
    }
    event_id = add_event(events_csv, row)
    out = tmp_path / "e.csv"
    export(events_csv, out, "--search", "HYPERLINK")
    text = out.read_text()
    assert "'=HYPERLINK(" in text and ",-33.9,-73.968," in text  # numbers are left alone
    back = load_events(out)
    assert list(back["id"]) == [event_id]
    got, original = back.iloc[0], load_events(events_csv).set_index("id").loc[event_id]
    for column in ("title", "description", "location", "source_name"):
        assert original[column][0] in "=+-@\t"
        assert got[column] == "'" + original[column]
    assert (got["lat"], got["lon"]) == (-33.9, -73.968)
    assert got["date"] == "2024-05-01" and got["source_url"] == row["source_url"]


def test_neutralise_formulas_rules():
    frame = pd.DataFrame(
        {
            "title": ["=1+1", "+1", "-x", "@x", "\tx", "\rx", "ok", "a=b", ""],
            "lat": ["-1.5"] * 9,
            "lon": ["-73.968"] * 9,
        }
    )
    out = neutralise_formulas(frame)
    assert list(out["title"]) == ["'=1+1", "'+1", "'-x", "'@x", "'\tx", "'\rx", "ok", "a=b", ""]
    assert list(out["lat"]) == ["-1.5"] * 9 and list(out["lon"]) == ["-73.968"] * 9


def test_shipped_negative_longitudes_survive(events_csv):
    frame = load_events(events_csv)
    assert (frame["lon"] < 0).any()
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), dtype=str, keep_default_na=False)
    assert list(back["lon"]) == list(public_frame(frame)["lon"])
    assert "-73.968" in set(back["lon"])


# ---------------------------------------------------------------- provenance


def git(repo: Path, *args: str) -> str:
    cmd = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


def test_data_version_is_the_commit_when_tracked_and_clean(events_csv, tmp_path):
    repo = events_csv.parent
    git(repo, "init", "-q")
    assert data_version(events_csv) == sha_version(events_csv)  # untracked: a hash
    git(repo, "add", "events.csv")
    git(repo, "commit", "-q", "-m", "data")
    commit = git(repo, "log", "-1", "--format=%h", "--", "events.csv")
    assert re.fullmatch(r"[0-9a-f]{7,}", commit)
    assert data_version(events_csv) == commit
    with events_csv.open("a") as handle:
        handle.write("\n")
    assert data_version(events_csv) == sha_version(events_csv)  # changed since the commit


# ---------------------------------------------------------------- file names


def test_export_filename_says_what_it_holds(events_csv):
    frame = load_events(events_csv)
    shown = filter_events(frame, FILTER)
    assert export_filename(FILTER, shown, "timeline", "png") == "events_military-arms_transfer_2022-2024.png"
    assert export_filename(FILTER, shown, "counts", "svg") == "event-counts_military-arms_transfer_2022-2024.svg"
    assert export_filename(FILTER, shown, "map", "csv") == "events_military-arms_transfer_2022-2024.csv"
    assert export_filename(EventFilter(), frame, "timeline", "json") == "events_2006-2024.json"
    odd = EventFilter(statuses=("denied",), resolutions=("2397",), search="Rajin / port?")
    assert export_filename(odd, frame.iloc[:0], "timeline", "html") == "events_denied_res-2397_q-rajin-port_none.html"


# ---------------------------------------------------------------- CLI errors


def test_bad_format_is_a_usage_error(events_csv, tmp_path):
    result = run("export", events_csv, "--format", "gif", "-o", tmp_path / "x.gif")
    assert result.exit_code == 2
    assert "'gif' is not one of" in result.output
    result = run("export", events_csv, "-o", tmp_path / "x.txt")
    assert result.exit_code == 2 and "give --format" in result.output


@pytest.mark.parametrize("target", ["missing-folder/out.csv", "."])
def test_unwritable_output_is_a_clean_error(events_csv, tmp_path, target):
    out = tmp_path / target
    result = run("export", events_csv, "--format", "csv", "-o", out)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write {out}")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.csv"]


def test_no_chromium_says_what_to_install_and_data_exports_still_work(events_csv, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_CHROMIUM", str(tmp_path / "no-such-chromium"))
    result = run("export", events_csv, "-o", tmp_path / "t.png")
    assert result.exit_code == 1
    assert "image export needs Chromium" in result.output
    assert "apt-get install chromium" in result.output and "make setup" in result.output
    assert not (tmp_path / "t.png").exists()
    for name in ("t.html", "t.csv", "t.json"):
        assert run("export", events_csv, "-o", tmp_path / name).exit_code == 0
        assert (tmp_path / name).stat().st_size > 0


# ---------------------------------------------------------------- dashboard export callback


@pytest.mark.chromium
def test_dashboard_export_download_uses_the_url_filter(events_csv):
    from dashboard.export_controls import export_download
    from tracker.storage import EventSource

    snap = EventSource(events_csv).snapshot()
    data, status = export_download(snap, "?category=military,arms_transfer", "events.csv")
    assert data["filename"] == "events_military-arms_transfer_2022-2024.csv"
    content = base64.b64decode(data["content"]) if data.get("base64") else data["content"].encode()
    assert content == csv_bytes(filter_events(load_events(events_csv), FILTER))
    assert status == "Downloaded events_military-arms_transfer_2022-2024.csv (11 events)"
    data, _ = export_download(snap, "?category=military,arms_transfer", "timeline.png")
    assert data["type"] == "image/png"
    assert base64.b64decode(data["content"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_long_filters_are_shortened_in_the_caption_but_not_in_meta(events_csv):
    long = EventFilter(search="x" * 300)
    result = export_view(load_events(events_csv), long, "json", csv_path=events_csv)
    meta = json.loads(result.content)["meta"]
    assert meta["filters"] == f'search: "{"x" * 300}"'
    assert result.meta.caption().startswith(f'Filters: search: "{"x" * 130}… · 0 of 46 events · ')


def test_the_caption_counts_one_event_of_many_in_the_plural(events_csv):
    frame = load_events(events_csv)
    one = export_view(frame, EventFilter(search="first summit"), "json", csv_path=events_csv)
    assert " · 1 of 46 events · " in one.meta.caption()
    alone = export_view(frame.iloc[:1], EventFilter(), "json", csv_path=events_csv)
    assert " · 1 of 1 event · " in alone.meta.caption()


def test_oversized_image_is_refused_before_any_render(events_csv, tmp_path):
    result = run("export", events_csv, "-o", tmp_path / "big.png", "--width", "9000", "--scale", "2")
    assert result.exit_code == 1
    assert "Error: image of 18000x" in result.output and "at most 16384" in result.output
    assert not (tmp_path / "big.png").exists()


def test_dashboard_offers_every_export_and_wires_the_download(events_csv):
    from dashboard import create_app
    from dashboard.export_controls import export_panel

    def ids_in(component) -> list:
        children = getattr(component, "children", None)
        kids = children if isinstance(children, list) else [children] if children is not None else []
        own = [component.id] if getattr(component, "id", None) is not None else []
        return own + [i for kid in kids if hasattr(kid, "to_plotly_json") for i in ids_in(kid)]

    found = ids_in(export_panel())
    items = sorted(i["item"] for i in found if isinstance(i, dict) and i.get("type") == "export-button")
    assert items == sorted(
        [
            "timeline.png",
            "timeline.svg",
            "timeline.pdf",
            "timeline.html",
            "counts.png",
            "counts.svg",
            "counts.pdf",
            "counts.html",
            "events.csv",
            "events.json",
            "events.timelinejs",
            "events.md",
            "events.docx",
        ]
    )
    assert "export-download" in found and "export-status" in found
    app = create_app(events_csv)
    assert any("export-download.data" in key for key in app.callback_map)
