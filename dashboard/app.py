"""``create_app(csv_path)``: the Dash app; ``server`` for ``gunicorn dashboard.app:server``."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cache
from pathlib import Path

from dash import Dash
from flask import Response

from tracker.charts import WORLD_TOPOJSON, world_topojson
from tracker.storage import EventSource, default_csv

from .callbacks import register_callbacks
from .export_controls import register_export_callbacks
from .layout import build_layout
from .reading import READ_PATH, register_reading
from .security import apply_security

ASSETS = Path(__file__).parent / "assets"
GEO_PATH = "/geo/"  # where plotly.js fetches the map outlines (the library's package data)


def create_app(csv_path: str | os.PathLike) -> Dash:
    """The dashboard for one events CSV (raises ValidationError if the file is invalid now)."""
    source = EventSource(csv_path)
    app = Dash(
        __name__,
        title="Sanctions tracker",
        assets_folder=str(ASSETS),
        compress=True,
        update_title=None,
        serve_locally=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # (screen readers: the language)
    # Dash checks callbacks against a layout; given none it renders the real page once more at
    # start-up (a full view of a large file). The page without events has every component.
    app.validation_layout = build_layout(replace(snap := source.snapshot(), frame=snap.frame.iloc[:0]))
    app.layout = lambda: build_layout(
        source.snapshot(), app.get_relative_path(GEO_PATH), app.get_relative_path(READ_PATH)
    )
    _serve_map_outlines(app)
    register_callbacks(app, source)
    register_export_callbacks(app, source)
    register_reading(app, source)
    _register_scripts(app)
    apply_security(app)  # last: the CSP hashes every inline script defined above
    return app


def _serve_map_outlines(app: Dash) -> None:
    """Serve the library's offline world outlines where the map's ``topojsonURL`` points."""
    outlines = world_topojson().encode("utf-8")

    @app.server.route(GEO_PATH + WORLD_TOPOJSON)
    def map_outlines():
        return Response(
            outlines,
            mimetype="application/json",
            headers={"Cache-Control": "public, max-age=86400"},
        )


def _register_scripts(app: Dash) -> None:
    """Render the index once so this process can serve every JS bundle.

    Dash records the bundles it may serve while rendering the index; a gunicorn worker that gets
    a bundle request before ever rendering the index would otherwise answer 500.
    """
    with app.server.test_request_context("/"):
        app.index()


@cache
def default_app() -> Dash:
    """The app for ``$TRACKER_EVENTS`` or ./events.csv, built on first use."""
    return create_app(default_csv())


def __getattr__(name: str):
    if name == "server":  # built lazily so that importing this module stays cheap
        return default_app().server
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
