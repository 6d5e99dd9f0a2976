"""Thin callbacks: read the inputs, call one pure function in ``views``, return its outputs."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, no_update

from tracker.links.cache import kept_results
from tracker.query import from_query
from tracker.storage import EventSource

from . import changes, details, ids, views, zoom
from .grid import grid_block

CONTROL_VALUES = [Input(c, "value") for c in views.CONTROLS]


def register_callbacks(app: Dash, source: EventSource) -> None:
    """Wire the page: URL <-> controls -> every view, clicks -> details, file changes -> redraw."""

    # One round trip per change: a control's click both renders and writes the URL, so the
    # page never waits for a URL update before asking for the view (Dash would serialise them).
    @app.callback(
        Output(ids.URL, "search"),
        [Output(c, "value") for c in views.CONTROLS],
        Output(ids.SHOWN, "data"),
        Output(ids.HEADER_SUMMARY, "children"),
        Output(ids.ERROR_BANNER, "children"),
        Output(ids.ERROR_BANNER, "hidden"),
        Output(ids.CATEGORIES, "options"),
        Output(ids.ACTORS, "options"),
        Output(ids.RESOLUTIONS, "options"),
        Output(ids.TIMELINE, "figure"),
        Output(ids.EMPTY_NOTE, "children"),
        Input(ids.URL, "search"),
        Input(ids.DATA_VERSION, "data"),
        Input(ids.RESET, "n_clicks"),
        *CONTROL_VALUES,
        State(ids.SHOWN, "data"),
    )
    def render(search, _version, reset_clicks, *values_then_shown):
        *values, shown = values_then_shown
        return views.render_answer(source.snapshot(), search, shown, reset_clicks, values)

    # The timeline (what a filter click is for) comes in the first answer; the counts and the map
    # in a second one, asked for as soon as the first has written the URL.
    @app.callback(
        Output(ids.COUNTS, "figure"),
        Output(ids.MAP, "figure"),
        Input(ids.URL, "search"),
        Input(ids.DATA_VERSION, "data"),
    )
    def secondary(search, _version):
        return views.secondary_figures(source.snapshot(), search)

    @app.callback(
        Output(ids.GRID, "getRowsResponse"),
        Input(ids.GRID, "getRowsRequest"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def grid_rows(request, search):
        return grid_block(source.frame(), changes.url_filter(source.path, search), request)

    # A new filter or new data: the grid drops its cached blocks and asks for rows again.
    app.clientside_callback(  # the reading view of the same filter
        ClientsideFunction(namespace="tracker", function_name="readHref"),
        Output(ids.READ_LINK, "href"),
        Input(ids.URL, "search"),
        State(ids.READ_LINK, "href"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="tracker", function_name="refreshGrid"),
        Output(ids.GRID, "scrollTo"),
        Input(ids.URL, "search"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.GRID, "id"),
    )

    @app.callback(
        Output(ids.TIMELINE, "figure", allow_duplicate=True),
        Input(ids.TIMELINE, "relayoutData"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def zoom_timeline(relayout, search):  # scale: the server redraws the visible window
        page = changes.page_changes(source.path, from_query(search or ""))
        return zoom.zoomed_timeline(source.frame(), page.filter, relayout, page.marks())

    @app.callback(
        Output(ids.DETAILS, "children"),
        Input(ids.TIMELINE, "clickData"),
        Input(ids.MAP, "clickData"),
        Input(ids.GRID, "selectedRows"),
        prevent_initial_call=True,
    )
    def show_details(timeline_click, map_click, selected_rows):
        event_id = details.clicked_event_id(ctx.triggered_id, timeline_click, map_click, selected_rows)
        return details.details_children(source.frame(), event_id, source.path, kept_results())

    @app.callback(
        Output(ids.CHANGES, "children"),
        Output(ids.CHANGES, "hidden"),
        Output(ids.CHANGED_NOTE, "children"),
        Input(ids.URL, "search"),
        Input(ids.DATA_VERSION, "data"),
    )
    def show_changes(search, _version):
        return changes.changes_panel(source.path, from_query(search or ""))

    @app.callback(
        Output(ids.DATA_VERSION, "data"),
        Input(ids.POLL, "n_intervals"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def notice_file_change(_n, current):
        token = views.data_token(source.snapshot())
        return no_update if token == current else token
