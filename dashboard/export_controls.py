"""The export panel: the current view (the filter in the URL) as an image, HTML page, CSV, JSON or
a TimelineJS story.

Exports go through ``tracker.export.export_view``: the same ``from_query`` filter, the same
``filter_events`` and the same figure builders as the screen. Image exports reuse one warm
Chromium per worker process (``tracker.export_image``), started on the first image.
"""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from tracker.errors import TrackerError
from tracker.export import ExportResult, export_view
from tracker.storage import EventSource, Snapshot

from . import ids
from .changes import url_filter

# (chart, format) pairs on offer, grouped as they appear on the page.
EXPORT_GROUPS = (
    ("Timeline", "timeline", ("png", "svg", "pdf", "html")),
    ("Counts", "counts", ("png", "svg", "pdf", "html")),
    ("Events", "events", ("csv", "json", "timelinejs", "md", "docx")),
)
FORMAT_LABELS = {
    "png": "PNG",
    "svg": "SVG",
    "pdf": "PDF",
    "html": "HTML",
    "csv": "CSV",
    "json": "JSON",
    "timelinejs": "TimelineJS",
    "md": "Brief (Markdown)",
    "docx": "Brief (Word)",
}


def item_key(chart: str, fmt: str) -> str:
    """The button's key, e.g. ``timeline.png`` or ``events.csv``."""
    return f"{chart}.{fmt}"


def export_panel() -> html.Section:
    """Buttons for every export of the current view, a status line and the download target."""
    rows = [
        html.Div(
            className="export-row",
            children=[
                html.Span(label, className="export-label"),
                *[
                    html.Button(
                        FORMAT_LABELS[fmt],
                        id={"type": ids.EXPORT_BUTTON, "item": item_key(chart, fmt)},
                        n_clicks=0,
                        type="button",
                        className="export-button",
                        **{"aria-label": f"Download {label.lower()} as {FORMAT_LABELS[fmt]}"},
                    )
                    for fmt in formats
                ],
            ],
        )
        for label, chart, formats in EXPORT_GROUPS
    ]
    return html.Section(
        className="export-panel",
        **{"aria-label": "Export this view"},
        children=[
            html.H2("Export this view"),
            *rows,
            dcc.Loading(
                html.P("", id=ids.EXPORT_STATUS, className="export-status", role="status"),
                type="dot",
            ),
            dcc.Download(id=ids.EXPORT_DOWNLOAD),
        ],
    )


def view_export(snap: Snapshot, search: str | None, fmt: str, chart: str = "timeline") -> ExportResult:
    """The export of the view in the URL's ``search``: what ``tracker export`` writes for it."""
    return export_view(snap.frame, url_filter(snap.path, search), fmt, csv_path=snap.path, chart=chart)


def export_download(snap: Snapshot, search: str | None, item: str) -> tuple[dict, str]:
    """(``dcc.Download`` data, status line) for one export of the view in ``search``."""
    chart, _, fmt = item.partition(".")
    result = view_export(snap, search, fmt, "timeline" if chart == "events" else chart)
    data = dcc.send_bytes(result.content, result.filename, type=result.media_type)
    return data, f"Downloaded {result.filename} ({result.meta.events} events)"


def register_export_callbacks(app: Dash, source: EventSource) -> None:
    """Wire the export buttons to ``export_download`` on the app's event source."""

    @app.callback(
        Output(ids.EXPORT_DOWNLOAD, "data"),
        Output(ids.EXPORT_STATUS, "children"),
        Input({"type": ids.EXPORT_BUTTON, "item": ALL}, "n_clicks"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def download(clicks, search):
        trigger = ctx.triggered_id
        if not trigger or not any(clicks):
            return no_update, no_update
        try:
            return export_download(source.snapshot(), search, trigger["item"])
        except TrackerError as exc:
            return no_update, f"Export failed: {exc}"
