"""Figure builders shared by the dashboard and every export: pure functions of a filtered frame.

Each chart has a ``*_spec(frame) -> dict`` (a plain plotly figure dict, cheap to send from a
callback) and a ``build_*_figure(frame) -> go.Figure`` wrapper for tests and exports.
Text from the CSV is escaped before it reaches anything plotly renders as HTML.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import density, schema

# Paul Tol's "muted" scheme: nine colours that stay distinct for colour-blind readers.
CATEGORY_COLORS: dict[str, str] = {
    "military": "#CC6677",
    "arms_transfer": "#882255",
    "diplomatic": "#88CCEE",
    "economic": "#DDCC77",
    "energy": "#999933",
    "transport": "#44AA99",
    "labor": "#AA4499",
    "sanctions": "#332288",
    "legal_un": "#117733",
}
CATEGORY_LABELS: dict[str, str] = {
    "military": "Military",
    "arms_transfer": "Arms transfer",
    "diplomatic": "Diplomatic",
    "economic": "Economic",
    "energy": "Energy",
    "transport": "Transport",
    "labor": "Labour",
    "sanctions": "Sanctions",
    "legal_un": "UN / legal",
}
# How claim status shows: filled for confirmed, hollow for reported/alleged, a cross for denied.
STATUS_STYLES: dict[str, dict] = {
    "confirmed": {"symbol": "circle", "filled": True, "pattern": ""},
    "reported": {"symbol": "circle-open", "filled": False, "pattern": ""},
    "alleged": {"symbol": "diamond-open", "filled": False, "pattern": ""},
    "denied": {"symbol": "x", "filled": True, "pattern": "x"},
}
EMPTY_MESSAGE = "No events match these filters"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MS_PER_DAY = 86_400_000
LEGEND_GREY = "#555555"
BOTTOM_LEGEND = {"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom", "font": {"size": 11}}
SLIDER_PX = 30  # the timeline's range slider, in pixels
MAX_COUNT_BARS = 1_000  # the counts chart's bars (month x category) above which it counts per year
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}


def format_date(iso: str) -> str:
    """An ISO date at its precision in words: "2013", "Nov 2022", "2 Jan 2024"."""
    if len(iso) == 4:
        return iso
    month = MONTHS[int(iso[5:7]) - 1]
    if len(iso) == 7:
        return f"{month} {iso[:4]}"
    return f"{int(iso[8:10])} {month} {iso[:4]}"


def format_extent(date: str, end_date: str = "") -> str:
    """An event's date, or its span "30 Dec 2023 – 2 Jan 2024"."""
    return f"{format_date(date)} – {format_date(end_date)}" if end_date else format_date(date)


def hover_text(row) -> str:
    """Hover label for one event: title, date at its precision, status, actors (all escaped)."""
    actors = html.escape(row.actors.replace(";", ", ")) if row.actors else "—"
    return (
        f"<b>{html.escape(row.title)}</b><br>{format_extent(row.date, row.end_date)}"
        f" · {html.escape(str(row.status))}<br>Actors: {actors}"
    )


def is_bar(frame: pd.DataFrame) -> np.ndarray:
    """Rows drawn as bars: spans and month- or year-precision dates."""
    return ((frame["end_date"] != "") | (frame["precision"] != "day")).to_numpy()


def lanes_of(frame: pd.DataFrame) -> list[str]:
    """The categories ``frame`` holds, in schema order (counted by code, not hashed per row)."""
    counts = np.bincount(category_codes(frame) + 1, minlength=len(schema.CATEGORIES) + 1)[1:]
    return [c for c, n in zip(schema.CATEGORIES, counts, strict=True) if n]


def _faded(color: str, alpha: float = 0.18) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
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
                {"text": EMPTY_MESSAGE, "showarrow": False, "xref": "paper", "yref": "paper",
                 "x": 0.5, "y": 0.5, "font": {"size": 18, "color": "#444"}}  # fmt: skip
            ],
        },
    }


# ---------------------------------------------------------------- timeline


def timeline_spec(frame: pd.DataFrame, lanes: list[str] | None = None) -> dict:
    """One lane per category (``lanes``, else those holding events), time on x: day events as
    markers, extents as bars [start, end); above the density threshold, lanes of counts per
    time bin (tracker/density.py)."""
    return window_spec(frame, None, lanes)


def window_spec(frame: pd.DataFrame, x_range: tuple[str, str] | None, lanes: list[str] | None = None) -> dict:
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
        spec = _marks(shown, lanes)
    spec["data"].append(density.overview_trace(density.DayCounts.of(frame)))
    if x_range:  # the slider keeps showing (and reaching) the whole extent
        spec["layout"]["xaxis"]["range"] = list(x_range)
        extent = [frame["start"].min().isoformat(), frame["end"].max().isoformat()]
        spec["layout"]["xaxis"]["rangeslider"]["range"] = extent
    return spec


def counted_timeline_spec(counts: density.DayCounts, lanes: list[str] | None = None) -> dict:
    """The whole timeline as density lanes, from the events' day counts alone (what the
    dashboard sends above the threshold without copying a single row)."""
    spec = _density_lanes(counts, *counts.extent(), lanes)
    spec["data"].append(density.overview_trace(counts))
    return spec


def _marks(frame: pd.DataFrame, lanes: list[str] | None) -> dict:
    bars = is_bar(frame)
    data = []
    for status in schema.STATUSES:
        of_status = (frame["status"] == status).to_numpy()
        if (of_status & ~bars).any():
            data.append(_marker_trace(frame[of_status & ~bars], status))
        if (of_status & bars).any():
            data.append(_bar_trace(frame[of_status & bars], status))
    data.extend(_status_legend())
    return {"data": _on_lane_axes(data), "layout": _timeline_layout(lanes or lanes_of(frame))}


def _density_lanes(counts: density.DayCounts, lo: int, hi: int, lanes: list[str] | None) -> dict:
    """Lanes of ``counts`` per bin of days [lo, hi)."""
    totals = counts.lane_totals()
    lanes = lanes or [c for c, n in zip(schema.CATEGORIES, totals, strict=True) if n]
    layout = _timeline_layout(lanes)
    layout["annotations"] = [density.density_note(int(totals.sum()))]
    # (a row per lane of the axis: plotly.js fails to redraw a heatmap missing one of its categories)
    data = density.density_traces(counts, CATEGORY_COLORS, lo, hi, lanes)
    return {"data": _on_lane_axes(data), "layout": layout}


def _on_lane_axes(traces: list[dict]) -> list[dict]:
    for trace in traces:
        trace["xaxis"], trace["yaxis"] = "x2", "y2"
    return traces


def build_timeline_figure(frame: pd.DataFrame) -> go.Figure:
    """The timeline as a validated plotly figure, for export (large marker traces in WebGL)."""
    return go.Figure(density.use_webgl(timeline_spec(frame)))


def _event_fields(rows: pd.DataFrame) -> dict:
    categories = rows["category"].astype(str).tolist()
    return {
        "y": categories,
        "customdata": rows["id"].tolist(),
        "hovertext": [hover_text(r) for r in rows.itertuples(index=False)],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "legendgroup": rows["status"].iloc[0],
        "showlegend": False,
    }


def _marker_trace(rows: pd.DataFrame, status: str) -> dict:
    style = STATUS_STYLES[status]
    colors = [CATEGORY_COLORS[c] for c in rows["category"].astype(str)]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": status,
        "meta": {"kind": "events", "shape": "marker", "status": status},
        "x": rows["date"].tolist(),
        "marker": {"symbol": style["symbol"], "color": colors, "size": 11,
                   "line": {"width": 2, "color": colors}},  # fmt: skip
        **_event_fields(rows),
    }


def _bar_trace(rows: pd.DataFrame, status: str) -> dict:
    style = STATUS_STYLES[status]
    colors = [CATEGORY_COLORS[c] for c in rows["category"].astype(str)]
    start = rows["start"].to_numpy()
    duration = (rows["end"].to_numpy() - start).astype("timedelta64[ms]").astype(np.int64)
    marker = {
        "color": colors if style["filled"] and not style["pattern"] else [_faded(c) for c in colors],
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
        **_event_fields(rows),
    }


def _status_legend() -> list[dict]:
    """Legend-only traces that explain the marks (clicking one hides that status)."""
    out = []
    for status, style in STATUS_STYLES.items():
        out.append({
            "type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": status,
            "legendgroup": status, "hoverinfo": "skip", "meta": {"kind": "legend"},
            "marker": {"symbol": style["symbol"], "color": LEGEND_GREY, "size": 11,
                       "line": {"width": 2, "color": LEGEND_GREY}},
        })  # fmt: skip
    out.append({
        "type": "bar", "orientation": "h", "x": [None], "y": [None], "hoverinfo": "skip",
        "name": "bar: span, or month/year date", "meta": {"kind": "legend"},
        "marker": {"color": _faded(LEGEND_GREY, 0.35), "line": {"width": 2, "color": LEGEND_GREY}},
    })  # fmt: skip
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
        "legend": {"orientation": "h", "x": 0, "y": 1, "yref": "container", "yanchor": "top",
                   "title": {"text": "Claim status:"}},  # fmt: skip
        "xaxis": {
            "type": "date",
            "gridcolor": "#e5e5e5",
            "rangeslider": {"visible": True, "thickness": slider_share, "yaxis": {"rangemode": "auto"}},
            "rangeselector": {"buttons": buttons, "x": 0, "y": 1.01, "yanchor": "bottom"},
        },
        # The overview's axis: it lies below this range, so only the range slider shows it.
        "yaxis": {"range": [0, 1], "fixedrange": True, "visible": False},
        "xaxis2": {"type": "date", "overlaying": "x", "matches": "x", "visible": False, "anchor": "y2"},
        "yaxis2": {  # the lanes
            "anchor": "x2",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": lanes,
            "tickvals": lanes,
            "ticktext": [CATEGORY_LABELS[c] for c in lanes],
            "autorange": "reversed",
            "fixedrange": True,
            "gridcolor": "#f0f0f0",
        },
    }


# ---------------------------------------------------------------- counts per month


def monthly_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Events per (month of start, category): columns month (ISO first day), category, count.

    Counted on integer month numbers and category codes (no per-row strings), fast at 1M rows.
    """
    months = frame["start"].to_numpy().astype("datetime64[M]").astype(np.int64)
    codes = category_codes(frame)
    n = len(schema.CATEGORIES)
    first = months.min() if len(months) else 0
    keys, counts = np.unique((months - first) * n + codes, return_counts=True)
    month = (keys // n + first).astype("datetime64[M]").astype("datetime64[D]")
    return pd.DataFrame({
        "month": np.datetime_as_string(month, unit="D"),
        "category": np.asarray(schema.CATEGORIES)[keys % n],
        "count": counts,
    })  # fmt: skip


def yearly_counts(monthly: pd.DataFrame) -> pd.DataFrame:
    """``monthly_counts`` summed per calendar year (month: the year's January 1st)."""
    year = (monthly["month"].str[:4] + "-01-01").rename("month")
    return monthly.groupby([year, monthly["category"]], sort=True)["count"].sum().reset_index()


def category_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's category as its index in schema.CATEGORIES."""
    return pd.Categorical(frame["category"], categories=schema.CATEGORIES).codes.astype(np.int64)


def counts_spec(frame: pd.DataFrame) -> dict:
    """Events per month (by the month each starts in; per year above MAX_COUNT_BARS bars),
    stacked by category."""
    if frame.empty:
        return empty_spec()
    step, counts = 1, monthly_counts(frame)
    if len(counts) > MAX_COUNT_BARS:  # thousands of month slivers cost the browser ~0.4 s a redraw
        step, counts = 12, yearly_counts(counts)
    period, when = ("month", "%b %Y") if step == 1 else ("year", "%Y")
    data = []
    for category in lanes_of(frame):
        rows = counts[counts["category"] == category]
        data.append({
            "type": "bar", "name": CATEGORY_LABELS[category], "x": rows["month"].tolist(),
            "y": rows["count"].tolist(), "marker": {"color": CATEGORY_COLORS[category]},
            "xperiod": f"M{step}", "xperiodalignment": "middle", "meta": {"kind": "counts", "category": category},
            "hovertemplate": f"%{{x|{when}}}: %{{y}} {CATEGORY_LABELS[category]}<extra></extra>",
        })  # fmt: skip
    layout = {
        "height": 420, "font": FONT, "barmode": "stack", "bargap": 0.1, "plot_bgcolor": "white",
        "margin": {"l": 40, "r": 10, "t": 30, "b": 140}, "legend": dict(BOTTOM_LEGEND, traceorder="normal"),
        "title": {"text": f"Events per {period} (by start)", "font": {"size": 14}, "x": 0.01},
        "xaxis": {"type": "date", "gridcolor": "#e5e5e5"},
        "yaxis": {"gridcolor": "#e5e5e5", "rangemode": "tozero", "tickformat": ",d"},
    }  # fmt: skip
    return {"data": data, "layout": layout}


def build_counts_figure(frame: pd.DataFrame) -> go.Figure:
    """The counts chart as a validated plotly figure."""
    return go.Figure(counts_spec(frame))


def event_ids(spec: dict) -> list[str]:
    """Every event id plotted in a figure dict (one per drawn event)."""
    return [i for t in spec["data"] if (t.get("meta") or {}).get("kind") == "events" for i in t["customdata"]]
