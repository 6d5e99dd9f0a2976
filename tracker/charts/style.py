"""How events look in every chart and export: colours and labels (from the contract), claim
status marks, fonts, dates in words, hover text. Each in one place."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..contract import precision_of, schema

CATEGORY_COLORS: dict[str, str] = {code: c.color for code, c in schema.categories().items()}
CATEGORY_LABELS: dict[str, str] = {code: c.label for code, c in schema.categories().items()}
# How claim status shows: filled for confirmed, hollow for reported/alleged, a cross for denied.
STATUS_STYLES: dict[str, dict] = {
    "confirmed": {"symbol": "circle", "filled": True, "pattern": ""},
    "reported": {"symbol": "circle-open", "filled": False, "pattern": ""},
    "alleged": {"symbol": "diamond-open", "filled": False, "pattern": ""},
    "denied": {"symbol": "x", "filled": True, "pattern": "x"},
}
# The status's mark in text (filter labels, the reading view): the same shapes as on the charts.
STATUS_MARKS = {"confirmed": "●", "reported": "○", "alleged": "◇", "denied": "✕"}
# How a change since a chosen date shows on the timeline: a ring around the event's mark, by
# kind (a shape as well as a colour, so that neither alone carries the meaning).
CHANGE_STYLES: dict[str, dict] = {
    "added": {"label": "new", "symbol": "circle-open", "color": "#1a7f37"},
    "status": {"label": "status", "symbol": "diamond-open", "color": "#c2410c"},
    "edited": {"label": "edited", "symbol": "square-open", "color": "#6d28d9"},
}
EMPTY_MESSAGE = "No events match these filters"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LEGEND_GREY = "#555555"
BOTTOM_LEGEND = {
    "orientation": "h",
    "x": 0,
    "y": 0,
    "yref": "container",
    "yanchor": "bottom",
    "font": {"size": 11},
}
LEGEND_ITEM_PX = 40  # a legend item's symbol and gaps, around its text (plotly: 30 + 2 × 5)
LEGEND_GAP_PX = 5  # between horizontal legend items
LEGEND_CHAR_PX = 6.6  # the widest average character of legend text at 11 px
LEGEND_ROW_PX = 21  # one row of a horizontal legend
AXIS_TICKS_PX = 30  # an x axis's tick labels under the plot
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def format_date(iso: str) -> str:
    """An ISO date at its precision in words: "2013", "Nov 2022", "2 Jan 2024"."""
    precision = precision_of(iso)
    if precision == "year":
        return iso
    month = MONTHS[int(iso[5:7]) - 1]
    if precision == "month":
        return f"{month} {iso[:4]}"
    return f"{int(iso[8:10])} {month} {iso[:4]}"


def format_extent(date: str, end_date: str = "") -> str:
    """An event's date, or its span "30 Dec 2023 – 2 Jan 2024"."""
    return f"{format_date(date)} – {format_date(end_date)}" if end_date else format_date(date)


def hover_texts(rows: pd.DataFrame) -> list[str]:
    """``hover_text`` of each row, column by column (each distinct extent put in words once)."""
    dates, ends = rows["date"].tolist(), rows["end_date"].tolist()
    words = {extent: format_extent(*extent) for extent in set(zip(dates, ends, strict=True))}
    return [
        _hover(title, words[extent], status, actors)
        for title, extent, status, actors in zip(
            rows["title"].tolist(),
            zip(dates, ends, strict=True),
            rows["status"].astype(str).tolist(),
            rows["actors"].tolist(),
            strict=True,
        )
    ]


def hover_text(row) -> str:
    """Hover label for one event: title, date at its precision, status, actors (all escaped)."""
    return _hover(row.title, format_extent(row.date, row.end_date), str(row.status), row.actors)


def _hover(title: str, when: str, status: str, actors: str) -> str:
    shown = html.escape(actors.replace(";", ", ")) if actors else "—"
    return f"<b>{html.escape(title)}</b><br>{when} · {html.escape(status)}<br>Actors: {shown}"


def lanes_of(frame: pd.DataFrame) -> list[str]:
    """The categories ``frame`` holds, in schema order (counted by code, not hashed per row)."""
    counts = np.bincount(category_codes(frame) + 1, minlength=len(schema.CATEGORIES) + 1)[1:]
    return [c for c, n in zip(schema.CATEGORIES, counts, strict=True) if n]


def tint(hex_color: str, alpha: float) -> str:
    """``hex_color`` (``#RRGGBB``) as ``rgba`` with ``alpha``."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def empty_spec(height: int = 260) -> dict:
    return {
        "data": [],
        "layout": {
            "height": height,
            "font": FONT,
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "plot_bgcolor": "white",
            "annotations": [
                {
                    "text": EMPTY_MESSAGE,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 18, "color": "#444"},
                }
            ],
        },
    }


def category_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's category as its index in schema.CATEGORIES."""
    return pd.Categorical(frame["category"], categories=schema.CATEGORIES).codes.astype(np.int64)


def status_key_marker(status: str, size: int = 11) -> dict:
    """A legend entry's marker for a claim status: its shape, in grey (colour is the category's)."""
    return {
        "symbol": STATUS_STYLES[status]["symbol"],
        "color": LEGEND_GREY,
        "size": size,
        "line": {"width": 2, "color": LEGEND_GREY},
    }


def legend_rows(labels: list[str], plot_width: int, grouped: bool = False) -> int:
    """How many rows a horizontal legend of ``labels`` takes under a plot area ``plot_width``
    pixels wide, laid out as plotly lays it out (its text widths reckoned a little wide): one
    row when every item fits; else items of legend groups flow, each as wide as its text, and
    plain items fall into columns as wide as the widest one."""
    if not labels:
        return 0
    widths = [LEGEND_ITEM_PX + LEGEND_CHAR_PX * len(label) for label in labels]
    gap = LEGEND_GAP_PX
    if sum(widths) + gap * (len(widths) - 1) < plot_width:
        return 1
    if not grouped:
        widest = max(widths)
        per_row = max(1, int((plot_width - widest - 1) // (widest + gap)) + 1)
        return -(-len(labels) // per_row)
    rows, used = 1, 0.0
    for width in widths:
        if used and used + width + gap > plot_width:
            rows, used = rows + 1, 0.0
        used += width + gap
    return rows


def bottom_legend_margin(labels: list[str], plot_width: int, axis_px: int = AXIS_TICKS_PX) -> int:
    """The bottom margin that holds an x axis's tick labels (``axis_px``) and, under them, a
    horizontal legend of ``labels``: no more, so no empty band between the two."""
    return axis_px + 8 + LEGEND_ROW_PX * legend_rows(labels, plot_width) + 6
