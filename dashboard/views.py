"""Pure view logic behind the callbacks: controls <-> filter <-> URL, and what each output shows.

Nothing here touches a request; tests call these functions directly.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from dash import html, no_update

from tracker.charts import labels
from tracker.charts.changes import ChangeMarks, change_marks
from tracker.charts.counts import counts_spec
from tracker.charts.density import DENSITY_THRESHOLD, StartIndex
from tracker.charts.map import MAP_POINT_LIMIT, map_spec
from tracker.charts.style import (
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    EMPTY_MESSAGE,
    format_date,
    lanes_of,
)
from tracker.charts.timeline import counted_timeline_spec, extent, timeline_spec
from tracker.contract import DateParseError, schema
from tracker.query import EventFilter, from_query, parse_bound, to_query
from tracker.storage import Snapshot

from . import ids
from .changes import page_changes, page_filter
from .memo import filter_masks, per_frame

# The filter controls, in the order every callback passes their values.
CONTROLS = (
    ids.CATEGORIES,
    ids.SINCE,
    ids.UNTIL,
    ids.STATUSES,
    ids.ACTORS,
    ids.RESOLUTIONS,
    ids.PRECISIONS,
    ids.SEARCH,
    ids.CHANGED_SINCE,
)
# The columns the charts read: copying the filtered rows' free text, sources and lists as well
# would cost more than building every chart at a million events.
CHART_COLUMNS = (
    "id",
    "date",
    "end_date",
    "title",
    "short_title",
    "category",
    "status",
    "actors",
    "location",
    "lat",
    "lon",
    "un_resolutions",
    "precision",
    "start",
    "end",
    "start_day",
    "end_day",
)
# What the charts read when they count events (density lanes, counts per month, map cells).
COUNT_COLUMNS = ("category", "start", "end", "start_day", "end_day", "lat", "lon")
MAX_OPTIONS = 500  # dropdown options per list: the most frequent items (plus any chosen ones)


# ---------------------------------------------------------------- controls, filter and URL


def filter_from_controls(
    categories, since, until, statuses, actors, resolutions, precisions, search, changed_since=None
) -> EventFilter:
    """The filter the controls describe (a checklist with everything ticked restricts nothing)."""
    return EventFilter(
        categories=_subset(categories, schema.CATEGORIES),
        statuses=_subset(statuses, schema.STATUSES),
        precisions=_subset(precisions, schema.PRECISIONS),
        actors=tuple(actors or ()) or None,
        resolutions=tuple(resolutions or ()) or None,
        since=_bound(since),
        until=_bound(until),
        search=(search or "").strip() or None,
        changed_since=(changed_since or "").strip() or None,
    )


def controls_from_filter(f: EventFilter) -> list:
    """Control values showing ``f``, in CONTROLS order."""
    return [
        list(schema.CATEGORIES if f.categories is None else f.categories),
        f.since or "",
        f.until or "",
        list(schema.STATUSES if f.statuses is None else f.statuses),
        list(f.actors or ()),
        list(f.resolutions or ()),
        list(schema.PRECISIONS if f.precisions is None else f.precisions),
        f.search or "",
        f.changed_since or "",
    ]


def url_search(f: EventFilter) -> str:
    """The ``location.search`` for ``f`` ("" when it restricts nothing)."""
    query = to_query(f)
    return f"?{query}" if query else ""


def resolve_filter(search: str | None, shown: dict | None, reset_clicks: int | None, values: list) -> tuple:
    """(filter to show, new URL search, control values, new ``shown``) from the page's state alone,
    whichever input fired: Dash drops the answer of a call superseded while it runs (say, by new
    data), so the next call must still carry out the change that one was for.

    ``shown`` is what the last answer recorded: the URL it showed and the reset clicks it handled.
    Another reset click: no filter. Another URL (page load, back/forward): its filter, shown by the
    controls. Controls describing another filter than the URL's: theirs, written to the URL.
    Otherwise (new data, or a change that restricts nothing new): the URL's filter.
    """
    search, shown, clicks = search or "", shown or {}, reset_clicks or 0
    untouched = [no_update] * len(CONTROLS)
    if clicks > shown.get("reset", 0):
        f = EventFilter()
        return f, "", controls_from_filter(f), {"search": "", "reset": clicks}
    if search != shown.get("search"):
        f = from_query(search)
        return f, no_update, controls_from_filter(f), {"search": search, "reset": clicks}
    f = filter_from_controls(*values)
    if f == from_query(search):
        return f, no_update, untouched, {"search": search, "reset": clicks}
    new = url_search(f)
    return f, new, untouched, {"search": new, "reset": clicks}


def _subset(values, everything: tuple[str, ...]) -> tuple[str, ...] | None:
    chosen = set(values or ())
    if chosen >= set(everything):
        return None
    return tuple(v for v in everything if v in chosen)


def _bound(text: str | None) -> str | None:
    try:
        return parse_bound((text or "").strip())
    except DateParseError:
        return None


# ---------------------------------------------------------------- the view of one filter


@dataclass(frozen=True)
class View:
    """Everything the page shows for one URL."""

    summary: str
    banner: list
    banner_hidden: bool
    category_options: list
    actor_options: list
    resolution_options: list
    timeline: dict
    counts: dict
    map: dict
    empty_note: str


def render_answer(
    snap: Snapshot, search: str | None, shown: dict | None, reset_clicks: int | None, values: list
) -> tuple:
    """The render callback's answer: the URL, the controls, what the page will show (``shown``,
    with the data's token) and the view, without what the page already holds."""
    f, url, controls, now = resolve_filter(search, shown, reset_clicks, values)
    token = data_token(snap)
    view = filter_view(snap, f, secondary=False, held=held_outputs(shown, f, token))
    return (url, *controls, {**now, "data": token}, *render_outputs(view))


def held_outputs(shown: dict | None, f: EventFilter, token: str) -> frozenset[str]:
    """The outputs the page already holds for ``f``: the banner and the option lists whose inputs
    (the data, the filter apart from what the list chooses) are those of the last answer it
    applied (``shown``). Sending them again costs browser time on every click."""
    if not shown or shown.get("data") != token:
        return frozenset()
    before = from_query(shown.get("search") or "")
    held = {"banner"}
    if replace(before, categories=None) == replace(f, categories=None):
        held.add("categories")
    if before.actors == f.actors:
        held.add("actors")
    if before.resolutions == f.resolutions:
        held.add("resolutions")
    return frozenset(held)


def render_outputs(view: View) -> tuple:
    """The render callback's view outputs (the counts and the map come from ``secondary_figures``
    in a second callback, so a filter click's answer carries the timeline without waiting for them)."""
    return (
        view.summary,
        view.banner,
        view.banner_hidden,
        view.category_options,
        view.actor_options,
        view.resolution_options,
        view.timeline,
        view.empty_note,
    )


def secondary_figures(snap: Snapshot, search: str | None) -> tuple[dict, dict]:
    """The counts chart and the map for the filter in ``search``."""
    frame = snap.frame
    mask = filter_masks(frame, page_filter(snap.path, from_query(search or "")))[0]
    return counts_spec(chart_rows(frame, mask)), map_spec(chart_rows(frame, mask & located(frame), MAP_POINT_LIMIT))


def render_view(snap: Snapshot, search: str | None) -> View:
    """The whole page's content for the filter in ``search``."""
    return filter_view(snap, from_query(search or ""))


def filter_view(snap: Snapshot, f: EventFilter, secondary: bool = True, held: frozenset[str] = frozenset()) -> View:
    """The whole page's content for ``f`` (without the counts and the map unless ``secondary``;
    ``no_update`` for the parts the page already ``held``)."""
    frame = snap.frame
    changes = page_changes(snap.path, f, frame)  # "changed since", worked out from the file's git history
    f = changes.filter
    mask, others = filter_masks(frame, f)  # the one filter (filter_events is frame[filter_mask])
    count = int(np.count_nonzero(mask))

    def unless(part: str, make):
        return no_update if part in held else make()

    return View(
        summary=summary_text(snap, count),
        banner=unless("banner", lambda: banner_lines(snap)),
        banner_hidden=unless("banner", lambda: not snap.errors),
        category_options=unless("categories", lambda: category_options(frame, others)),
        actor_options=unless("actors", lambda: list_options(frame, "actor_list", f.actors)),
        resolution_options=unless("resolutions", lambda: list_options(frame, "resolution_list", f.resolutions)),
        timeline=timeline_of(frame, mask, changes.marks()),
        counts=counts_spec(chart_rows(frame, mask)) if secondary else {},
        map=map_spec(chart_rows(frame, mask & located(frame), MAP_POINT_LIMIT)) if secondary else {},
        empty_note="" if count else EMPTY_MESSAGE,
    )


def timeline_of(frame: pd.DataFrame, mask: np.ndarray, changed: ChangeMarks | None = None) -> dict:
    """The timeline of the rows of ``mask``, the ``changed`` ones ringed (and their hover text
    saying what changed); above the density threshold counted from the frame's start index
    without copying a row."""
    if np.count_nonzero(mask) <= DENSITY_THRESHOLD:
        rows = chart_rows(frame, mask)
        changed = changed or ChangeMarks()
        spec = timeline_spec(rows, stable_lanes(frame), changed.notes)
        spec["data"] += change_marks(rows, changed.kinds)
        if 0 < len(rows) <= labels.SCREEN_LIMIT:
            labels.labelled(spec, rows, extent(rows), labels.SCREEN_PLOT_PX)
        return spec
    return counted_timeline_spec(per_frame(frame, "start index", StartIndex).count(mask), stable_lanes(frame))


def stable_lanes(frame: pd.DataFrame) -> list[str]:
    """The timeline's lanes whatever the filter: every category of the file, so that toggling one
    never moves the others (nor changes the plot's height, which costs plotly a full redraw)."""
    return per_frame(frame, "lanes", lanes_of)


def chart_rows(frame: pd.DataFrame, mask: np.ndarray, marks_up_to: int = DENSITY_THRESHOLD) -> pd.DataFrame:
    """The rows of ``mask`` a chart reads: every CHART_COLUMNS column while the chart can draw
    them one by one (``marks_up_to``), else just the numbers it counts (no copy of text)."""
    if np.count_nonzero(mask) <= marks_up_to:
        return frame.loc[mask, list(CHART_COLUMNS)]
    return _number_rows(frame, mask, COUNT_COLUMNS)


def _number_rows(frame: pd.DataFrame, mask: np.ndarray, columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``mask`` in ``columns`` (numbers, dates, categories), selected as arrays: a
    sixth of what pandas' row selection costs at a million rows."""
    picked = {}
    for name in columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            picked[name] = pd.Categorical.from_codes(column.cat.codes.to_numpy()[mask], dtype=column.dtype)
        else:
            picked[name] = column.to_numpy()[mask]
    return pd.DataFrame(picked, copy=False)


def located(frame: pd.DataFrame) -> np.ndarray:
    """Rows with coordinates (the map draws only these), once per loaded frame."""
    return per_frame(frame, "located", lambda fr: (fr["lat"].notna() & fr["lon"].notna()).to_numpy())


def summary_text(snap: Snapshot, shown: int) -> str:
    """Header line: "46 of 46 events shown · latest event 16 Dec 2024 · file changed …"."""
    frame = snap.frame
    parts = [f"{shown} of {len(frame)} events shown"]
    if len(frame):
        parts.append("latest event " + per_frame(frame, "latest", _latest_date))
    if snap.modified:
        parts.append("file changed " + snap.modified.strftime("%Y-%m-%d %H:%M UTC"))
    return " · ".join(parts)


def banner_lines(snap: Snapshot) -> list:
    """The validation errors of the file on disk (empty when it is valid)."""
    if not snap.errors:
        return []
    head = html.Strong(f"{snap.name} on disk is invalid; still showing the last good version. Problems:")
    return [head, html.Ul([html.Li(line) for line in snap.errors[:20]])]


def _latest_date(frame: pd.DataFrame) -> str:
    return format_date(frame["date"].iloc[int(np.argmax(frame["start"].to_numpy()))])


def category_counts(frame: pd.DataFrame, others: np.ndarray) -> dict[str, int]:
    """Events per category among the rows ``others`` keeps (every filter but the category one)."""
    codes = frame["category"].cat.codes.to_numpy()[others]
    counts = np.bincount(codes[codes >= 0], minlength=len(schema.CATEGORIES))
    return {c: int(counts[i]) for i, c in enumerate(schema.CATEGORIES)}


def category_options(frame: pd.DataFrame, others: np.ndarray) -> list[dict]:
    """Checklist options, each labelled with its count under the other filters (``others``)."""
    counts = category_counts(frame, others)
    return [
        {
            "label": html.Span(
                [
                    html.Span(className="swatch", style={"backgroundColor": CATEGORY_COLORS[c]}),
                    f"{CATEGORY_LABELS[c]} ({counts[c]})",
                ]
            ),
            "value": c,
        }
        for c in schema.CATEGORIES
    ]


def list_options(frame: pd.DataFrame, column: str, chosen: tuple[str, ...] | None = ()) -> list[dict]:
    """Dropdown options of a list column: its MAX_OPTIONS most frequent items plus the chosen ones,
    sorted (resolutions by number). The items are counted once per loaded frame."""
    items = per_frame(frame, ("options", column), lambda fr: list_items(fr[column]))
    items = sorted(set(items) | set(chosen or ()), key=lambda s: (len(s), s) if s.isdigit() else (0, s))
    return [{"label": item, "value": item} for item in items]


def list_items(lists: pd.Series, limit: int = MAX_OPTIONS) -> list[str]:
    """The ``limit`` most frequent items of a list column (ties by name)."""
    flat = pc.list_flatten(pa.array(lists, type=pa.list_(pa.large_string())))
    counts = pc.value_counts(flat)
    items, n = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
    return [item for _, item in sorted(zip((-c for c in n), items, strict=True))[:limit] if item]


def data_token(snap: Snapshot) -> str:
    """Changes whenever the data or its errors change; equal across workers for the same file."""
    size, mtime = snap.version
    return f"{size}-{mtime}-{zlib.crc32(chr(10).join(snap.errors).encode()):08x}"
