"""The timeline: one lane per category, time on x. Day events are marks, spans and month- or
year-only dates are bars over their whole extent; above the density threshold lanes show counts
per time bin (``density.py``). Pure functions of a filtered frame to a plotly figure dict.

Text from the CSV is escaped before it reaches anything plotly renders as HTML.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..contract import schema
from . import density
from .style import (
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    FONT,
    LEGEND_GREY,
    STATUS_STYLES,
    category_codes,
    empty_spec,
    hover_texts,
    lanes_of,
    status_key_marker,
    tint,
)

SLIDER_PX = 30  # the timeline's range slider, in pixels


def extent(rows: pd.DataFrame) -> tuple[np.datetime64, np.datetime64]:
    """The window a timeline of ``rows`` shows (the labels are placed for it): their extent and a
    margin either side, a month wide at least (plotly's own autorange would show a lone event's
    day in hours)."""
    lo, hi = rows["start"].min(), rows["end"].max()
    pad = max((hi - lo) * 0.05, pd.Timedelta(days=15))
    return np.datetime64(lo - pad), np.datetime64(hi + pad)


def is_bar(frame: pd.DataFrame) -> np.ndarray:
    """Rows drawn as bars: spans and month- or year-precision dates."""
    return ((frame["end_date"] != "") | (frame["precision"] != "day")).to_numpy()


# ---------------------------------------------------------------- timeline


def timeline_spec(frame: pd.DataFrame, lanes: list[str] | None = None, notes: Mapping[str, str] | None = None) -> dict:
    """One lane per category (``lanes``, else those holding events), time on x: day events as
    markers, extents as bars [start, end); above the density threshold, lanes of counts per
    time bin (tracker/density.py). ``notes``: a line to add to some events' hover text, by id."""
    return window_spec(frame, None, lanes, notes)


def window_spec(
    frame: pd.DataFrame,
    x_range: tuple[str, str] | None,
    lanes: list[str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> dict:
    """The timeline zoomed to ``x_range`` (None: everything): single events as soon as the
    visible ones fit under the density threshold, density lanes otherwise.

    The lanes sit on a second pair of axes (x2 matching x), so the range slider under x draws
    only the overview of all of ``frame`` (one light trace) instead of every mark once more.
    """
    if x_range is None and density.too_many(frame):
        return counted_timeline_spec(density.DayCounts.of(frame), lanes)
    shown = density.visible(frame, x_range)
    if shown.empty:
        return empty_spec()
    if density.too_many(shown):
        spec = _density_lanes(density.DayCounts.of(shown), *density.window_days(shown, x_range), lanes)
    else:
        spec = _marks(shown, lanes, notes)
    spec["data"].append(density.overview_trace(density.DayCounts.of(frame)))
    # The window is set, not left to plotly's autorange; the slider keeps showing (and reaching)
    # the whole extent.
    whole = [str(v.astype("datetime64[D]")) for v in extent(frame)]
    spec["layout"]["xaxis"]["range"] = list(x_range) if x_range else whole
    spec["layout"]["xaxis"]["rangeslider"]["range"] = list(whole)
    return spec


def counted_timeline_spec(counts: density.DayCounts, lanes: list[str] | None = None) -> dict:
    """The whole timeline as density lanes, from the events' day counts alone (what the
    dashboard sends above the threshold without copying a single row)."""
    spec = _density_lanes(counts, *counts.extent(), lanes)
    spec["data"].append(density.overview_trace(counts))
    return spec


def _marks(frame: pd.DataFrame, lanes: list[str] | None, notes: Mapping[str, str] | None = None) -> dict:
    fields = _EventFields(frame, notes or {})
    status = frame["status"].astype(str).to_numpy()
    data = []
    for name in schema.STATUSES:
        of_status = status == name
        if (marks := np.flatnonzero(of_status & ~fields.bars)).size:
            data.append(_marker_trace(fields, marks, name))
        if (bars := np.flatnonzero(of_status & fields.bars)).size:
            data.append(_bar_trace(fields, bars, name))
    data.extend(_status_legend())
    return {"data": on_lane_axes(data), "layout": _timeline_layout(lanes or lanes_of(frame))}


def _density_lanes(counts: density.DayCounts, lo: int, hi: int, lanes: list[str] | None) -> dict:
    """Lanes of ``counts`` per bin of days [lo, hi)."""
    totals = counts.lane_totals()
    lanes = lanes or [c for c, n in zip(schema.CATEGORIES, totals, strict=True) if n]
    layout = _timeline_layout(lanes)
    layout["annotations"] = [density.density_note(int(totals.sum()))]
    # (a row per lane of the axis: plotly.js fails to redraw a heatmap missing one of its categories)
    data = density.density_traces(counts, CATEGORY_COLORS, lo, hi, lanes)
    return {"data": on_lane_axes(data), "layout": layout}


def on_lane_axes(traces: list[dict]) -> list[dict]:
    """``traces`` drawn on the lanes' axes (the other pair holds the range slider's overview)."""
    for trace in traces:
        trace["xaxis"], trace["yaxis"] = "x2", "y2"
    return traces


def build_timeline_figure(frame: pd.DataFrame) -> go.Figure:
    """The timeline as a validated plotly figure, for export (large marker traces in WebGL)."""
    return go.Figure(density.use_webgl(timeline_spec(frame)))


class _EventFields:
    """What the event traces show of each row, worked out once for all of them (a trace takes
    its rows' share by position)."""

    def __init__(self, rows: pd.DataFrame, notes: Mapping[str, str]):
        self.bars = is_bar(rows)
        self.categories = rows["category"].astype(str).to_numpy(dtype=object)
        palette = [CATEGORY_COLORS[c] for c in schema.CATEGORIES] + [LEGEND_GREY]  # (code -1: none known)
        self.colors = np.array(palette, dtype=object)[category_codes(rows)]
        self.ids = rows["id"].to_numpy(dtype=object)
        self.dates = rows["date"].to_numpy(dtype=object)
        self.hover = np.array(hover_texts(rows), dtype=object)
        for at, event_id in enumerate(self.ids.tolist() if notes else ()):
            if event_id in notes:
                self.hover[at] += "<br>" + notes[event_id]
        self.rows = rows

    def common(self, at: np.ndarray, status: str) -> dict:
        return {
            "y": self.categories[at].tolist(),
            "customdata": self.ids[at].tolist(),
            "hovertext": self.hover[at].tolist(),
            "hovertemplate": "%{hovertext}<extra></extra>",
            "legendgroup": status,
            "showlegend": False,
        }


def _marker_trace(fields: _EventFields, at: np.ndarray, status: str) -> dict:
    style = STATUS_STYLES[status]
    colors = fields.colors[at].tolist()
    return {
        "type": "scatter",
        "mode": "markers",
        "name": status,
        "meta": {"kind": "events", "shape": "marker", "status": status},
        "x": fields.dates[at].tolist(),
        "marker": {
            "symbol": style["symbol"],
            "color": colors,
            "size": 11,
            "line": {"width": 2, "color": colors},
        },
        **fields.common(at, status),
    }


def _bar_trace(fields: _EventFields, at: np.ndarray, status: str) -> dict:
    style = STATUS_STYLES[status]
    colors = fields.colors[at].tolist()
    start = fields.rows["start"].to_numpy()[at]
    duration = (fields.rows["end"].to_numpy()[at] - start).astype("timedelta64[ms]").astype(np.int64)
    marker = {
        "color": colors if style["filled"] and not style["pattern"] else [tint(c, 0.18) for c in colors],
        "line": {"width": 2, "color": colors},
    }
    if style["pattern"]:
        marker["pattern"] = {"shape": style["pattern"], "fgcolor": colors, "size": 6}
    return {
        "type": "bar",
        "orientation": "h",
        "name": status,
        "meta": {"kind": "events", "shape": "bar", "status": status},
        "base": pd.DatetimeIndex(start).strftime("%Y-%m-%d").tolist(),
        "x": duration.tolist(),
        "width": 0.5,
        "marker": marker,
        "textposition": "none",
        **fields.common(at, status),
    }


def _status_legend() -> list[dict]:
    """Legend-only traces that explain the marks (clicking one hides that status)."""
    out = []
    for status in STATUS_STYLES:
        out.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [None],
                "y": [None],
                "name": status,
                "legendgroup": status,
                "hoverinfo": "skip",
                "meta": {"kind": "legend"},
                "marker": status_key_marker(status),
            }
        )
    out.append(
        {
            "type": "bar",
            "orientation": "h",
            "x": [None],
            "y": [None],
            "hoverinfo": "skip",
            "name": "bar: span, or month/year date",
            "meta": {"kind": "legend"},
            "marker": {
                "color": tint(LEGEND_GREY, 0.35),
                "line": {"width": 2, "color": LEGEND_GREY},
            },
        }
    )
    return out


def _timeline_layout(lanes: list[str]) -> dict:
    buttons = [
        {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
        {"count": 3, "label": "3y", "step": "year", "stepmode": "backward"},
        {"step": "all", "label": "all"},
    ]
    height = 190 + 40 * len(lanes)
    margin = {"l": 110, "r": 20, "t": 80, "b": 20}
    # The slider's thickness is a share of the height inside the margins: keep it SLIDER_PX tall
    # whatever the lanes, so the bottom margin plotly grows to hold it stays the same from one
    # redraw to the next (a changed margin makes plotly draw everything a second time).
    slider_share = SLIDER_PX / (height - margin["t"] - margin["b"])
    return {
        "height": height,
        "font": FONT,
        "margin": margin,
        "barmode": "overlay",
        "hovermode": "closest",
        "plot_bgcolor": "white",
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "title": {"text": "Claim status:"},
        },
        "xaxis": {
            "type": "date",
            "gridcolor": "#e5e5e5",
            "rangeslider": {
                "visible": True,
                "thickness": slider_share,
                "yaxis": {"rangemode": "auto"},
            },
            "rangeselector": {"buttons": buttons, "x": 0, "y": 1.01, "yanchor": "bottom"},
        },
        # The overview's axis: it lies below this range, so only the range slider shows it.
        "yaxis": {"range": [0, 1], "fixedrange": True, "visible": False},
        "xaxis2": {
            "type": "date",
            "overlaying": "x",
            "matches": "x",
            "visible": False,
            "anchor": "y2",
        },
        "yaxis2": {  # the lanes
            "anchor": "x2",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": lanes,
            "tickvals": lanes,
            "ticktext": [CATEGORY_LABELS[c] for c in lanes],
            # Every lane, the first on top, whatever the events (autorange shows a lone event's
            # lane and its two neighbours only).
            "range": [len(lanes) - 0.5, -0.5],
            "fixedrange": True,
            "gridcolor": "#f0f0f0",
        },
    }


def event_ids(spec: dict) -> list[str]:
    """Every event id plotted in a figure dict (one per drawn event)."""
    return [i for t in spec["data"] if (t.get("meta") or {}).get("kind") == "events" for i in t["customdata"]]
