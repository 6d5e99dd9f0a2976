"""Exported charts, laid out: the title, the caption, the legend and the plot area each have their
own space. SVG exports are rendered in Chromium and their boxes compared."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tracker.export import ImageSize, export_bytes
from tracker.query import EventFilter
from tracker.storage import load_events

pytestmark = [pytest.mark.browser, pytest.mark.chromium]

BOXES = """() => {
  // (the plot area: the extent of its grid lines, which span it)
  const box = sel => [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect())
    .filter(b => b.width > 0 && b.height > 0).map(b => [b.left, b.top, b.right, b.bottom]);
  const grid = [...document.querySelectorAll('.cartesianlayer .gridlayer path')].map(e => e.getBoundingClientRect());
  const plot = grid.length ? [[Math.min(...grid.map(b => b.left)), Math.min(...grid.map(b => b.top)),
                               Math.max(...grid.map(b => b.right)), Math.max(...grid.map(b => b.bottom))]] : [];
  return {title: box('.gtitle'), caption: box('.gtitle-subtitle'), legend: box('.legend'), plot};
}"""


def meets(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


FILTERS = {"few": EventFilter(categories=("military",)), "all": EventFilter()}


@pytest.mark.parametrize("width", [600, 1200, 2400])
@pytest.mark.parametrize("which", sorted(FILTERS))
@pytest.mark.parametrize("chart", ["timeline", "counts"])
def test_title_caption_legend_and_plot_never_overlap(page: Page, events_csv, chart, width, which):
    svg = export_bytes(
        load_events(events_csv), FILTERS[which], "svg", csv_path=events_csv, chart=chart, size=ImageSize(width=width)
    ).decode()
    page.set_viewport_size({"width": width + 40, "height": 1200})
    page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
    boxes = page.evaluate(BOXES)
    assert all(boxes[part] for part in ("title", "caption", "plot")), boxes  # (one category: no legend)
    parts = [(name, box) for name in ("title", "caption", "legend") for box in boxes[name]]
    clashes = [(n, m) for i, (n, a) in enumerate(parts) for m, b in parts[i + 1 :] if n != m and meets(a, b)]
    clashes += [(n, "plot") for n, a in parts for b in boxes["plot"] if meets(a, b)]
    assert clashes == []
    assert all(box[2] <= width + 1 for _, box in parts), "nothing runs past the image's right edge"
