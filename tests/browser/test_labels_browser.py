"""Labels on the timeline in a real browser: none collide, and zooming in labels more events."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# The drawn box of every event label (plotly names each annotation group by its index; the
# labels' texts are looked up in the figure's layout by that index).
LABEL_BOXES = """() => {
  const gd = document.querySelector('#timeline .js-plotly-plot');
  if (!gd || !gd.layout) return [];
  const notes = (gd.layout.annotations || []);
  return [...gd.querySelectorAll('.annotation')].map(g => {
    const i = +g.getAttribute('data-index'), box = g.querySelector('.annotation-text-g').getBoundingClientRect();
    return {name: (notes[i] || {}).name || '', l: box.left, r: box.right, t: box.top, b: box.bottom};
  }).filter(a => a.name.startsWith('label:'));
}"""
# Resolves once no callback has answered for a whole second.
QUIET = """async () => {
  let last = performance.now();
  const observer = new PerformanceObserver(() => { last = performance.now(); });
  observer.observe({type: 'resource', buffered: true});
  while (performance.now() - last < 1000) await new Promise(r => setTimeout(r, 50));
  observer.disconnect();
}"""
FIGURE_BOX = "() => document.querySelector('#timeline .js-plotly-plot').getBoundingClientRect().toJSON()"


def overlaps(boxes: list[dict]) -> list[tuple[str, str]]:
    return [
        (a["name"], b["name"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]
    ]


def labels_drawn(page: Page) -> list[dict]:
    page.wait_for_function(f"() => ({LABEL_BOXES})().length > 0", timeout=30_000)
    page.wait_for_timeout(300)
    return page.evaluate(LABEL_BOXES)


@pytest.mark.parametrize("width", [1100, 1400, 1900])
def test_labels_never_collide_and_stay_in_the_chart(serve, browser, events_csv, width):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    server = serve(events_csv)
    page.goto(server.url + "/?since=2024")
    boxes = labels_drawn(page)
    assert len(boxes) >= 10
    assert overlaps(boxes) == []
    figure = page.evaluate(FIGURE_BOX)
    assert all(figure["left"] <= b["l"] and b["r"] <= figure["right"] for b in boxes)
    page.close()


WINDOW = ("2024-09-01", "2025-01-01")
LABELLED_IN_WINDOW = f"""() => (document.querySelector('#timeline .js-plotly-plot').layout.annotations || [])
  .filter(a => (a.name || '').startsWith('label:') && a.x >= '{WINDOW[0]}' && a.x <= '{WINDOW[1]}')
  .map(a => a.name).sort()"""


def test_zooming_in_labels_more_events(serve, page: Page, events_csv):
    server = serve(events_csv)
    page.goto(server.url + "/?since=2024")
    labels_drawn(page)
    before = page.evaluate(LABELLED_IN_WINDOW)
    page.evaluate(QUIET)  # (the page's own callbacks answered: the zoom is the last change)
    page.evaluate(
        f"""() => Plotly.relayout(document.querySelector('#timeline .js-plotly-plot'),
                                  {{'xaxis.range[0]': '{WINDOW[0]}', 'xaxis.range[1]': '{WINDOW[1]}'}})"""
    )
    page.wait_for_function(f"() => ({LABELLED_IN_WINDOW})().length > {len(before)}", timeout=30_000)
    after = page.evaluate(LABELLED_IN_WINDOW)
    assert set(before) < set(after), "every label of the window stays, and more join them"
    assert page.evaluate("() => document.querySelector('#timeline .js-plotly-plot').layout.xaxis.range") == list(WINDOW)
    assert overlaps(labels_drawn(page)) == []
