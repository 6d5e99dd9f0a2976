"""Zooming the timeline at scale: the server draws the visible window (tracker/charts/density.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from dash import no_update

from tracker.charts import labels
from tracker.charts.changes import ChangeMarks
from tracker.charts.density import DENSITY_THRESHOLD, in_window
from tracker.charts.timeline import window_spec
from tracker.query import EventFilter

from .memo import filter_masks
from .views import chart_rows, stable_lanes, timeline_of


def zoomed_timeline(frame: pd.DataFrame, f: EventFilter, relayout: dict | None, changed: ChangeMarks | None = None):
    """The timeline for the x window a zoom asks for (scale: tracker/density.py); for a few
    events, all of them with labels for the window (``changed``: what the timeline shows of a
    "changed since")."""
    x_range = relayout_range(relayout)
    if x_range is False:
        return no_update
    mask = filter_masks(frame, f)[0]
    if np.count_nonzero(mask) <= DENSITY_THRESHOLD:
        return labelled_window(frame, mask, x_range, changed)
    if x_range is None:  # back to everything: the view a filter click shows
        return timeline_of(frame, mask)
    # The text columns are copied only when the window shows single events.
    marks = np.count_nonzero(mask & in_window(frame, x_range)) <= DENSITY_THRESHOLD
    return window_spec(chart_rows(frame, mask, len(frame) if marks else 0), x_range, stable_lanes(frame))


def labelled_window(frame: pd.DataFrame, mask: np.ndarray, x_range, changed: ChangeMarks | None) -> dict:
    """Few enough events to draw them all: the browser keeps every mark, and labels follow the
    window (more of them as it narrows; none once it holds more than labels.SCREEN_LIMIT)."""
    spec = timeline_of(frame, mask, changed)
    if x_range is None:
        return spec
    spec["layout"].pop("annotations", None)
    if np.count_nonzero(mask & in_window(frame, x_range)) <= labels.SCREEN_LIMIT:
        labels.labelled(spec, chart_rows(frame, mask), x_range, labels.SCREEN_PLOT_PX)
    spec["layout"]["xaxis"]["range"] = list(x_range)
    return spec


def relayout_range(relayout: dict | None) -> tuple[str, str] | None | bool:
    """The x window a plotly ``relayoutData`` asks for; None for "show everything" (autorange or
    reset); False when it does not concern the x axis (nothing to redraw)."""
    if not relayout:
        return False
    if "xaxis.range[0]" in relayout and "xaxis.range[1]" in relayout:
        return str(relayout["xaxis.range[0]"]), str(relayout["xaxis.range[1]"])
    if isinstance(relayout.get("xaxis.range"), list) and len(relayout["xaxis.range"]) == 2:
        return tuple(str(v) for v in relayout["xaxis.range"])  # type: ignore[return-value]
    if relayout.get("xaxis.autorange"):
        return None
    # (plotly reports {"autosize": true} after drawing a new figure: a size, not a zoom; taking
    # it for "show everything" would undo the zoom the server has just drawn)
    return False
