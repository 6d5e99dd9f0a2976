"""The details panel: the event behind a click, shown in full with its source links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from dash import html

from tracker.charts.style import CATEGORY_LABELS, format_date, format_extent
from tracker.contract import schema
from tracker.links import DEAD, DOUBTFUL, LinkResult

from . import ids
from .changes import history_line

DETAILS_HINT = "Click an event on the timeline, the map or the table to see its details."
SAFE_SCHEMES = ("http://", "https://")


def clicked_event_id(trigger: str | None, timeline_click, map_click, selected_rows) -> str | None:
    """The event id behind whatever was clicked."""
    if trigger in (ids.TIMELINE, ids.MAP):
        click = timeline_click if trigger == ids.TIMELINE else map_click
        points = (click or {}).get("points") or [{}]
        return points[0].get("customdata")
    if trigger == ids.GRID and selected_rows:
        return selected_rows[0].get("id")
    return None


def details_children(
    frame: pd.DataFrame, event_id: str | None, path: Path | None = None, links: Mapping[str, LinkResult] | None = None
) -> list:
    """The details panel for one event (with its history in git when ``path`` has one, and what
    ``tracker check-links`` last found of a source that is dead or doubtful, from ``links``), or
    a hint when none is chosen."""
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
        html.Ul(
            [
                html.Li([source_link(name, url), *archived_link(archive), *link_state((links or {}).get(url))])
                for name, url, archive in _sources(row)
            ]
        ),
        html.P(f"id: {row['id']}", className="event-id"),
        *_history(path, row["id"]),
    ]


def _history(path: Path | None, event_id: str) -> list:
    line = history_line(path, event_id) if path is not None else ""
    return [html.P(["History: ", line], className="event-history")] if line else []


def _sources(row) -> list[tuple[str, str, str]]:
    """(name, URL, archived copy or "") of each source."""
    names = row["source_names"]
    copies = schema.archived_copies(row["source_url"], row.get("archive_urls"))
    return [(names[i] if i < len(names) and names[i] else url, url, copy) for i, (url, copy) in enumerate(copies)]


def archived_link(url: str) -> list:
    """ " (archived)" after a source, linking its archived copy with the same rules; nothing without one."""
    return [" (", source_link("archived", url), ")"] if url else []


def link_note(result: LinkResult | None) -> tuple[str, str] | None:
    """(CSS class, words) of what the last link check found of a source, when it was not found
    alive: ("link-dead", "dead link: 404 Not Found (checked 3 Dec 2026)"); None for a live link
    or one never checked. The details panel and the reading view both say it so."""
    if result is None or result.state not in (DEAD, DOUBTFUL):
        return None
    checked = dt.datetime.fromtimestamp(result.checked_at, dt.UTC).date().isoformat()
    what = "dead link" if result.state == DEAD else "doubtful link"
    return f"link-{result.state}", f"{what}: {result.detail} (checked {format_date(checked)})"


def link_state(result: LinkResult | None) -> list:
    """``link_note`` after a source's link in the details panel: " · dead link: …"."""
    note = link_note(result)
    return [html.Span(f" · {note[1]}", className=note[0])] if note else []


def source_link(name: str, url: str):
    """A link opening in a new tab without access to this page; plain text unless http(s)."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return f"{name} ({url})"
    return html.A(name, href=url, target="_blank", rel="noopener noreferrer")
