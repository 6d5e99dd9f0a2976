"""Accessibility in Chromium: an axe-core audit (axe-playwright-python) of the dashboard, the
details panel with an event selected and the reading view finds no serious or critical
violation; the filters, the table, the details and the reading view work with the keyboard alone."""

from __future__ import annotations

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from test_dashboard_browser import csv_rows, open_dashboard, wait_plotted

from tracker.links import LinkResult
from tracker.links.cache import save_results

pytestmark = pytest.mark.browser

# What has the keyboard focus: its id, else its classes, and its text.
FOCUSED = """() => { const e = document.activeElement;
  return {id: e.id, cls: String(e.className), text: (e.textContent || '').trim().slice(0, 80),
          value: e.value || '', href: e.getAttribute('href') || ''}; }"""


# axe-core's colour-contrast rule stops, for the whole page, at an element whose midpoint lies
# outside the page: ag-grid's virtual row container, as tall as every row (axe-core issue #4253;
# it reports the rule as "incomplete" with an error, not as a violation). So contrast is checked
# in a second run with the table left out (its colours, ag-grid's theme's, go unchecked), and a
# rule that stopped with an error fails the audit instead of passing silently.
CONTRAST = "color-contrast"
NOT_CONTRAST = {"rules": {CONTRAST: {"enabled": False}}}


def serious(page: Page) -> list[str]:
    """The serious and critical violations axe-core finds on the page, as "rule: element", and
    every rule that could not run ("rule: error …")."""
    page.wait_for_timeout(200)  # (a frame for assets/a11y.js after the last render)
    runs = [
        Axe().run(page, options=NOT_CONTRAST).response,
        Axe().run(page, context={"exclude": [["#grid"]]}, options={"runOnly": [CONTRAST]}).response,
    ]
    found = [
        f"{v['id']}: {node['target']}"
        for result in runs
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]
    errors = [f"{v['id']}: error {v['error']['message']}" for r in runs for v in r["incomplete"] if v.get("error")]
    return found + errors


def tab_to(page: Page, matches, limit: int = 150, key: str = "Tab") -> dict:
    """Press Tab until the focused element satisfies ``matches``; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if matches(focused):
            return focused
    raise AssertionError(f"{key} never reached the element (last: {focused})")


def test_no_serious_violation_on_the_dashboard_the_details_or_the_reading_view(
    serve, page: Page, events_csv, private_cache
):
    rows = csv_rows(events_csv)
    khasan = next(r for r in rows if r["id"] == "2013-khasan-rajin-rail-freight")
    dead = khasan["source_url"].split(" | ")[0]  # (a link check's result, so the panel marks it)
    save_results([LinkResult(dead, "dead", 404, "404 Not Found", time.time())])
    server = serve(events_csv)
    open_dashboard(page, server.url)
    wait_plotted(page, len(rows))
    assert page.evaluate("document.documentElement.lang") == "en"
    assert serious(page) == []

    page.locator("#grid .ag-row", has_text="Khasan-Tumangang").first.click()
    expect(page.locator("#details")).to_contain_text("2013 (year precision)")
    expect(page.locator("#details .link-dead")).to_contain_text("dead link: 404 Not Found (checked ")
    assert serious(page) == []

    page.goto(server.url + "/read?category=transport,energy")
    expect(page.locator("h1")).to_have_text("Sanctions events")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert serious(page) == []


def test_filters_table_and_details_with_the_keyboard_alone(serve, page: Page, events_csv):
    rows = csv_rows(events_csv)
    diplomatic = sum(r["category"] == "diplomatic" for r in rows)
    server = serve(events_csv)
    open_dashboard(page, server.url)
    wait_plotted(page, len(rows))
    page.locator("body").focus()

    # A category unticked, an actor chosen from the dropdown, a search typed: all by keyboard.
    tab_to(page, lambda f: f["value"] == "diplomatic")
    page.keyboard.press("Space")
    wait_plotted(page, len(rows) - diplomatic)
    tab_to(page, lambda f: f["id"] == "filter-actors")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    page.keyboard.type("RUS")
    # (the list is narrowed after the keys: wait until it holds only what "RUS" matches)
    page.wait_for_function(
        """() => { const options = [...document.querySelectorAll('.dash-dropdown-content [data-option-index]')];
                   return options.length && options.every(o => o.textContent.includes('RUS')); }"""
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('actor=RUS')")
    shown = [r for r in rows if r["category"] != "diplomatic" and "RUS" in r["actors"].split(";")]
    wait_plotted(page, len(shown))
    # (the dropdown's list closes after its value is sent: Tab on once it has, as a person would)
    page.wait_for_function("() => !document.querySelector('.dash-dropdown-content')")
    tab_to(page, lambda f: f["id"] == "filter-search")
    page.keyboard.type("rail")
    expect(page.locator("#filter-search")).to_have_value("rail")
    page.keyboard.press("Enter")
    railed = [r for r in shown if "rail" in (r["title"] + r["description"] + r["location"]).lower()]
    wait_plotted(page, len(railed))
    # "Read these events" carries the same filter to the reading view.
    search = page.evaluate("location.search")
    assert "q=rail" in search
    expect(page.locator("#read-link")).to_have_attribute("href", "/read" + search)

    # Into the table: a header, then down to the first row; Space selects it and shows its details.
    tab_to(page, lambda f: "ag-header-cell" in f["cls"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    first = min(railed, key=lambda r: (r["date"], r["id"]))
    expect(page.locator("#details h3")).to_have_text(first["title"])
    # The details' source link is next in the tab order after the table.
    link = tab_to(page, lambda f: f["href"].startswith("http"), limit=40)
    assert link["href"] == first["source_url"].split(" | ")[0]


def test_the_reading_view_with_the_keyboard_alone(serve, page: Page, events_csv):
    server = serve(events_csv)
    page.goto(server.url + "/read?category=transport")
    titles = [
        r["title"]
        for r in sorted(csv_rows(events_csv), key=lambda r: (r["date"], r["id"]))
        if r["category"] == "transport"
    ]
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Skip to the events"
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)["id"] == "events"
    # From there Tab goes event by event (each title links to itself), through each one's sources.
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["href"].startswith("#e-"):
            reached.append(focused["text"])
        if len(reached) == len(titles):
            break
    assert reached == titles
    page.keyboard.press("Enter")  # (the last title: its link is the event's own address)
    page.wait_for_function(f"() => location.hash === {focused['href']!r}")
    # Printed, the navigation goes and every event stays.
    page.emulate_media(media="print")
    assert page.locator("nav").first.is_hidden() and page.locator("article").count() == len(titles)


def test_fast_typing_on_a_busy_page_comes_out_in_order(serve, page: Page, events_csv):
    """A debounced input put its caret back a keystroke late when the page was busy: keys typed
    in between landed out of order ("rail" came out "rali")."""
    server = serve(events_csv)
    open_dashboard(page, server.url)
    wait_plotted(page, len(csv_rows(events_csv)))
    busy = "() => { const t = performance.now(); while (performance.now() - t < 40) {} }"
    for control in ("#filter-search", "#filter-changed-since"):
        page.evaluate(f"document.querySelector('{control}').addEventListener('input', {busy})")
        page.locator(control).focus()
        page.keyboard.type("rail freight 2024")
        expect(page.locator(control)).to_have_value("rail freight 2024")
