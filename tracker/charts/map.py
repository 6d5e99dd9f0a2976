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
    STATUS_STYLES,
    category_codes,
    empty_spec,
    hover_text,
    lanes_of,
)

MAP_POINT_LIMIT = 1_000  # located events drawn one marker each; beyond it, counts per grid cell
MAP_CELL_DEGREES = (0.5, 1, 2, 5, 10, 20, 45)  # cell sizes tried, finest first
MAP_MAX_CELLS = 1_500  # the finest cell size giving at most this many (category, cell) markers


def map_spec(frame: pd.DataFrame) -> dict:
    """Events that have coordinates, on an offline base map (scattergeo, no tile server).

    Up to MAP_POINT_LIMIT located events are drawn one marker each; beyond that the map shows
    how many events of each category fall in each grid cell (``map_cells``), so its size is
    bounded by the number of cells, not of events.
    """
    has_place = (frame["lat"].notna() & frame["lon"].notna()).to_numpy()
    n_located = int(has_place.sum())
    if not n_located:
        return empty_spec(320)
    if n_located > MAP_POINT_LIMIT:
        cells, size = map_cells(
            frame["lat"].to_numpy()[has_place],
            frame["lon"].to_numpy()[has_place],
            category_codes(frame)[has_place],
        )
        data, note = _cell_traces(cells, size), f", counted per {size:g}° cell"
    else:
        data, note = _point_traces(frame[has_place]), ""
    geo = {
        "projection": {"type": "natural earth"},
        "fitbounds": "locations",
        "resolution": 110,
        "showcountries": True,
        "countrycolor": "#bbbbbb",
        "showland": True,
        "landcolor": "#f2f2f2",
        "showocean": True,
        "oceancolor": "#e8f1f8",
        "coastlinecolor": "#999999",
    }
    layout = {
        "height": 420,
        "font": FONT,
        "geo": geo,
        "margin": {"l": 0, "r": 0, "t": 30, "b": 110},
        "title": {
            "text": f"Where ({n_located} events with coordinates{note})",
            "font": {"size": 14},
            "x": 0.01,
        },
        "legend": BOTTOM_LEGEND,
    }
    return {"data": data, "layout": layout}


def _point_traces(located: pd.DataFrame) -> list[dict]:
    """One marker per located event, one trace per category."""
    data = []
    for category in lanes_of(located):
        rows = located[located["category"].astype(str) == category]
        color = CATEGORY_COLORS[category]
        data.append(
            {
                "type": "scattergeo",
                "mode": "markers",
                "name": CATEGORY_LABELS[category],
                "lat": rows["lat"].tolist(),
                "lon": rows["lon"].tolist(),
                "customdata": rows["id"].tolist(),
                "meta": {"kind": "events", "category": category},
                "hovertext": [hover_text(r) for r in rows.itertuples(index=False)],
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
    return data


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


def build_map_figure(frame: pd.DataFrame) -> go.Figure:
    """The map as a validated plotly figure."""
    return go.Figure(map_spec(frame))
