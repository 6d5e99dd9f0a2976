"""Filter click -> redrawn timeline, measured inside headless Chromium (Playwright)."""

from __future__ import annotations

import os
import statistics
import time

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

DRAWN = "sel => { const gd = document.querySelector(sel + ' .js-plotly-plot'); return !!(gd && gd.data && gd.data.length); }"
# Click -> the first redraw after the server has answered a callback sent after the click (not a
# redraw still pending from an earlier change, which would make a click look faster than the
# round trip it needs). A resource timing entry is recorded when its response ends, before Dash
# hands the answer to Plotly, so the afterplot handler can look for it synchronously.
CLICK_TO_REDRAW = """async ([graph, target]) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  const t0 = performance.now();
  const answered = () => performance.getEntriesByType('resource').some(
    e => e.name.includes('_dash-update-component') && e.startTime >= t0 && e.responseEnd > 0);
  const drawn = new Promise(resolve => {
    const seen = () => { if (answered()) { gd.removeListener('plotly_afterplot', seen); resolve(performance.now() - t0); } };
    gd.on('plotly_afterplot', seen);
    setTimeout(() => resolve(-1), 120000);
  });
  document.querySelector(target).click();
  return await drawn;
}"""
# Wait until the page is quiet: no callback answered and no redraw for a whole second.
SETTLE = """async (graph) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  let last = performance.now();
  const busy = () => { last = performance.now(); };
  gd.on('plotly_afterplot', busy);
  const observer = new PerformanceObserver(busy);
  observer.observe({type: 'resource'});
  while (performance.now() - last < 1000) await new Promise(r => setTimeout(r, 50));
  gd.removeListener('plotly_afterplot', busy);
  observer.disconnect();
}"""


def click_to_redraw(url: str, graph: str, target: str, repeat: int, timeout_s: float = 300) -> dict[str, float]:
    """Seconds to the first drawn timeline, and the median click -> afterplot of ``repeat`` clicks."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(timeout_s * 1000)
            start = time.perf_counter()
            page.goto(url)
            page.wait_for_function(DRAWN, arg=graph, timeout=timeout_s * 1000)
            first = time.perf_counter() - start
            clicks = []
            for _ in range(max(1, repeat)):
                page.evaluate(SETTLE, graph)  # (follow-up callbacks of the last change done)
                page.evaluate("performance.clearResourceTimings()")
                took = page.evaluate(CLICK_TO_REDRAW, [graph, target])
                if took < 0:
                    raise RuntimeError("the timeline was not redrawn within 120 s of the click")
                clicks.append(took / 1000)
            return {"first_draw": first, "click": statistics.median(clicks)}
        finally:
            browser.close()
