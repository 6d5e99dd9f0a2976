"""Charts for export: the dashboard's figure with a title and the provenance caption, as a static
image (through ``image.py``) or a self-contained HTML page."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from ..charts import density
from ..charts.counts import build_counts_figure
from ..charts.labels import EXPORT_LIMIT, MORE_MARGIN, extent, label_annotations, place_labels, taller
from ..charts.map import build_map_figure
from ..charts.timeline import build_timeline_figure
from ..errors import TrackerError
from .image import geo_assets_script
from .provenance import ExportMeta

CHARTS = ("timeline", "counts", "map")
LABEL_CHOICES = ("auto", "all", "none")
BUILDERS = {
    "timeline": build_timeline_figure,
    "counts": build_counts_figure,
    "map": build_map_figure,
}
DEFAULT_TITLES = {
    "timeline": "Sanctions events timeline",
    "counts": "Sanctions events per month",
    "map": "Where sanctions events happened",
}
CAPTION_ROOM = 70  # extra pixels at the top for title and caption
DEFAULT_IMAGE_WIDTH = 1200


@dataclass(frozen=True)
class ImageSize:
    """Layout size in CSS pixels; the image is ``width*scale`` by ``height*scale`` pixels.

    ``None`` picks a default: 1200 px wide images (HTML pages follow the window's width) and
    the chart's own height plus room for the caption.
    """

    width: int | None = None
    height: int | None = None
    scale: float = 1.0


def chart_figure(
    chart: str,
    frame: pd.DataFrame,
    meta: ExportMeta,
    *,
    title: str | None = None,
    size: ImageSize | None = None,
    labels: str = "auto",
) -> go.Figure:
    """The dashboard's figure for ``chart`` with a title and the provenance caption; a timeline
    names its events (``labels``: see ``label_events``)."""
    if chart not in BUILDERS:
        raise TrackerError(f"unknown chart {chart!r}", f"use one of {', '.join(CHARTS)}")
    fig = BUILDERS[chart](frame)
    if chart == "timeline":
        label_events(fig, frame, labels, (size.width if size and size.width else None) or DEFAULT_IMAGE_WIDTH)
    own = fig.layout.title.text  # the builder's title is already plotly-safe text
    stamp_caption(fig, meta, title=html.escape(title, quote=False) if title else own or DEFAULT_TITLES[chart])
    if size is not None:
        fig.update_layout(width=size.width, height=size.height or (fig.layout.height or 450) + CAPTION_ROOM)
    return fig


def label_events(fig: go.Figure, frame: pd.DataFrame, labels: str, width: int) -> go.Figure:
    """Labels beside the marks of an exported timeline ``width`` pixels wide: "auto" up to
    labels.EXPORT_LIMIT events, "all" whatever their number (while they are drawn one by one),
    "none". Labels that find no room are counted "+N" at the end of their lane."""
    if labels not in LABEL_CHOICES:
        raise TrackerError(f"unknown labels setting {labels!r}", f"use one of {', '.join(LABEL_CHOICES)}")
    if labels == "none" or frame.empty or density.too_many(frame):
        return fig
    if labels == "auto" and len(frame) > EXPORT_LIMIT:
        return fig
    margin = fig.layout.margin
    plot_px = width - (margin.l or 0) - MORE_MARGIN
    placed, left_out = place_labels(frame, extent(frame), plot_px)
    lanes = len(fig.layout.yaxis2.categoryarray)
    height, thickness = taller(fig.layout.height, lanes, {"t": margin.t or 0, "b": margin.b or 0})
    fig.update_layout(
        annotations=[*fig.layout.annotations, *label_annotations(placed, left_out)],
        margin={"r": MORE_MARGIN},
        height=height,
        xaxis_rangeslider_thickness=thickness,
    )
    return fig


def for_print(fig: go.Figure) -> go.Figure:
    """Drop the interactive-only widgets (range slider and buttons) from a static image."""
    fig.update_xaxes(rangeslider_visible=False, rangeselector_visible=False)
    return fig


def stamp_caption(fig: go.Figure, meta: ExportMeta, *, title: str) -> go.Figure:
    """Set ``title`` (plotly text, already escaped) and the caption under it as a subtitle."""
    caption = html.escape(meta.caption(), quote=False)
    margin_top = (fig.layout.margin.t or 30) + CAPTION_ROOM
    fig.update_layout(
        title={
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 12},
            "subtitle": {"text": caption, "font": {"size": 11, "color": "#555"}},
        },
        margin={"t": margin_top},
    )
    return fig


def chart_html(fig: go.Figure, title: str) -> bytes:
    """A self-contained page: plotly.js and map outlines inlined, no network requests."""
    page = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False, "responsive": True})
    head = f'<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>'
    if any(trace.type == "scattergeo" for trace in fig.data):
        head += f"\n<script>{geo_assets_script()}</script>"
    return page.replace("<head>", head, 1).encode("utf-8")
