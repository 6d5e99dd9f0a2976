"""The map of located events: one marker per event, or counts per grid cell when there are many.

An offline base map (scattergeo, no tile server); same colours and status marks as the timeline.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..contract import schema
from .style import (
    BOTTOM_LEGEND,
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    FONT,
    LEGEND_ROW_PX,
    STATUS_STYLES,
    category_codes,
    empty_spec,
    hover_texts,
    lanes_of,
    legend_rows,
    status_key_marker,
)

MAP_POINT_LIMIT = 1_000  # located events drawn one marker each; beyond it, counts per grid cell
MAP_CELL_DEGREES = (0.5, 1, 2, 5, 10, 20, 45)  # cell sizes tried, finest first
MAP_MAX_CELLS = 1_500  # the finest cell size giving at most this many (category, cell) markers
DASHBOARD_MAP = (400, 420)  # the dashboard's map card (width, height) in a 1,400 px window, about
MAP_MARGIN = 0.12  # share of the located events' extent added around it
MIN_SPAN_DEGREES = 20.0  # the smallest extent shown (one place: its region, not a street)
MAX_LAT = 80.0  # Mercator's y grows without bound towards the poles


def map_spec(frame: pd.DataFrame, width: int | None = None) -> dict:
    """Events that have coordinates, on an offline base map (scattergeo, no tile server).

    Up to MAP_POINT_LIMIT located events are drawn one marker each; beyond that the map shows
    how many events of each category fall in each grid cell (``map_cells``), so its size is
    bounded by the number of cells, not of events. The map shows the located events' extent
    with a margin, widened to the shape of its frame so that it fills it (``width``: an export's,
    whose height follows the extent; else the dashboard's card). Its legend gives categories by
    colour and claim statuses by shape, each in entries of their own.
    """
    has_place = (frame["lat"].notna() & frame["lon"].notna()).to_numpy()
    n_located = int(has_place.sum())
    if not n_located:
        return empty_spec(320)
    # (the coordinates as arrays: at scale the rows are many and only counted per cell)
    lat, lon = frame["lat"].to_numpy()[has_place], frame["lon"].to_numpy()[has_place]
    if n_located > MAP_POINT_LIMIT:
        cells, size = map_cells(lat, lon, category_codes(frame)[has_place])
        data, note = _cell_traces(cells, size), f", counted per {size:g}° cell"
    else:
        data, note = _point_traces(frame[has_place]), ""
    legends = _legend_labels(data)
    plot_width, height, margin = _frame_size(legends, width)
    plot_height = height - margin["t"] - margin["b"]
    if width:  # an export: as tall as the events' extent wants, within bounds
        wanted = plot_width / _aspect(*_padded(lon, lat))
        plot_height = int(np.clip(wanted, 260, 0.6 * plot_width))
        height = plot_height + margin["t"] + margin["b"]
    geo = {
        **fitted_view(lon, lat, plot_width / plot_height),
        "resolution": 110,
        "showcountries": True,
        "countrycolor": "#bbbbbb",
        "showland": True,
        "landcolor": "#f2f2f2",
        "showocean": True,
        "oceancolor": "#e8f1f8",
        "coastlinecolor": "#999999",
        "showframe": True,  # (its outline is the drawn map's: what the layout tests measure)
        "framecolor": "#999999",
        "framewidth": 1,
    }
    layout = {
        "height": height,
        "font": FONT,
        "geo": geo,
        "margin": margin,
        "title": {
            "text": f"Where ({n_located} event{'' if n_located == 1 else 's'} with coordinates{note})",
            "font": {"size": 14},
            "x": 0.01,
        },
        **_legends(legends, width or DASHBOARD_MAP[0], height),
    }
    return {"data": data, "layout": layout}


def _point_traces(located: pd.DataFrame) -> list[dict]:
    """One marker per located event, one trace per category (its legend entry apart)."""
    data = []
    for category in lanes_of(located):
        data.append(_category_legend(category))
        rows = located[located["category"].astype(str) == category]
        color = CATEGORY_COLORS[category]
        data.append(
            {
                "type": "scattergeo",
                "mode": "markers",
                "name": CATEGORY_LABELS[category],
                "legendgroup": category,
                "showlegend": False,
                "lat": rows["lat"].tolist(),
                "lon": rows["lon"].tolist(),
                "customdata": rows["id"].tolist(),
                "meta": {"kind": "events", "category": category},
                "hovertext": hover_texts(rows),
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {
                    "color": color,
                    "size": 10,
                    "opacity": 0.85,
                    "line": {"width": 2, "color": color},
                    "symbol": [STATUS_STYLES[s]["symbol"] for s in rows["status"].astype(str)],
                },
            }
        )
    return [*data, *_status_legend()]


def _status_legend() -> list[dict]:
    """Legend-only entries: the claim statuses' shapes, in grey (the categories' entries are
    plain colour: the first point of a category would otherwise lend it its shape)."""
    return [
        {
            "type": "scattergeo",
            "mode": "markers",
            "lat": [None],
            "lon": [None],
            "name": status,
            "legend": "legend2",
            "hoverinfo": "skip",
            "meta": {"kind": "legend"},
            "marker": status_key_marker(status, size=10),
        }
        for status in STATUS_STYLES
    ]


def _category_legend(category: str) -> dict:
    """A category's legend entry: a plain square of its colour (the entry toggles its markers)."""
    color = CATEGORY_COLORS[category]
    return {
        "type": "scattergeo",
        "mode": "markers",
        "lat": [None],
        "lon": [None],
        "name": CATEGORY_LABELS[category],
        "legendgroup": category,
        "hoverinfo": "skip",
        "meta": {"kind": "legend", "category": category},
        "marker": {"symbol": "square", "color": color, "size": 10},
    }


LEGEND_TITLES = {"legend": "Category:", "legend2": "Claim status:"}


def _legend_labels(data: list[dict]) -> dict[str, list[str]]:
    """Each legend's entries (with its title first): categories, then statuses when drawn."""
    legends: dict[str, list[str]] = {}
    for trace in data:
        if trace.get("showlegend", True):
            name = trace.get("legend", "legend")
            legends.setdefault(name, [LEGEND_TITLES[name]]).append(trace["name"])
    return legends


def _legends(legends: dict[str, list[str]], width: int, height: int) -> dict:
    """The legends stacked under the map, statuses at the bottom, categories above them."""
    layout, below = {}, 0
    for name in reversed(list(legends)):
        # (the title on a row of its own: beside the items, plotly lets the last one run off the edge)
        layout[name] = dict(BOTTOM_LEGEND, y=below / height, title={"text": legends[name][0], "side": "top"})
        below += LEGEND_ROW_PX * (_rows(name, legends[name], width) + 1) + 4
    return layout


def _rows(name: str, labels: list[str], width: int) -> int:
    """The rows of a legend's items (the categories' entries are legend groups)."""
    return legend_rows(labels[1:], width, grouped=name == "legend")


def _frame_size(legends: dict[str, list[str]], width: int | None) -> tuple[int, int, dict]:
    """(plot width, figure height, margins) before the height is fitted to the extent."""
    figure_width, height = (width, 420) if width else DASHBOARD_MAP
    rows = sum(_rows(name, labels, figure_width) + 1 for name, labels in legends.items())
    margin = {"l": 0, "r": 0, "t": 30, "b": 14 + (LEGEND_ROW_PX + 4) * rows}
    return figure_width, height, margin


def _mercator(lat) -> np.ndarray:
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(np.clip(lat, -MAX_LAT, MAX_LAT)) / 2)))


def _unmercator(y) -> np.ndarray:
    return np.degrees(2 * np.arctan(np.exp(np.radians(y))) - np.pi / 2)


def _padded(lon, lat) -> tuple[list[float], list[float]]:
    """The events' (lon range, lat range), with MAP_MARGIN and at least MIN_SPAN_DEGREES."""

    def pad(lo: float, hi: float, limit: float) -> list[float]:
        span = max(hi - lo, MIN_SPAN_DEGREES / (1 + 2 * MAP_MARGIN))
        middle, half = (lo + hi) / 2, span * (1 + 2 * MAP_MARGIN) / 2
        return [max(-limit, middle - half), min(limit, middle + half)]

    return pad(float(np.min(lon)), float(np.max(lon)), 180), pad(float(np.min(lat)), float(np.max(lat)), MAX_LAT)


def _aspect(lon_range: list[float], lat_range: list[float]) -> float:
    """Width over height of the map plotly draws for these ranges in the Mercator projection.

    Plotly fits the projection to a box of the ranges whose sides are four great-circle arcs
    each, and such an arc bows towards the pole: over a wide longitude range the top (north) or
    bottom (south) edge reaches further than its latitude, and the map is that much taller."""
    half_step = np.radians((lon_range[1] - lon_range[0]) / 8)

    def bowed(lat: float) -> float:  # the furthest latitude of an arc along ``lat``
        return float(np.degrees(np.arctan(np.tan(np.radians(abs(lat))) / np.cos(half_step))))

    top = bowed(lat_range[1]) if lat_range[1] > 0 else lat_range[1]
    bottom = -bowed(lat_range[0]) if lat_range[0] < 0 else lat_range[0]
    return (lon_range[1] - lon_range[0]) / float(np.diff(_mercator(np.array([bottom, top])))[0])


def _solve(aspect_at, target: float, most: float) -> float:
    """The widening in [0, most] at which ``aspect_at`` (monotonic) meets ``target``."""
    lo, hi = 0.0, most
    rising = aspect_at(most) > aspect_at(0)
    for _ in range(40):
        middle = (lo + hi) / 2
        if (aspect_at(middle) < target) == rising:
            lo = middle
        else:
            hi = middle
    return (lo + hi) / 2


def fitted_view(lon: np.ndarray, lat: np.ndarray, aspect: float) -> dict:
    """A Mercator view of the located events' extent (with a margin), widened in longitude or
    latitude to ``aspect`` (the frame's width over height) so that the map fills its frame."""
    lon_range, lat_range = _padded(lon, lat)
    if _aspect(lon_range, lat_range) < aspect:  # too tall: more longitude, up to the whole world

        def widened(extra: float) -> list[float]:
            return [lon_range[0] - extra, lon_range[1] + extra]

        most = (360 - (lon_range[1] - lon_range[0])) / 2
        lon_range = widened(_solve(lambda e: _aspect(widened(e), lat_range), aspect, most))
    if _aspect(lon_range, lat_range) > aspect:  # too wide: more latitude, up to MAX_LAT
        y = _mercator(np.array(lat_range))

        def stretched(extra: float) -> list[float]:
            bounds = _unmercator(np.array([y[0] - extra, y[1] + extra]))
            return [max(-MAX_LAT, float(bounds[0])), min(MAX_LAT, float(bounds[1]))]

        lat_range = stretched(_solve(lambda e: _aspect(lon_range, stretched(e)), aspect, 2 * float(_mercator(MAX_LAT))))
    lon_range = _inside(lon_range, -180, 180)
    return {
        "projection": {"type": "mercator"},
        "lonaxis": {"range": [round(v, 3) for v in lon_range]},
        "lataxis": {"range": [round(v, 3) for v in lat_range]},
    }


def _inside(bounds: list[float], lo: float, hi: float) -> list[float]:
    """``bounds`` slid (not shrunk) to lie within [lo, hi] where they fit."""
    shift = max(0.0, lo - bounds[0]) - max(0.0, bounds[1] - hi)
    return [max(lo, bounds[0] + shift), min(hi, bounds[1] + shift)]


def map_cells(lat: np.ndarray, lon: np.ndarray, codes: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Events counted per (category, grid cell), with the finest cell size in MAP_CELL_DEGREES
    that gives at most MAP_MAX_CELLS cells. ``codes`` index schema.CATEGORIES.

    Returns (frame of category, lat, lon (the cell's centre), count; the cell size in degrees).
    """
    for size in MAP_CELL_DEGREES:
        n_rows, n_cols = int(180 / size) + 1, int(360 / size) + 1
        row = np.floor((lat + 90) / size).astype(np.int64)
        col = np.floor((lon + 180) / size).astype(np.int64)
        keys, counts = np.unique((codes * n_rows + row) * n_cols + col, return_counts=True)
        if len(keys) <= MAP_MAX_CELLS:
            break
    cell = keys % (n_rows * n_cols)
    cells = pd.DataFrame(
        {
            "category": np.asarray(schema.CATEGORIES)[keys // (n_rows * n_cols)],
            "lat": np.clip((cell // n_cols + 0.5) * size - 90, -90, 90),
            "lon": np.clip((cell % n_cols + 0.5) * size - 180, -180, 180),
            "count": counts,
        }
    )
    return cells, size


def _cell_traces(cells: pd.DataFrame, size: float) -> list[dict]:
    """One marker per (category, cell), its area growing with the number of events."""
    scale = np.sqrt(cells["count"].to_numpy() / cells["count"].max())
    cells = cells.assign(size=np.round(6 + 24 * scale, 1))
    data = []
    for category in [c for c in schema.CATEGORIES if c in set(cells["category"])]:
        rows = cells[cells["category"] == category]
        color, label = CATEGORY_COLORS[category], CATEGORY_LABELS[category]
        data.append(
            {
                "type": "scattergeo",
                "mode": "markers",
                "name": label,
                "lat": rows["lat"].round(4).tolist(),
                "lon": rows["lon"].round(4).tolist(),
                "text": rows["count"].tolist(),
                "meta": {"kind": "cells", "category": category, "degrees": size},
                "hovertemplate": f"%{{text:,}} {html.escape(label)} events<br>{size:g}° cell around "
                "%{lat:.2f}, %{lon:.2f}<extra></extra>",
                "marker": {
                    "color": color,
                    "size": rows["size"].tolist(),
                    "opacity": 0.7,
                    "line": {"width": 1, "color": color},
                },
            }
        )
    return data


def build_map_figure(frame: pd.DataFrame, width: int | None = None) -> go.Figure:
    """The map as a validated plotly figure."""
    return go.Figure(map_spec(frame, width))
