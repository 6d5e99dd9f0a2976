"""The reading view, ``/read?<the dashboard's query>``: the same filtered events as a document.

Chronological, grouped by year, each event with its date at its precision, title, status badge,
description, actors, resolutions and numbered source notes (with archived copies). It is plain
HTML from the server (Jinja2, autoescaped): every event's title is a link to itself, so Tab goes
from event to event and through its sources; it prints cleanly (``read.css``'s print rules). The
brief it offers, ``/read/brief.md`` and ``/read/brief.docx``, is ``tracker export``'s own, made
from the same filter.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from urllib.parse import urlencode

from dash import Dash
from flask import Response, request
from jinja2 import Environment, PackageLoader, select_autoescape

from tracker.charts.style import STATUS_MARKS
from tracker.errors import TrackerError
from tracker.export import export_meta
from tracker.export.brief import NO_EVENTS, brief_of, change_notes
from tracker.links.cache import kept_results
from tracker.query import filter_events, to_query
from tracker.storage import EventSource

from .changes import url_filter
from .details import link_note
from .export_controls import view_export

READ_PATH = "/read"
READ_LIMIT = 2000  # a page a browser lays out quickly; the brief downloads hold every event
BRIEF_FORMATS = {"md": "Markdown", "docx": "Word"}


@cache
def _templates() -> Environment:
    return Environment(loader=PackageLoader("dashboard", "templates"), autoescape=select_autoescape())


def reading_page(source: EventSource, search: str, prefix: str = "/") -> str:
    """The reading view's HTML for the dashboard query ``search`` (e.g. ``?category=energy``)."""
    snap = source.snapshot()
    f = url_filter(snap.path, search)
    shown = filter_events(snap.frame, f)
    meta = export_meta(shown, f, snap.path, total=len(snap.frame))
    brief = brief_of(shown.iloc[:READ_LIMIT], meta, changes=change_notes(f))
    query = f"?{q}" if (q := to_query(f)) else ""
    return (
        _templates()
        .get_template("read.html")
        .render(
            brief=brief,
            shown=len(shown),
            limit=READ_LIMIT,
            no_events=NO_EVENTS,
            marks=STATUS_MARKS,
            link_notes=_link_notes(brief.notes),
            dashboard=prefix + query,
            stylesheet=prefix + "read/read.css",
            downloads=[(name, f"{prefix}read/brief.{fmt}{query}") for fmt, name in BRIEF_FORMATS.items()],
        )
    )


def _link_notes(notes) -> dict[str, tuple[str, str]]:
    """What the last link check found of each cited URL that it did not find alive."""
    kept = kept_results()
    found = {note.url: link_note(kept.get(note.url)) for note in notes} if kept else {}
    return {url: note for url, note in found.items() if note}


def register_reading(app: Dash, source: EventSource) -> None:
    """Serve the reading view, its stylesheet and its brief downloads on ``app``'s server."""
    prefix = app.get_relative_path("/")
    stylesheet = files("dashboard").joinpath("templates/read.css").read_bytes()

    def search() -> str:  # the request's query, as the dashboard's URL carries it
        return "?" + urlencode(request.args, doseq=True)

    @app.server.route(READ_PATH)
    def read():
        return Response(reading_page(source, search(), prefix), mimetype="text/html")

    @app.server.route(READ_PATH + "/read.css")
    def read_css():
        return Response(stylesheet, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})

    @app.server.route(READ_PATH + "/brief.<fmt>")
    def brief(fmt: str):
        if fmt not in BRIEF_FORMATS:
            return Response("no such brief: use brief.md or brief.docx\n", status=404, mimetype="text/plain")
        try:
            result = view_export(source.snapshot(), search(), fmt)
        except TrackerError as exc:  # (e.g. a view too large for a Word brief)
            return Response(f"{exc}\n", status=422, mimetype="text/plain")
        disposition = f'attachment; filename="{result.filename}"'
        return Response(result.content, mimetype=result.media_type, headers={"Content-Disposition": disposition})
