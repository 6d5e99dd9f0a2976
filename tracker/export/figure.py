"""Charts for export: the dashboard's figure with a title and the provenance caption, as a static
image (through ``image.py``) or a self-contained HTML page."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from ..charts import density
from ..charts.counts import build_counts_figure
from ..charts.labels import EXPORT_LIMIT, MORE_MARGIN, labelled
from ..charts.map import build_map_figure
from ..charts.timeline import build_timeline_figure, extent, timeline_spec
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
CAPTION_LINE_PX = 14  # each further line of the caption
CAPTION_CHAR_PX = 6.4  # the caption's widest average character at its 11 px
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
    names its events (``labels``: see ``labelled_timeline``)."""
    if chart not in BUILDERS:
        raise TrackerError(f"unknown chart {chart!r}", f"use one of {', '.join(CHARTS)}")
    image_width = (size.width if size and size.width else None) or DEFAULT_IMAGE_WIDTH
    if chart == "timeline":
        fig = labelled_timeline(frame, labels, image_width)
    else:
        fig = BUILDERS[chart](frame, image_width)
    own = fig.layout.title.text  # the builder's title is already plotly-safe text
    width = size.width if size is not None else None
    chosen = html.escape(title, quote=False) if title else own or DEFAULT_TITLES[chart]
    room = stamp_caption(fig, meta, title=chosen, width=width)
    if size is not None:
        fig.update_layout(width=size.width, height=size.height or (fig.layout.height or 450) + room)
    return legend_below_caption(fig, room)


def legend_below_caption(fig: go.Figure, room: int = CAPTION_ROOM) -> go.Figure:
    """A legend placed at the top of the figure (the timeline's) moves down under the title and
    caption, which take the top ``room`` pixels: they never print over each other."""
    legend = fig.layout.legend
    if legend.yref == "container" and legend.y is not None and legend.y >= 1 and legend.yanchor == "top":
        fig.update_layout(legend_y=1 - room / (fig.layout.height or 450))
    return fig


def caption_lines(caption: str, width: int | None) -> list[str]:
    """The caption cut into lines that fit ``width`` pixels, between its " · " parts (one line
    when the width is not known: an HTML page follows its window)."""
    if not width:
        return [caption]
    fits = max(20, int((width - 24) / CAPTION_CHAR_PX))
    lines = [""]
    for part in caption.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines[-1] else part
        if len(joined) <= fits or not lines[-1]:
            lines[-1] = joined
        else:
            lines.append(part)
    return lines


def labelled_timeline(frame: pd.DataFrame, labels: str, width: int) -> go.Figure:
    """The timeline ``width`` pixels wide, its events named beside their marks: "auto" up to
    labels.EXPORT_LIMIT events, "all" whatever their number (while they are drawn one by one),
    "none". Labels that find no room are counted "+N" at the end of their lane."""
    if labels not in LABEL_CHOICES:
        raise TrackerError(f"unknown labels setting {labels!r}", f"use one of {', '.join(LABEL_CHOICES)}")
    named = labels == "all" or (labels == "auto" and len(frame) <= EXPORT_LIMIT)
    if not named or frame.empty or density.too_many(frame):
        return build_timeline_figure(frame)
    spec = timeline_spec(frame)
    labelled(spec, frame, extent(frame), width - spec["layout"]["margin"]["l"] - MORE_MARGIN)
    return go.Figure(density.use_webgl(spec))


def for_print(fig: go.Figure) -> go.Figure:
    """Drop the interactive-only widgets (range slider and buttons) from a static image."""
    fig.update_xaxes(rangeslider_visible=False, rangeselector_visible=False)
    return fig


def stamp_caption(fig: go.Figure, meta: ExportMeta, *, title: str, width: int | None = None) -> int:
    """Set ``title`` (plotly text, already escaped) and the caption under it as a subtitle,
    in lines that fit ``width``; the pixels they take at the top."""
    lines = caption_lines(meta.caption(), width)
    caption = "<br>".join(html.escape(line, quote=False) for line in lines)
    room = CAPTION_ROOM + CAPTION_LINE_PX * (len(lines) - 1)
    margin_top = (fig.layout.margin.t or 30) + room
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
    return room


def chart_html(fig: go.Figure, title: str) -> bytes:
    """A self-contained page: plotly.js and map outlines inlined, no network requests."""
    page = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False, "responsive": True})
    head = f'<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>'
    if any(trace.type == "scattergeo" for trace in fig.data):
        head += f"\n<script>{geo_assets_script()}</script>"
    return page.replace("<head>", head, 1).encode("utf-8")
