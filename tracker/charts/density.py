"""Density lanes: what the timeline draws when the visible window holds too many events to mark.

The screen has about 2,000 pixels per lane, so no redraw needs more data than that: above
``DENSITY_THRESHOLD`` visible events each category lane becomes a strip of counts per time bin
(a heatmap row per category, in the category's colour; about one bin per ``PX_PER_BIN``
pixels, never shorter than a day). Zooming in (range slider, drag, range buttons) sends the
visible window back to the server, which draws individual events again as soon as they fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import schema
from .style import tint

DENSITY_THRESHOLD = 3_000  # visible events above which lanes show counts instead of marks
PLOT_WIDTH_PX = 1_600  # the plot's width assumed when the client has not said
PX_PER_BIN = 2
# Exported figures (HTML, images) draw marker traces of more points than this with WebGL. The
# dashboard never does: its Content-Security-Policy forbids the eval WebGL's shader compiler
# (regl) needs, and below DENSITY_THRESHOLD SVG keeps up.
WEBGL_MIN_POINTS = 1_000
DAY_MS = 86_400_000
OVERVIEW_BINS = 200  # the range slider's overview of all events: bins over the whole extent
OVERVIEW_BASE = -1.1  # the overview lies below its hidden y axis's [0, 1]: only the slider shows it


def too_many(frame: pd.DataFrame) -> bool:
    """True when ``frame`` holds more events than the timeline draws one by one."""
    return len(frame) > DENSITY_THRESHOLD


def window_days(frame: pd.DataFrame, x_range: tuple[str, str] | None = None) -> tuple[int, int]:
    """[first, last) day (days since 1970) of ``x_range``, else the frame's whole extent."""
    if x_range:
        lo, hi = (int(np.datetime64(str(v)[:10], "D").astype(np.int64)) for v in x_range)
        return lo, max(hi, lo + 1)
    if frame.empty:
        return 0, 1
    return int(frame["start_day"].min()), int(frame["end_day"].max())


def visible(frame: pd.DataFrame, x_range: tuple[str, str] | None) -> pd.DataFrame:
    """The rows whose extent overlaps ``x_range`` (all rows when it is None)."""
    return frame[in_window(frame, x_range)] if x_range else frame


def in_window(frame: pd.DataFrame, x_range: tuple[str, str] | None) -> np.ndarray:
    """Mask of the rows whose extent overlaps ``x_range`` (every row when it is None)."""
    if not x_range:
        return np.ones(len(frame), dtype=bool)
    lo, hi = window_days(frame, x_range)
    return (frame["end_day"].to_numpy() > lo) & (frame["start_day"].to_numpy() < hi)


class StartIndex:
    """Each event's category and start day folded into one integer, built once per loaded frame,
    so that the lanes of any subset are counted in one ``bincount`` (a few ms at a million
    events) instead of copying its rows."""

    def __init__(self, frame: pd.DataFrame):
        codes = _category_codes(frame)
        start = frame["start_day"].to_numpy(np.int64)
        self.first = int(start.min()) if len(start) else 0
        self.days = int(start.max()) - self.first + 1 if len(start) else 1
        keys = codes * self.days + (start - self.first)
        keys[codes < 0] = -1  # (no category: counted nowhere)
        self.keys = keys.astype(np.int32) if len(schema.CATEGORIES) * self.days < 2**31 else keys
        self.ends = frame["end_day"].to_numpy() if "end_day" in frame else start + 1

    def count(self, mask: np.ndarray | None = None) -> DayCounts:
        """The day counts of the events ``mask`` keeps (all of them when None)."""
        keys = self.keys if mask is None else self.keys[mask]
        ends = self.ends if mask is None else self.ends[mask]
        n = len(schema.CATEGORIES) * self.days
        starts = np.bincount(keys[keys >= 0] if keys.min(initial=0) < 0 else keys, minlength=n)
        end = int(ends.max()) if len(ends) else self.first + 1
        return DayCounts(starts.reshape(len(schema.CATEGORIES), self.days), self.first, end)


@dataclass(frozen=True)
class DayCounts:
    """Events per (category, start day): all that density lanes and the overview count."""

    starts: np.ndarray  # [category, j]: events of that category starting on day first + j
    first: int  # days since 1970 of column 0
    end: int  # one past the last day the events cover (their last end)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> DayCounts:
        return StartIndex(frame).count()

    @property
    def total(self) -> int:
        return int(self.starts.sum())

    def lane_totals(self) -> np.ndarray:
        """Events per category, in schema order."""
        return self.starts.sum(axis=1)

    def extent(self) -> tuple[int, int]:
        """[first start, last end) of the events, in days."""
        started = np.flatnonzero(self.starts.any(axis=0))
        return (self.first + int(started[0]), self.end) if len(started) else (0, 1)

    def binned(self, lo: int, hi: int, n_bins: int) -> np.ndarray:
        """Events per (category, bin) among ``n_bins`` over days [lo, hi): each event once, in the
        bin of its start (clipped in: an event that began earlier counts in the first bin)."""
        # day d falls in bin (d - lo) * n_bins // (hi - lo): bin b starts at lo + ceil(b * (hi - lo) / n_bins)
        edges = lo + (np.arange(n_bins + 1) * (hi - lo) + n_bins - 1) // n_bins
        days = self.starts.shape[1]
        columns = np.clip(edges - self.first, 0, days)
        columns[0], columns[-1] = 0, days
        running = np.zeros((len(self.starts), days + 1), dtype=np.int64)
        np.cumsum(self.starts, axis=1, out=running[:, 1:])
        return running[:, columns[1:]] - running[:, columns[:-1]]


def _category_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's category as its index in schema.CATEGORIES (-1 for none)."""
    column = frame["category"]
    if isinstance(column.dtype, pd.CategoricalDtype) and list(column.cat.categories) == list(schema.CATEGORIES):
        return column.cat.codes.to_numpy(np.int64)
    return pd.Categorical(column, categories=schema.CATEGORIES).codes.astype(np.int64)


def density_traces(
    counts: DayCounts,
    colors: dict[str, str],
    lo: int,
    hi: int,
    lanes: list[str] | None = None,
    width_px: int = PLOT_WIDTH_PX,
) -> list[dict]:
    """One heatmap, a row per lane (``lanes``, else each category holding events): ``counts``
    per bin of days [lo, hi); a lane without events is a row of gaps.

    One trace, not one per lane (plotly.js fails on several one-row heatmaps on a category
    axis). Each lane gets its own slice of the colour scale, from a pale tint to its category
    colour, so lanes keep their colours; ``customdata`` holds the counts (hover, tests).
    """
    n_bins = max(1, min(width_px // PX_PER_BIN, hi - lo))
    binned = counts.binned(lo, hi, n_bins)
    lanes = lanes or [c for i, c in enumerate(schema.CATEGORIES) if binned[i].any()]
    if not binned.any():
        return []
    rows = binned[[schema.CATEGORIES.index(c) for c in lanes]]
    share = np.sqrt(rows / np.maximum(1, rows.max(axis=1, keepdims=True))) * 0.999  # 0 < share < 1 when counted
    z = np.arange(len(lanes))[:, None] + share
    step_ms = (hi - lo) * DAY_MS / n_bins
    return [
        {
            "type": "heatmap",
            "name": "events per bin",
            "y": lanes,
            "x0": pd.Timestamp(lo * DAY_MS + step_ms / 2, unit="ms").isoformat(),
            "dx": step_ms,
            "z": _nulls(z.round(3), rows),
            "customdata": _nulls(rows, rows),
            "zmin": 0,
            "zmax": len(lanes),
            "colorscale": _lane_scale([colors[c] for c in lanes]),
            "showscale": False,
            "hoverongaps": False,
            "hovertemplate": "%{y}: %{customdata} events<extra>around %{x|%d %b %Y}</extra>",
            "meta": {
                "kind": "density",
                "lanes": lanes,
                "totals": [int(t) for t in rows.sum(axis=1)],
            },
        }
    ]


def overview_trace(counts: DayCounts) -> dict:
    """Events per bin over the whole extent of ``counts``, as one grey step area for the range
    slider (which draws this instead of every mark once more); ``customdata`` holds the counts."""
    lo, hi = counts.extent()
    n_bins = max(1, min(OVERVIEW_BINS, hi - lo))
    binned = counts.binned(lo, hi, n_bins).sum(axis=0)
    edges = np.datetime_as_string((lo + (hi - lo) * np.arange(n_bins + 1) // n_bins).astype("datetime64[D]"))
    heights = (OVERVIEW_BASE + binned / max(1, binned.max())).round(3).tolist()
    return {
        "type": "scatter",
        "mode": "lines",
        "fill": "toself",
        "line": {"width": 0, "shape": "hv"},
        "fillcolor": "#b8bec6",
        "hoverinfo": "skip",
        "showlegend": False,
        "x": [edges[0], *edges.tolist(), edges[-1]],
        "y": [OVERVIEW_BASE, *heights, heights[-1], OVERVIEW_BASE],
        "customdata": binned.tolist(),
        "meta": {"kind": "overview"},
    }


def _nulls(values: np.ndarray, counts: np.ndarray) -> list[list]:
    """``values`` as nested lists with None where nothing was counted (drawn as a gap)."""
    return [
        [v if c else None for v, c in zip(row, crow, strict=True)]
        for row, crow in zip(values.tolist(), counts.tolist(), strict=True)
    ]


def _lane_scale(lane_colors: list[str]) -> list[list]:
    """A colour scale with one slice per lane, pale tint -> full colour."""
    n = len(lane_colors)
    scale = []
    for i, color in enumerate(lane_colors):
        scale += [[i / n, tint(color, 0.2)], [(i + 1) / n - 1e-6 if i + 1 < n else 1, color]]
    return scale


def density_note(count: int) -> dict:
    """A layout annotation saying why lanes show counts."""
    return {
        "text": f"{count:,} events: counts per time bin; zoom in to see single events",
        "xref": "paper",
        "yref": "paper",
        "x": 1,
        "y": 1.0,
        "yanchor": "bottom",
        "xanchor": "right",
        "showarrow": False,
        "font": {"size": 11, "color": "#555555"},
    }


def use_webgl(spec: dict, min_points: int = WEBGL_MIN_POINTS) -> dict:
    """Switch marker traces of more than ``min_points`` to WebGL (``scattergl``) in place;
    returns ``spec``."""
    for trace in spec.get("data", []):
        if trace.get("type") == "scatter" and len(trace.get("x") or ()) > min_points:
            trace["type"] = "scattergl"
    return spec
