"""A "changed since" entry in the dashboard -> the redrawn timeline, in headless Chromium, on an
events file inside a git repository; beside it, a category click on the same page (the
filter-click budget it is held to)."""

from __future__ import annotations

import statistics
from pathlib import Path

from .browser import ARGS, CHROMIUM, CLICK_TO_REDRAW, DRAWN, SETTLE
from .server import Server

GRAPH = "#timeline"
CONTROL = "#filter-changed-since"
CATEGORY = '#filter-categories input[value="military"]'
# Arm a listener: the clock starts at the Enter key's keydown (the control sends its value on
# Enter) and stops at the first redraw after a callback answered; read ``window.__redrawn``.
ARM = """([graph, control]) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  const input = document.querySelector(control);
  window.__redrawn = null;
  let t0 = null;
  const start = e => { if (e.key === 'Enter') { t0 = performance.now(); input.removeEventListener('keydown', start, true); } };
  input.addEventListener('keydown', start, true);
  const answered = () => t0 !== null && performance.getEntriesByType('resource').some(
    e => e.name.includes('_dash-update-component') && e.startTime >= t0 && e.responseEnd > 0);
  const seen = () => { if (answered()) { gd.removeListener('plotly_afterplot', seen);
                                          window.__redrawn = performance.now() - t0; } };
  gd.on('plotly_afterplot', seen);
}"""


def changed_since_entry(csv: Path, dates: list[str], log_dir: Path, timeout_s: float = 300) -> dict[str, float]:
    """Median seconds from Enter in the "changed since" control to the redrawn timeline, one new
    date each time (none answered from memory), the slowest of them, and the median of a
    category click on the same page."""
    from playwright.sync_api import sync_playwright

    server = Server("ours", csv, log_dir)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(timeout_s * 1000)
            page.goto(server.url)
            page.wait_for_function(DRAWN, arg=GRAPH)
            entries = []
            for date in dates:
                page.evaluate(SETTLE, GRAPH)
                page.fill(CONTROL, date)
                page.evaluate("performance.clearResourceTimings()")
                page.evaluate(ARM, [GRAPH, CONTROL])
                page.keyboard.press("Enter")
                page.wait_for_function("() => window.__redrawn !== null")
                entries.append(page.evaluate("window.__redrawn") / 1000)
            clicks = []
            for _ in dates:
                page.evaluate(SETTLE, GRAPH)
                page.evaluate("performance.clearResourceTimings()")
                clicks.append(page.evaluate(CLICK_TO_REDRAW, [GRAPH, CATEGORY]) / 1000)
            browser.close()
    finally:
        server.stop()
    return {
        "changed_since_entry": statistics.median(entries),
        "changed_since_slowest": max(entries),
        "category_click": statistics.median(clicks),
    }
