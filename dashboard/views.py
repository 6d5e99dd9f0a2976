"""Pure view logic behind the callbacks: controls <-> filter <-> URL, and what each output shows.

Nothing here touches a request; tests call these functions directly.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import pandas as pd
from dash import html, no_update

from tracker import schema
from tracker.dates import DateParseError
from tracker.figures import (
    CATEGORY_COLORS,
    CATEGORY_LABELS,
    EMPTY_MESSAGE,
    counts_spec,
    format_date,
    format_extent,
    map_spec,
    timeline_spec,
)
from tracker.query import EventFilter, filter_events, from_query, parse_bound, replace, to_query
from tracker.render import public_frame
from tracker.source import Snapshot

from . import ids

# The filter controls, in the order every callback passes their values.
CONTROLS = (ids.CATEGORIES, ids.SINCE, ids.UNTIL, ids.STATUSES, ids.ACTORS, ids.RESOLUTIONS,
            ids.PRECISIONS, ids.SEARCH)  # fmt: skip
GRID_COLUMNS = ("date", "end_date", "title", "category", "status", "actors", "location", "un_resolutions")
DETAILS_HINT = "Click an event on the timeline, the map or the table to see its details."
SAFE_SCHEMES = ("http://", "https://")


# ---------------------------------------------------------------- controls, filter and URL


def filter_from_controls(categories, since, until, statuses, actors, resolutions, precisions, search) -> EventFilter:
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
    ]


def url_search(f: EventFilter) -> str:
    """The ``location.search`` for ``f`` ("" when it restricts nothing)."""
    query = to_query(f)
    return f"?{query}" if query else ""


def sync_url_and_controls(trigger: str | None, search: str | None, values: list) -> tuple:
    """(new URL search, control values) for whatever changed: a control, the reset or the URL."""
    if trigger == ids.RESET:
        return "", controls_from_filter(EventFilter())
    if trigger in CONTROLS:
        new = url_search(filter_from_controls(*values))
        return (no_update if new == (search or "") else new), [no_update] * len(CONTROLS)
    return no_update, controls_from_filter(from_query(search or ""))


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
    rows: list
    empty_note: str


def render_view(snap: Snapshot, search: str | None) -> View:
    """The whole page's content for the filter in ``search``."""
    frame = snap.frame
    f = from_query(search or "")
    shown = filter_events(frame, f)
    return View(
        summary=summary_text(snap, len(shown)),
        banner=banner_lines(snap),
        banner_hidden=not snap.errors,
        category_options=category_options(frame, f),
        actor_options=list_options(frame["actor_list"]),
        resolution_options=list_options(frame["resolution_list"]),
        timeline=timeline_spec(shown),
        counts=counts_spec(shown),
        map=map_spec(shown),
        rows=grid_rows(shown),
        empty_note=EMPTY_MESSAGE if shown.empty else "",
    )


def summary_text(snap: Snapshot, shown: int) -> str:
    """Header line: "46 of 46 events shown · latest event 16 Dec 2024 · file changed …"."""
    frame = snap.frame
    parts = [f"{shown} of {len(frame)} events shown"]
    if len(frame):
        parts.append("latest event " + format_date(frame.loc[frame["start"].idxmax(), "date"]))
    if snap.modified:
        parts.append("file changed " + snap.modified.strftime("%Y-%m-%d %H:%M UTC"))
    return " · ".join(parts)


def banner_lines(snap: Snapshot) -> list:
    """The validation errors of the file on disk (empty when it is valid)."""
    if not snap.errors:
        return []
    head = html.Strong(f"{snap.name} on disk is invalid; still showing the last good version. Problems:")
    return [head, html.Ul([html.Li(line) for line in snap.errors[:20]])]


def category_options(frame: pd.DataFrame, f: EventFilter) -> list[dict]:
    """Checklist options, each labelled with its count under the other filters."""
    others = filter_events(frame, replace(f, categories=None))
    counts = others["category"].value_counts()
    return [
        {"label": html.Span([html.Span(className="swatch", style={"backgroundColor": CATEGORY_COLORS[c]}),
                             f"{CATEGORY_LABELS[c]} ({int(counts.get(c, 0))})"]),  # fmt: skip
         "value": c}
        for c in schema.CATEGORIES
    ]


def list_options(lists: pd.Series) -> list[dict]:
    """Dropdown options: every item that occurs in a list column, sorted."""
    items = sorted({item for values in lists for item in values}, key=lambda s: (len(s), s) if s.isdigit() else (0, s))
    return [{"label": item, "value": item} for item in items]


def grid_rows(frame: pd.DataFrame) -> list[dict]:
    """Table rows (id plus the shown columns) of the filtered events."""
    return public_frame(frame)[["id", *GRID_COLUMNS]].to_dict(orient="records")


def data_token(snap: Snapshot) -> str:
    """Changes whenever the data or its errors change; equal across workers for the same file."""
    size, mtime = snap.version
    return f"{size}-{mtime}-{zlib.crc32(chr(10).join(snap.errors).encode()):08x}"


# ---------------------------------------------------------------- details of one event


def clicked_event_id(trigger: str | None, timeline_click, map_click, selected_rows) -> str | None:
    """The event id behind whatever was clicked."""
    if trigger in (ids.TIMELINE, ids.MAP):
        click = timeline_click if trigger == ids.TIMELINE else map_click
        points = (click or {}).get("points") or [{}]
        return points[0].get("customdata")
    if trigger == ids.GRID and selected_rows:
        return selected_rows[0].get("id")
    return None


def details_children(frame: pd.DataFrame, event_id: str | None) -> list:
    """The details panel for one event, or a hint when none is chosen."""
    rows = frame[frame["id"] == event_id] if event_id else frame.iloc[:0]
    if rows.empty:
        return [html.P(DETAILS_HINT, className="hint")]
    row = rows.iloc[0]
    facts = [
        ("Date", format_extent(row["date"], row["end_date"]) + f" ({row['precision']} precision)"),
        ("Category", CATEGORY_LABELS[str(row["category"])]),
        ("Status", str(row["status"])),
        ("Actors", ", ".join(row["actor_list"]) or "—"),
        ("Location", row["location"] or "—"),
        ("UN resolutions", ", ".join(row["resolution_list"]) or "—"),
    ]
    return [
        html.H3(row["title"]),
        html.Dl([part for name, value in facts for part in (html.Dt(name), html.Dd(value))]),
        html.P(row["description"], className="description"),
        html.H4("Sources"),
        html.Ul([html.Li(source_link(name, url)) for name, url in _sources(row)]),
        html.P(f"id: {row['id']}", className="event-id"),
    ]


def _sources(row) -> list[tuple[str, str]]:
    urls, names = row["source_urls"], row["source_names"]
    return [(names[i] if i < len(names) and names[i] else url, url) for i, url in enumerate(urls)]


def source_link(name: str, url: str):
    """A link opening in a new tab without access to this page; plain text unless http(s)."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return f"{name} ({url})"
    return html.A(name, href=url, target="_blank", rel="noopener noreferrer")
