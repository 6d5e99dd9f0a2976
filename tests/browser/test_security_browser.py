"""Hostile markup is shown as text, never run; the dashboard works under its CSP (issue 6)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from probes import PLOTTED, POINT_XY

pytestmark = pytest.mark.browser

EVENT_ID = "2024-04-25-un-panel-kharkiv-hwasong-11"
TITLE = "<img src=x onerror=alert(1)> & <script>alert(2)</script> Kharkiv"
DESCRIPTION = '<script>alert(3)</script><img src=x onerror="alert(4)"> <b>not bold</b> &amp; done'
LOCATION = "<svg onload=alert(5)>Kharkiv"
# Collects every CSP violation the page reports, from the very first script on.
WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""
INJECTED = "() => document.querySelectorAll('img[src=\"x\"], svg[onload], script:not([src]):not([type])').length"


@pytest.fixture
def hostile_csv(events_csv: Path) -> Path:
    """The shipped events with markup in one event's title, description and location."""
    with open(events_csv, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r["id"] == EVENT_ID)
    row.update(title=TITLE, description=DESCRIPTION, location=LOCATION)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    events_csv.write_text(out.getvalue(), encoding="utf-8")
    return events_csv


def open_watched(page: Page, url: str) -> list[str]:
    """Open the dashboard, recording CSP violations and console errors; return that error list."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    response = page.goto(url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#timeline .main-svg", timeout=30_000)
    return errors


def test_markup_in_events_is_shown_as_text_and_never_runs(serve, page: Page, hostile_csv: Path):
    server = serve(hostile_csv)
    errors = open_watched(page, server.url)
    page.wait_for_function(f"() => ({PLOTTED})() === 46", timeout=20_000)

    # Hover, then click the event on the timeline: label and details show the text as typed.
    page.locator("#timeline").scroll_into_view_if_needed()
    xy = page.evaluate(POINT_XY, EVENT_ID)
    page.mouse.move(*xy)
    expect(page.locator("#timeline .hoverlayer .hovertext")).to_contain_text(TITLE)
    page.mouse.click(*xy)
    details = page.locator("#details")
    expect(details.locator("h3")).to_have_text(TITLE)
    expect(details.locator("p.description")).to_have_text(DESCRIPTION)
    expect(details.locator("dd").nth(4)).to_have_text(LOCATION)

    # The table, narrowed by a search, shows the title as text; selecting its row opens details.
    page.goto(server.url + "/?q=onerror")
    page.wait_for_function(f"() => ({PLOTTED})() === 1", timeout=20_000)
    cell = page.locator("#grid .ag-row .ag-cell[col-id='title']")
    expect(cell).to_have_count(1)
    expect(cell).to_have_text(TITLE)
    cell.click()
    expect(page.locator("#details h3")).to_have_text(TITLE)

    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.evaluate(INJECTED) == 0
    assert page.evaluate("window.__csp") == []
    assert errors == []


def test_the_csp_is_enforced_and_the_app_works_under_it(serve, page: Page, events_csv: Path):
    server = serve(events_csv)
    errors = open_watched(page, server.url)
    page.wait_for_function(f"() => ({PLOTTED})() === 46", timeout=20_000)
    expect(page.locator("#map .main-svg").first).to_be_visible()
    expect(page.locator("#grid .ag-row").first).to_be_visible()
    assert page.evaluate("window.__csp") == []
    assert errors == []

    # An inline script injected into the page (as an XSS would) is blocked and reported.
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__ran = true'; document.body.append(s); }""")
    page.wait_for_function("() => window.__csp.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("window.__csp") == ["script-src-elem inline"]
