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
                               Math.max(...grid.map(b => b.right)), Math.max(...grid.map(b => b.bottom))]]
                           : box('.geolayer .layer.frame path');  // (a map: its frame's outline)
  return {title: box('.gtitle'), caption: box('.gtitle-subtitle'), legend: box('.legend, .legend2'), plot,
          ticks: box('.xtick text'), frame: box('.geolayer .layer.bg rect'), image: box('svg.main-svg')};
}"""


def meets(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


FILTERS = {"few": EventFilter(categories=("military",)), "all": EventFilter()}


@pytest.mark.parametrize("width", [600, 1200, 2400])
@pytest.mark.parametrize("which", sorted(FILTERS))
@pytest.mark.parametrize("chart", ["timeline", "counts", "map"])
def test_title_caption_legend_and_plot_never_overlap(page: Page, events_csv, chart, width, which):
    boxes = rendered(page, events_csv, chart, width, FILTERS[which])
    assert all(boxes[part] for part in ("title", "caption", "plot")), boxes  # (one category: no legend)
    parts = [(name, box) for name in ("title", "caption", "legend") for box in boxes[name]]
    clashes = [(n, m) for i, (n, a) in enumerate(parts) for m, b in parts[i + 1 :] if n != m and meets(a, b)]
    clashes += [(n, "plot") for n, a in parts for b in boxes["plot"] if meets(a, b)]
    assert clashes == []
    assert all(box[2] <= width + 1 for _, box in parts), "nothing runs past the image's right edge"


def rendered(page: Page, events_csv, chart: str, width: int, f: EventFilter) -> dict:
    """The boxes of an SVG export's parts, drawn in Chromium."""
    frame = load_events(events_csv)
    svg = export_bytes(frame, f, "svg", csv_path=events_csv, chart=chart, size=ImageSize(width=width)).decode()
    page.set_viewport_size({"width": width + 40, "height": 1600})
    page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
    return page.evaluate(BOXES)


@pytest.mark.parametrize("width", [600, 1200, 2400])
@pytest.mark.parametrize("which", sorted(FILTERS))
def test_the_counts_legend_sits_right_under_the_axis(page: Page, events_csv, width, which):
    boxes = rendered(page, events_csv, "counts", width, FILTERS[which])
    ticks_bottom = max(box[3] for box in boxes["ticks"])
    legend_top = min((box[1] for box in boxes["legend"]), default=None)
    image_bottom = boxes["image"][0][3]
    gap = (legend_top if legend_top is not None else image_bottom) - ticks_bottom
    assert 0 <= gap <= 24, f"{gap:.0f} px between the axis labels and the legend"


MAP_FILTERS = {**FILTERS, "one place": EventFilter(categories=("transport",)), "2022": EventFilter(since="2022")}


@pytest.mark.parametrize("width", [600, 1200, 2400])
@pytest.mark.parametrize("which", sorted(MAP_FILTERS))
def test_the_map_fills_its_frame(page: Page, events_csv, width, which):
    boxes = rendered(page, events_csv, "map", width, MAP_FILTERS[which])
    (left, top, right, bottom), frame = boxes["plot"][0], boxes["frame"][0]
    assert right - left >= 0.98 * width, "the map spans the image's width"
    assert bottom - top >= 0.98 * (frame[3] - frame[1]), "and its frame's height"
