"""Real browser: the dashboard's export buttons download exactly the filtered view."""

from __future__ import annotations

import csv
import io
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tracker.query import EventFilter, filter_events
from tracker.storage import load_events

pytestmark = pytest.mark.browser


def download(page: Page, button: str) -> tuple[str, bytes]:
    """Click an export button; return the suggested file name and the bytes received."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=button).click()
    dl = info.value
    assert dl.failure() is None
    return dl.suggested_filename, Path(dl.path()).read_bytes()


def test_export_png_and_csv_of_the_filtered_view(serve, page, events_csv):
    frame = load_events(events_csv)
    both = len(filter_events(frame, EventFilter(categories=("military", "arms_transfer"))))
    arms = len(filter_events(frame, EventFilter(categories=("arms_transfer",))))
    server = serve(events_csv)
    page.goto(server.url + "/?category=military,arms_transfer")
    summary = page.locator("#header-summary")
    expect(summary).to_contain_text(f"{both} of {len(frame)} events shown")

    name, png = download(page, "Download timeline as PNG")
    assert name == "events_military-arms_transfer_2022-2024.png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24])[0] == 1200

    name, data = download(page, "Download events as CSV")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert name == "events_military-arms_transfer_2022-2024.csv"
    assert len(rows) == both
    assert {r["category"] for r in rows} == {"military", "arms_transfer"}

    # Untick "Military" on the page: the next export follows the new view.
    page.locator("#filter-categories label", has_text="Military").click()
    expect(page).to_have_url(f"{server.url}/?category=arms_transfer")
    expect(summary).to_contain_text(f"{arms} of {len(frame)} events shown")
    name, data = download(page, "Download events as CSV")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert name.startswith("events_arms_transfer_") and len(rows) == arms
    assert {r["category"] for r in rows} == {"arms_transfer"}
    expect(page.locator("#export-status")).to_have_text(f"Downloaded {name} ({arms} events)")
    assert page.dialogs == []


@pytest.mark.parametrize("chart", ["timeline", "map"])
def test_html_export_works_offline(page, events_csv, tmp_path, chart):
    from click.testing import CliRunner

    from tracker.cli import main

    out = tmp_path / f"{chart}.html"
    result = CliRunner().invoke(
        main, ["export", str(events_csv), "--chart", chart, "--status", "confirmed", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    network: list[str] = []
    page.route("http*://**/*", lambda route: (network.append(route.request.url), route.abort()))
    page.goto(out.as_uri())
    plot = page.locator(".js-plotly-plot")
    expect(plot.locator(".main-svg").first).to_be_visible()
    confirmed = len(filter_events(load_events(events_csv), EventFilter(statuses=("confirmed",))))
    expect(page.locator(".gtitle-subtitle")).to_contain_text(f"statuses: confirmed · {confirmed} of 46 events")
    if chart == "map":
        assert page.locator(".geo .countries path, .geo .land path").count() > 0  # outlines drawn offline
    else:
        drawn = page.evaluate(
            "() => document.querySelector('.js-plotly-plot').data"
            ".filter(t => t.meta && t.meta.kind === 'events').reduce((n, t) => n + t.customdata.length, 0)"
        )
        assert drawn == confirmed
    assert network == [] and page.dialogs == []
