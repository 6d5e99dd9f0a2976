"""Labels beside the timeline's marks, placed so that none collide.

Each lane has two label rows, just above and just below its marks. Going left to right, a label
takes the first row where it clears the label before it; a label that finds no room is left out
and counted, and the lane shows "+N" at its right end. Widths are estimated from the number of
characters at the label font, for a plot at least ``width_px`` wide: on a wider plot the labels
only stand further apart.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .timeline import SLIDER_PX

SCREEN_PLOT_PX = 640  # the dashboard's plot is at least this wide beside the filters and details
SCREEN_LIMIT = 60  # the dashboard labels a window holding at most this many events
EXPORT_LIMIT = 40  # exports label up to this many events unless told (--labels all|none)
LABEL_CHARS = 32  # a longer title is cut at a word
FONT_PX = 11
CHAR_PX = 6.6  # the widest average advance of the sans-serif fonts at FONT_PX (with a margin)
ROWS = 2  # label rows per lane: above and below its marks
MIN_SHIFT_PX = 14  # a label row's distance from the lane's centre line, at least
LABELLED_BAR_WIDTH = 0.3  # a labelled lane's bars, as a share of the lane (else 0.5): the rows clear them
LANE_EXTRA_PX = 16  # added to each lane's height when labelled, so neighbouring lanes' rows clear
GAP_PX = 8  # between a mark and its label, and between two labels
MORE_MARGIN = 44  # the right margin holding the "+N" of each lane
LABEL_COLOR = "#333333"
MORE_COLOR = "#666666"


@dataclass(frozen=True)
class Placed:
    """One label: the event, where it goes (x as a date, lane, row) and its text."""

    event_id: str
    x: str
    lane: str
    row: int
    text: str
    left: bool = False  # set to the left of its mark (it would run past the plot's right edge)


def label_text(title: str, short_title: str = "", limit: int = LABEL_CHARS) -> str:
    """The event's short title, else its title, cut at a word to ``limit`` characters."""
    text = (short_title or title).strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-") + "…"


def place_labels(rows: pd.DataFrame, x_range: tuple[np.datetime64, np.datetime64], width_px: float):
    """(labels placed, labels left out per lane) for chart ``rows`` over ``x_range`` on a plot
    ``width_px`` wide. Only rows that start inside the window get a label."""
    lo, hi = (pd.Timestamp(v).to_datetime64().astype("datetime64[ms]").astype(np.int64) for v in x_range)
    px_per_ms = width_px / max(hi - lo, 1)
    starts = rows["start"].to_numpy().astype("datetime64[ms]").astype(np.int64)
    inside = (starts >= lo) & (starts <= hi)
    shown = rows[inside].assign(x_px=(starts[inside] - lo) * px_per_ms).sort_values(["x_px", "id"], kind="stable")
    placed: list[Placed] = []
    left_out: dict[str, int] = {}
    for lane, group in shown.groupby(shown["category"].astype(str), sort=False, observed=True):
        ends = [-np.inf] * ROWS
        for row in group.itertuples(index=False):
            text = label_text(row.title, getattr(row, "short_title", "") or "")
            width = len(text) * CHAR_PX
            left = row.x_px + GAP_PX + width > width_px
            start = row.x_px - GAP_PX - width if left else row.x_px + GAP_PX
            free = next((i for i, e in enumerate(ends) if e + GAP_PX <= start), None)
            if free is None or start < 0:
                left_out[lane] = left_out.get(lane, 0) + 1
                continue
            ends[free] = start + width
            placed.append(Placed(row.id, str(row.date), lane, free, text, left))
    return placed, left_out


def row_shift(height: float, margin: dict, lanes: int) -> float:
    """Pixels between a lane's centre line and its label rows: clear of its bars (a share of the
    lane's height) and of the next lane's rows."""
    lane_px = (height - margin.get("t", 0) - margin.get("b", 0) - 60) / max(lanes, 1)
    return max(MIN_SHIFT_PX, LABELLED_BAR_WIDTH / 2 * lane_px + FONT_PX * 0.7)


def label_annotations(placed: list[Placed], left_out: dict[str, int], shift: float = MIN_SHIFT_PX) -> list[dict]:
    """Plotly annotations on the lanes' axes for the labels (``shift`` pixels above or below the
    lane's centre line), and "+N" for what was left out."""
    out = [
        {
            "name": f"label:{p.event_id}",
            "text": html.escape(p.text, quote=False),
            "x": p.x,
            "y": p.lane,
            "xref": "x2",
            "yref": "y2",
            "xanchor": "right" if p.left else "left",
            "yanchor": "middle",
            "xshift": -GAP_PX if p.left else GAP_PX,
            "yshift": shift if p.row == 0 else -shift,
            "showarrow": False,
            "font": {"size": FONT_PX, "color": LABEL_COLOR},
        }
        for p in placed
    ]
    out += [
        {
            "name": f"more:{lane}",
            "text": f"+{n}",
            "x": 1,
            "y": lane,
            "xref": "paper",
            "yref": "y2",
            "xanchor": "left",
            "yanchor": "middle",
            "xshift": 2,
            "showarrow": False,
            "font": {"size": FONT_PX, "color": MORE_COLOR},
            "hovertext": f"{n} more event{'s' if n != 1 else ''} in this lane: zoom in to label them",
        }
        for lane, n in left_out.items()
    ]
    return out


def labelled(spec: dict, rows: pd.DataFrame, x_range, width_px: float) -> dict:
    """``spec`` (a timeline of ``rows``) with labels for the rows inside ``x_range``."""
    if rows.empty:
        return spec
    placed, left_out = place_labels(rows, x_range, width_px)
    layout = spec["layout"]
    lanes = len(layout["yaxis2"]["categoryarray"])
    layout["margin"] = {**layout.get("margin", {}), "r": MORE_MARGIN}  # room for "+N"
    layout["height"], thickness = taller(layout["height"], lanes, layout["margin"])
    layout["xaxis"]["rangeslider"]["thickness"] = thickness
    shift = row_shift(layout["height"], layout["margin"], lanes)
    layout["annotations"] = [*layout.get("annotations", []), *label_annotations(placed, left_out, shift)]
    for trace in spec["data"]:
        if trace.get("type") == "bar" and (trace.get("meta") or {}).get("kind") == "events":
            trace["width"] = LABELLED_BAR_WIDTH
    return spec


def taller(height: int, lanes: int, margin: dict) -> tuple[int, float]:
    """(the height of a labelled timeline, its range slider's thickness as a share of the plot,
    kept SLIDER_PX tall)."""
    height += LANE_EXTRA_PX * lanes
    return height, SLIDER_PX / (height - margin.get("t", 0) - margin.get("b", 0))
