"""The page: header, filters, timeline, counts, map, table and details (no callbacks here)."""

from __future__ import annotations

from pathlib import Path

import dash_ag_grid as dag
from dash import dcc, html

from tracker.charts.style import EMPTY_MESSAGE, STATUS_MARKS, STATUS_STYLES
from tracker.contract import schema
from tracker.query import EventFilter
from tracker.storage import Snapshot

from . import details, ids, views
from .changes import presets
from .export_controls import export_panel
from .grid import BLOCK_SIZE, CHANGE_COLUMN, GRID_COLUMNS, TEXT_TESTS

GRID_TEXT_FILTERS = tuple(TEXT_TESTS)  # the column filters grid.py applies on the server

POLL_MS = 5_000
GRAPH_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}
PRECISION_LABELS = {"day": "Exact day", "month": "Month only", "year": "Year only"}


def build_layout(snap: Snapshot, geo_url: str = "/geo/", read_url: str = "/read") -> html.Div:
    """The whole page for the current data (filters are set from the URL by a callback)."""
    view = views.render_view(snap, "")
    return html.Div(
        className="app",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.DATA_VERSION, data=views.data_token(snap)),
            dcc.Store(id=ids.SHOWN),
            dcc.Interval(id=ids.POLL, interval=POLL_MS),
            header(snap, view, read_url),
            html.Div(
                view.banner,
                id=ids.ERROR_BANNER,
                className="banner",
                role="alert",
                hidden=view.banner_hidden,
            ),
            html.Div(
                className="columns",
                children=[filters(view, snap.path), charts(view, geo_url), details_panel()],
            ),
        ],
    )


def header(snap: Snapshot, view: views.View, read_url: str = "/read") -> html.Header:
    return html.Header(
        className="header",
        children=[
            html.H1(["Sanctions tracker ", html.Span(snap.name, className="dataset")]),
            html.P(view.summary, id=ids.HEADER_SUMMARY, className="summary", **{"aria-live": "polite"}),
            html.A("Read these events", id=ids.READ_LINK, href=read_url, className="read-link"),
        ],
    )


def _fieldset(legend: str, *children) -> html.Fieldset:
    return html.Fieldset([html.Legend(legend), *children], className="filter")


def _labelled(label: str, control_id: str, control) -> html.Div:
    return html.Div([html.Label(label, htmlFor=control_id), control], className="filter")


def filters(view: views.View, path: Path) -> html.Aside:
    """Every filter control, labelled; their values are set from the URL."""
    values = dict(zip(views.CONTROLS, views.controls_from_filter(EventFilter()), strict=True))
    return html.Aside(
        className="filters",
        **{"aria-label": "Filters"},
        children=[
            html.H2("Filters"),
            _fieldset(
                "Categories",
                dcc.Checklist(
                    id=ids.CATEGORIES,
                    options=view.category_options,
                    value=values[ids.CATEGORIES],
                    className="chips",
                ),
            ),
            _fieldset(
                "Dates",
                _labelled(
                    "From",
                    ids.SINCE,
                    dcc.Input(
                        id=ids.SINCE,
                        type="text",
                        debounce=True,
                        placeholder="e.g. 2022 or Nov 2022",
                        value="",
                    ),
                ),
                _labelled(
                    "To",
                    ids.UNTIL,
                    dcc.Input(
                        id=ids.UNTIL,
                        type="text",
                        debounce=True,
                        placeholder="e.g. 2024-06-30",
                        value="",
                    ),
                ),
            ),
            _fieldset(
                "Claim status",
                dcc.Checklist(
                    id=ids.STATUSES,
                    value=values[ids.STATUSES],
                    className="checks",
                    options=[{"label": f"{STATUS_MARKS[s]} {s}", "value": s} for s in STATUS_STYLES],
                ),
            ),
            _labelled(
                "Actors",
                ids.ACTORS,
                dcc.Dropdown(
                    id=ids.ACTORS,
                    options=view.actor_options,
                    value=[],
                    multi=True,
                    placeholder="Any actor",
                ),
            ),
            _labelled(
                "UN resolution",
                ids.RESOLUTIONS,
                dcc.Dropdown(
                    id=ids.RESOLUTIONS,
                    options=view.resolution_options,
                    value=[],
                    multi=True,
                    placeholder="Any resolution",
                ),
            ),
            _fieldset(
                "Date precision",
                dcc.Checklist(
                    id=ids.PRECISIONS,
                    value=values[ids.PRECISIONS],
                    className="checks",
                    options=[{"label": PRECISION_LABELS[p], "value": p} for p in schema.PRECISIONS],
                ),
            ),
            _labelled(
                "Search title, description, location",
                ids.SEARCH,
                dcc.Input(
                    id=ids.SEARCH,
                    type="search",
                    debounce=True,
                    value="",
                    placeholder="e.g. Rajin",
                ),
            ),
            changed_since_control(path),
            html.Button("Reset filters", id=ids.RESET, n_clicks=0, className="reset", type="button"),
            export_panel(),
        ],
    )


def changed_since_control(path: Path) -> html.Div:
    """A date, a tag or a commit (presets: the last 7 and 30 days and the newest tags); its note
    says when the file's history is unavailable or starts late."""
    options = [html.Option(label, value=value) for value, label in presets(path)]
    return html.Div(
        [
            html.Label("Changed since (date, tag or commit)", htmlFor=ids.CHANGED_SINCE),
            dcc.Input(
                id=ids.CHANGED_SINCE,
                type="text",
                debounce=True,
                value="",
                list=ids.CHANGED_PRESETS,
                placeholder="e.g. 2025-01-01 or HEAD~3",
                autoComplete="off",
            ),
            html.Datalist(options, id=ids.CHANGED_PRESETS),
            html.Small(id=ids.CHANGED_NOTE, className="note", role="status"),
        ],
        className="filter",
    )


def charts(view: views.View, geo_url: str) -> html.Main:
    """Timeline, counts, map and table of the filtered events."""
    map_config = dict(GRAPH_CONFIG, topojsonURL=geo_url)
    return html.Main(
        className="charts",
        children=[
            html.P(view.empty_note, id=ids.EMPTY_NOTE, className="empty-note", role="status"),
            html.Section(
                [
                    html.H2("Timeline", className="visually-hidden"),
                    dcc.Graph(id=ids.TIMELINE, figure=view.timeline, config=GRAPH_CONFIG),
                ],
                className="card",
            ),
            html.Section(id=ids.CHANGES, className="card changes", hidden=True, **{"aria-live": "polite"}),
            html.Div(
                className="pair",
                children=[
                    html.Section(
                        dcc.Graph(id=ids.COUNTS, figure=view.counts, config=GRAPH_CONFIG),
                        className="card",
                    ),
                    html.Section(dcc.Graph(id=ids.MAP, figure=view.map, config=map_config), className="card"),
                ],
            ),
            html.Section([html.H2("Events"), grid()], className="card"),
        ],
    )


def grid() -> dag.AgGrid:
    """The table: the same rows as the timeline, sortable and filterable.

    Rows come a block at a time from the server (infinite row model, ``dashboard/grid.py``), so
    the page never holds more than a few blocks whatever the number of events.
    """
    widths = {"date": 110, "end_date": 110, "title": 380, "category": 130, "status": 105}
    text_filter = {"filterOptions": list(GRID_TEXT_FILTERS), "debounceMs": 400}
    columns = [
        {"field": c, "headerName": c.replace("_", " ").capitalize(), "width": widths.get(c, 150)} for c in GRID_COLUMNS
    ]
    for column in columns:
        if column["field"] == "title":
            column["tooltipField"] = "title"  # the whole title on hover (the column cuts it short)
    # What changed of each event, beside its title; shown while the URL has a "changed since"
    # (grid.js), neither sorted nor filtered (the Changes panel groups the changes).
    change = {"field": CHANGE_COLUMN, "headerName": "Change", "width": 230, "hide": True}
    columns.insert(3, {**change, "sortable": False, "filter": False, "tooltipField": CHANGE_COLUMN})
    return dag.AgGrid(
        id=ids.GRID,
        rowModelType="infinite",
        columnDefs=columns,
        defaultColDef={
            "sortable": True,
            "filter": "agTextColumnFilter",
            "filterParams": text_filter,
            "resizable": True,
            "cellDataType": "text",
        },
        getRowId="params.data.id",
        dashGridOptions={
            "rowSelection": {
                "mode": "singleRow",
                "checkboxes": False,
                "enableClickSelection": True,
            },
            "localeText": {"noRowsToShow": EMPTY_MESSAGE},
            "animateRows": False,
            "cacheBlockSize": BLOCK_SIZE,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "tooltipShowDelay": 300,
        },
        style={"height": "420px"},
        className="ag-theme-quartz",
    )


def details_panel() -> html.Aside:
    return html.Aside(
        className="details",
        **{"aria-label": "Event details", "aria-live": "polite"},
        children=[
            html.H2("Details"),
            html.Div(html.P(details.DETAILS_HINT, className="hint"), id=ids.DETAILS),
        ],
    )
