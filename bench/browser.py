"""Filter click -> redrawn timeline, measured inside headless Chromium (Playwright)."""

from __future__ import annotations

import os
import statistics
import time

CHROMIUM = os.environ.get("TRACKER_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]  # fmt: skip

DRAWN = "sel => { const gd = document.querySelector(sel + ' .js-plotly-plot'); return !!(gd && gd.data && gd.data.length); }"
CLICK_TO_REDRAW = """async ([graph, target]) => {
  const gd = document.querySelector(graph + ' .js-plotly-plot');
  const t0 = performance.now();
  const drawn = new Promise(resolve => {
    gd.once('plotly_afterplot', () => resolve(performance.now() - t0));
    setTimeout(() => resolve(-1), 120000);
  });
  document.querySelector(target).click();
  return await drawn;
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
            page.wait_for_timeout(500)  # let follow-up callbacks settle
            clicks = []
            for _ in range(max(1, repeat)):
                took = page.evaluate(CLICK_TO_REDRAW, [graph, target])
                if took < 0:
                    raise RuntimeError("the timeline was not redrawn within 120 s of the click")
                clicks.append(took / 1000)
                page.wait_for_timeout(500)
            return {"first_draw": first, "click": statistics.median(clicks)}
        finally:
            browser.close()
