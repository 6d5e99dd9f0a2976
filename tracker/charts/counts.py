"""The counts chart: events per month (per year when months would be too many), stacked by
category."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..contract import schema
from .style import (
    AXIS_TICKS_PX,
    BOTTOM_LEGEND,
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    FONT,
    bottom_legend_margin,
    category_codes,
    empty_spec,
    lanes_of,
)

MAX_COUNT_BARS = 1_000  # the counts chart's bars (month x category) above which it counts per year
LONE_BAR_DAYS = 27  # a lone bar's width per month (bargap 0.1 of an average month)
DAY_MS = 86_400_000
TICK_LINE_PX = 16  # a second line of tick labels
FEW_PERIODS = 6  # up to this many months (or years) between the first and the last bar, each is ticked


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
    return pd.DataFrame(
        {
            "month": np.datetime_as_string(month, unit="D"),
            "category": np.asarray(schema.CATEGORIES)[keys % n],
            "count": counts,
        }
    )


def yearly_counts(monthly: pd.DataFrame) -> pd.DataFrame:
    """``monthly_counts`` summed per calendar year (month: the year's January 1st)."""
    year = (monthly["month"].str[:4] + "-01-01").rename("month")
    return monthly.groupby([year, monthly["category"]], sort=True)["count"].sum().reset_index()


DASHBOARD_WIDTH = 400  # the dashboard's counts card in a 1,400 px window, about (beside the map)


def counts_spec(frame: pd.DataFrame, width: int | None = None) -> dict:
    """Events per month (by the month each starts in; per year above MAX_COUNT_BARS bars),
    stacked by category; the legend under the axis, the margin fitted to it at ``width``."""
    if frame.empty:
        return empty_spec()
    step, counts = 1, monthly_counts(frame)
    if len(counts) > MAX_COUNT_BARS:  # thousands of month slivers slow every redraw
        step, counts = 12, yearly_counts(counts)
    period, when = ("month", "%b %Y") if step == 1 else ("year", "%Y")
    ticks = _period_ticks(counts, step)
    # A lone month's bar: plotly sizes bars by their spacing, and one bar has none (a hairline).
    lone = {"width": LONE_BAR_DAYS * step * DAY_MS} if counts["month"].nunique() == 1 else {}
    data = []
    for category in lanes_of(frame):
        rows = counts[counts["category"] == category]
        data.append(
            {
                "type": "bar",
                "name": CATEGORY_LABELS[category],
                "x": rows["month"].tolist(),
                "y": rows["count"].tolist(),
                "marker": {"color": CATEGORY_COLORS[category]},
                "xperiod": f"M{step}",
                "xperiodalignment": "middle",
                "meta": {"kind": "counts", "category": category},
                **lone,
                "hovertemplate": f"%{{x|{when}}}: %{{y}} {CATEGORY_LABELS[category]}<extra></extra>",
            }
        )
    layout = {
        "height": 420,
        "font": FONT,
        "barmode": "stack",
        "bargap": 0.1,
        "plot_bgcolor": "white",
        "margin": {"l": 40, "r": 10, "t": 30, "b": _bottom(data, (width or DASHBOARD_WIDTH) - 50, ticks)},
        "legend": dict(BOTTOM_LEGEND, traceorder="normal"),
        "title": {"text": f"Events per {period} (by start)", "font": {"size": 14}, "x": 0.01},
        "xaxis": {"type": "date", "gridcolor": "#e5e5e5", **ticks},
        "yaxis": {"gridcolor": "#e5e5e5", "rangemode": "tozero", "tickformat": ",d", **_whole_ticks(counts)},
    }
    return {"data": data, "layout": layout}


def _bottom(data: list[dict], plot_width: int, ticks: dict) -> int:
    """Room for the axis labels (two lines for a month and its year) and the legend (none for
    one category: plotly shows none)."""
    axis_px = AXIS_TICKS_PX + (TICK_LINE_PX if "<br>" in ticks.get("tickformat", "") else 0)
    if len(data) < 2:
        return axis_px + 8
    return bottom_legend_margin([t["name"] for t in data], plot_width, axis_px)


def _period_ticks(counts: pd.DataFrame, step: int) -> dict:
    """A few bars: one labelled tick per month (or year), and an empty period either side; left to
    itself plotly ticks a lone bar in fractions of a second."""
    months = counts["month"].to_numpy().astype("datetime64[M]")
    first, last = months.min(), months.max()
    if (last - first).astype(int) // step >= FEW_PERIODS:
        return {}
    lo, hi = first - np.timedelta64(step, "M"), last + np.timedelta64(2 * step, "M")
    return {
        "range": [str(lo.astype("datetime64[D]")), str(hi.astype("datetime64[D]"))],
        "dtick": f"M{step}",
        "tick0": str(first.astype("datetime64[D]")),
        "tickformat": "%b<br>%Y" if step == 1 else "%Y",
        "ticklabelmode": "period",
    }


def _whole_ticks(counts: pd.DataFrame) -> dict:
    """One tick per event while the tallest bar is short (plotly would tick halves, printed
    twice as whole numbers)."""
    tallest = int(counts.groupby("month")["count"].sum().max()) if len(counts) else 0
    return {"dtick": 1} if tallest <= 8 else {}


def build_counts_figure(frame: pd.DataFrame, width: int | None = None) -> go.Figure:
    """The counts chart as a validated plotly figure."""
    return go.Figure(counts_spec(frame, width))
