"""The dashboard in Debian's chromium, served by a real `tracker serve` (gunicorn)."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from probes import PLOTTED, POINT_XY

pytestmark = pytest.mark.browser


# The table's row count and a row's data, from AG Grid's own API (it renders only visible rows).
GRID_COUNT = """() => { try { return dash_ag_grid.getApi('grid').getDisplayedRowCount(); }
                        catch (e) { return -1; } }"""  # -1 until the grid is up
GRID_TITLE_AT = """(i) => { const row = dash_ag_grid.getApi('grid').getDisplayedRowAtIndex(i);
                            return row && row.data ? row.data.title : null; }"""


def csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def plotted(page: Page) -> int:
    return page.evaluate(PLOTTED)


def wait_plotted(page: Page, expected: int) -> None:
    """Wait until the timeline plots ``expected`` events and the table holds as many rows."""
    page.wait_for_function(f"() => ({PLOTTED})() === {expected}", timeout=20_000)
    page.wait_for_function(f"() => ({GRID_COUNT})() === {expected}", timeout=20_000)


def click_event(page: Page, event_id: str) -> None:
    """Click an event's marker on the timeline."""
    page.locator("#timeline").scroll_into_view_if_needed()
    page.mouse.click(*page.evaluate(POINT_XY, event_id))


def open_dashboard(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#timeline .main-svg", timeout=30_000)


def test_filters_url_details_reset_and_screenshot(serve, page: Page, browser, events_csv, tmp_path):
    rows = csv_rows(events_csv)
    sizes = Counter(r["category"] for r in rows)
    server = serve(events_csv)
    open_dashboard(page, server.url)
    wait_plotted(page, len(rows))
    expect(page.locator("#header-summary")).to_contain_text(f"{len(rows)} of {len(rows)} events shown")
    assert page.url == server.url + "/"

    # Toggle a category off with the keyboard: the count drops by exactly its size, the URL changes.
    renders = []  # render callback requests: one per click (the URL it writes does not render again)
    # (matched on an output only the render callback has: the zoom callback also outputs the figure)
    page.on(
        "request",
        lambda r: renders.append(r.url) if "header-summary.children" in (r.post_data or "") else None,
    )
    page.focus("#filter-categories input[value='diplomatic']")
    page.keyboard.press("Space")
    wait_plotted(page, len(rows) - sizes["diplomatic"])
    page.wait_for_url("**/?category=*")
    assert len(renders) == 1
    # The counts and the map, drawn right after the timeline, follow the filter too.
    lanes = "id => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => (t.meta || {}).category)"
    page.wait_for_function(f"() => !({lanes})('counts').includes('diplomatic')", timeout=20_000)
    assert "energy" in page.evaluate(lanes, "counts") and "diplomatic" not in page.evaluate(lanes, "map")
    assert "diplomatic" not in page.url and "category=military" in page.url
    expect(page.locator("#header-summary")).to_contain_text(f"{len(rows) - sizes['diplomatic']} of {len(rows)}")
    shared_url = page.url

    # A fresh page opened on the copied URL shows the same view, control state included.
    fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_dashboard(fresh, shared_url)
    wait_plotted(fresh, len(rows) - sizes["diplomatic"])
    expect(fresh.locator("#filter-categories input[value='diplomatic']")).not_to_be_checked()
    expect(fresh.locator("#filter-categories input[value='energy']")).to_be_checked()
    fresh.close()

    # Back restores the unfiltered view.
    page.go_back()
    wait_plotted(page, len(rows))
    page.go_forward()
    wait_plotted(page, len(rows) - sizes["diplomatic"])

    # Clicking an event on the timeline shows its details and its source link.
    event = next(r for r in rows if r["id"] == "2006-10-14-unsc-res-1718-adopted")
    click_event(page, event["id"])
    details = page.locator("#details")
    expect(details).to_contain_text(event["title"])
    expect(details).to_contain_text("14 Oct 2006")
    link = details.locator("a").first
    expect(link).to_have_attribute("href", event["source_url"].split(" | ")[0])
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")

    # A table row shows its details too.
    page.locator("#grid .ag-row", has_text="Khasan-Tumangang").first.click()
    expect(details).to_contain_text("2013 (year precision)")
    expect(details.locator("a")).to_have_attribute("href", "https://interfax.com/newsroom/top-stories/84561/")

    # The table sorts on the server: clicking a header puts the first title (of the filtered rows) first.
    shown = sorted(r["title"] for r in rows if r["category"] != "diplomatic")
    page.locator("#grid .ag-header-cell[col-id='title'] .ag-header-cell-label").click()
    page.wait_for_function(f"() => ({GRID_TITLE_AT})(0) === {shown[0]!r}", timeout=20_000)
    assert page.evaluate(GRID_TITLE_AT, len(shown) - 1) == shown[-1]

    # Search for nothing: the empty state; then reset brings everything back.
    page.fill("#filter-search", "no-such-event-anywhere")
    page.keyboard.press("Enter")
    wait_plotted(page, 0)
    expect(page.locator("#empty-note")).to_have_text("No events match these filters")
    page.click("#filter-reset")
    wait_plotted(page, len(rows))
    page.wait_for_url(server.url + "/")
    expect(page.locator("#filter-search")).to_have_value("")
    expect(page.locator("#filter-categories input[value='diplomatic']")).to_be_checked()
    assert page.locator("#grid .ag-center-cols-container .ag-row").count() > 0

    page.evaluate("window.scrollTo(0, 0)")
    click_event(page, "2019-04-25-kim-putin-vladivostok-summit")
    expect(details).to_contain_text("25 Apr 2019")
    screenshot = tmp_path / "screenshot.png"  # (the README's own comes from `make screenshot`)
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 50_000
    assert page.dialogs == []


def test_live_data_and_invalid_file_banner(serve, page: Page, events_csv):
    rows = csv_rows(events_csv)
    server = serve(events_csv)
    open_dashboard(page, server.url + "/?category=transport")
    transport = sum(r["category"] == "transport" for r in rows)
    wait_plotted(page, transport)

    with open(events_csv, "a", encoding="utf-8") as handle:
        handle.write(
            "2025-01-10-new-rail-service,2025-01-10,,New Khasan rail service,Appended while serving.,"
            "transport,reported,RUS;PRK,Khasan,42.43,130.64,,Example,https://example.org/rail\n"
        )
    # The next interaction (here: searching for "rail") sees the new row without a restart.
    page.fill("#filter-search", "rail")
    page.keyboard.press("Enter")
    wait_plotted(
        page,
        sum(
            r["category"] == "transport" and "rail" in (r["title"] + r["description"] + r["location"]).lower()
            for r in rows
        )
        + 1,
    )
    expect(page.locator("#header-summary")).to_contain_text(f"of {len(rows) + 1} events shown")

    good = plotted(page)
    text = events_csv.read_text(encoding="utf-8")
    events_csv.write_text(text.replace("2013,,Khasan", "2013-13,,Khasan"), encoding="utf-8")
    os.utime(events_csv)
    page.click("#filter-reset")
    banner = page.locator("#error-banner")
    expect(banner).to_be_visible(timeout=20_000)
    expect(banner).to_contain_text(f"{events_csv}:4: date:")
    expect(banner).to_contain_text("still showing the last good version")
    wait_plotted(page, len(rows) + 1)
    assert good < len(rows) + 1


# Marks drawn in the timeline's main plot: SVG markers and bars with a size (the range slider's
# miniature copies and the legend's empty sample bar are not counted).
DRAWN_MARKS = """() => [...document.querySelectorAll(
  '#timeline .cartesianlayer .scatterlayer .point, #timeline .cartesianlayer .barlayer .point')]
  .filter(p => { const box = p.getBBox(); return box.width > 0 || box.height > 0; }).length"""


def test_a_thousand_events_are_drawn_mark_by_mark_under_the_csp(serve, page: Page, tmp_path):
    """Below the density threshold every event is a mark the browser really draws: no WebGL
    trace, which the CSP (no eval for its shader compiler) would turn into "WebGL is not supported"."""
    from synthetic import events

    path = tmp_path / "events.csv"
    events(1_200).to_csv(path, index=False)
    server = serve(path)
    open_dashboard(page, server.url)
    wait_plotted(page, 1_200)
    assert page.locator("#timeline .no-webgl").count() == 0
    page.wait_for_function(f"() => ({DRAWN_MARKS})() === 1200", timeout=20_000)


def test_zooming_in_on_density_lanes_brings_single_events_from_the_server(serve, page: Page, tmp_path):
    """Above the threshold the lanes show counts; the "1y" range button asks the server for that
    window, which holds few enough events to draw one by one; "all" goes back to counts."""
    from synthetic import events

    from tracker.charts.density import DENSITY_THRESHOLD, in_window
    from tracker.storage import load_events

    path = tmp_path / "events.csv"
    events(5_000).to_csv(path, index=False)
    server = serve(path)
    open_dashboard(page, server.url)
    lanes = "() => document.querySelector('#timeline .js-plotly-plot').data.map(t => t.meta.kind).join()"
    page.wait_for_function(f"() => ({lanes})() === 'density,overview'", timeout=20_000)
    assert plotted(page) == 0

    page.locator("#timeline .rangeselector .button").first.click()  # "1y"
    page.wait_for_function(f"() => ({PLOTTED})() > 0", timeout=20_000)
    x_range = page.evaluate("() => document.querySelector('#timeline .js-plotly-plot').layout.xaxis.range")
    frame = load_events(path)
    expected = int(in_window(frame, tuple(x_range)).sum())
    assert 0 < expected <= DENSITY_THRESHOLD
    page.wait_for_function(f"() => ({PLOTTED})() === {expected}", timeout=20_000)
    overview = "() => document.querySelector('#timeline .js-plotly-plot').data.find(t => t.meta.kind === 'overview')"
    assert sum(page.evaluate(overview)["customdata"]) == 5_000  # the slider still shows them all

    page.locator("#timeline .rangeselector .button").nth(2).click()  # "all"
    page.wait_for_function(f"() => ({lanes})() === 'density,overview'", timeout=20_000)

    # Dragging across a few pixels of the lanes zooms there: single events again.
    box = page.locator("#timeline .nsewdrag").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 15, y, steps=5)
    page.mouse.up()
    page.wait_for_function(f"() => ({PLOTTED})() > 0", timeout=20_000)


def test_unticking_a_category_empties_its_density_lane_and_moves_no_other(serve, page: Page, tmp_path):
    """Above the threshold a category toggle redraws the counts in place: the unticked lane is
    empty, every lane keeps its row and the plot its height; ticking it again brings it back."""
    from synthetic import events

    from tracker.contract import schema

    path = tmp_path / "events.csv"
    frame = events(5_000)
    frame.to_csv(path, index=False)
    military = int((frame["category"] == "military").sum())
    server = serve(path)
    open_dashboard(page, server.url)
    counted = """() => { const gd = document.querySelector('#timeline .js-plotly-plot');
      const heat = gd.data.find(t => t.meta.kind === 'density');
      return heat && {lanes: heat.y, sums: heat.customdata.map(r => r.reduce((a, c) => a + (c || 0), 0)),
                      height: gd._fullLayout.height, drawn: gd.querySelectorAll('.hm image').length}; }"""
    page.wait_for_function(f"() => (({counted})() || {{}}).drawn === 1", timeout=20_000)
    before = page.evaluate(counted)
    assert before["lanes"] == list(schema.CATEGORIES) and sum(before["sums"]) == 5_000

    page.locator('#filter-categories input[value="military"]').uncheck()
    page.wait_for_function(f"() => ({counted})().sums.reduce((a, b) => a + b) === {5_000 - military}", timeout=20_000)
    after = page.evaluate(counted)
    assert after["lanes"] == before["lanes"] and after["height"] == before["height"] and after["drawn"] == 1
    assert after["sums"][0] == 0 and after["sums"][1:] == before["sums"][1:]

    page.locator('#filter-categories input[value="military"]').check()
    page.wait_for_function(f"() => ({counted})().sums.reduce((a, b) => a + b) === 5000", timeout=20_000)


AXIS_TEXT = """([graph, ticks]) => Array.from(document.querySelectorAll(graph + ' .' + ticks + ' text'))
                                   .map(t => t.textContent)"""


def test_a_lone_event_shows_every_lane_its_days_and_its_month(serve, page: Page, events_csv):
    """One event (a typical "changed since" of one edit): the timeline keeps every lane and ticks
    days, never hours; the counts chart draws its month as a bar, ticked by month."""
    server = serve(events_csv)
    open_dashboard(page, server.url + "/?q=first+summit")
    wait_plotted(page, 1)
    lanes = page.evaluate(AXIS_TEXT, ["#timeline", "y2tick"])
    assert lanes == ["Military", "Arms transfer", "Diplomatic", "Economic", "Energy", "Transport", "Labour",
                     "Sanctions", "UN / legal"]  # fmt: skip
    days = page.evaluate(AXIS_TEXT, ["#timeline", "xtick"])
    assert days and all(":" not in d for d in days), days
    assert any(d.startswith("Apr 21") for d in days), days
    page.wait_for_function("([g, t]) => document.querySelectorAll(g + ' .' + t + ' text').length === 3",
                           arg=["#counts", "xtick"])  # fmt: skip
    assert page.evaluate(AXIS_TEXT, ["#counts", "xtick"]) == ["Mar2019", "Apr2019", "May2019"]
    bar = page.locator("#counts .trace.bars .point path").bounding_box()
    assert bar["width"] > 40, bar
