"""Zooming the timeline at scale: the server draws the visible window (tracker/charts/density.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import no_update

from tracker.charts.density import DENSITY_THRESHOLD, in_window
from tracker.charts.timeline import window_spec
from tracker.query import EventFilter

from .memo import filter_masks
from .views import chart_rows, stable_lanes, timeline_of


def zoomed_timeline(frame: pd.DataFrame, f: EventFilter, relayout: dict | None):
    """The timeline for the x window a zoom asks for (scale: tracker/density.py); no_update when
    the filtered events are few enough for the browser to zoom on its own."""
    x_range = relayout_range(relayout)
    if x_range is False:
        return no_update
    mask = filter_masks(frame, f)[0]
    if np.count_nonzero(mask) <= DENSITY_THRESHOLD:
        return no_update
    if x_range is None:  # back to everything: the view a filter click shows
        return timeline_of(frame, mask)
    # The text columns are copied only when the window shows single events.
    marks = np.count_nonzero(mask & in_window(frame, x_range)) <= DENSITY_THRESHOLD
    return window_spec(chart_rows(frame, mask, len(frame) if marks else 0), x_range, stable_lanes(frame))


def relayout_range(relayout: dict | None) -> tuple[str, str] | None | bool:
    """The x window a plotly ``relayoutData`` asks for; None for "show everything" (autorange or
    reset); False when it does not concern the x axis (nothing to redraw)."""
    if not relayout:
        return False
    if "xaxis.range[0]" in relayout and "xaxis.range[1]" in relayout:
        return str(relayout["xaxis.range[0]"]), str(relayout["xaxis.range[1]"])
    if isinstance(relayout.get("xaxis.range"), list) and len(relayout["xaxis.range"]) == 2:
        return tuple(str(v) for v in relayout["xaxis.range"])  # type: ignore[return-value]
    if relayout.get("xaxis.autorange") or relayout.get("autosize"):
        return None
    return False
