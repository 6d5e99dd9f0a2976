"""Thin callbacks: read the inputs, call one pure function in ``views``, return its outputs."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update

from tracker.source import EventSource

from . import ids, views

CONTROL_VALUES = [Input(c, "value") for c in views.CONTROLS]


def register_callbacks(app: Dash, source: EventSource) -> None:
    """Wire the page: URL <-> controls, URL -> every view, clicks -> details, file changes -> redraw."""

    @app.callback(
        Output(ids.URL, "search"),
        [Output(c, "value") for c in views.CONTROLS],
        Input(ids.URL, "search"),
        *CONTROL_VALUES,
        Input(ids.RESET, "n_clicks"),
    )
    def sync_url_and_controls(search, *values):
        url, control_values = views.sync_url_and_controls(ctx.triggered_id, search, list(values[:-1]))
        return (url, *control_values)

    @app.callback(
        Output(ids.HEADER_SUMMARY, "children"),
        Output(ids.ERROR_BANNER, "children"),
        Output(ids.ERROR_BANNER, "hidden"),
        Output(ids.CATEGORIES, "options"),
        Output(ids.ACTORS, "options"),
        Output(ids.RESOLUTIONS, "options"),
        Output(ids.TIMELINE, "figure"),
        Output(ids.COUNTS, "figure"),
        Output(ids.MAP, "figure"),
        Output(ids.GRID, "rowData"),
        Output(ids.EMPTY_NOTE, "children"),
        Input(ids.URL, "search"),
        Input(ids.DATA_VERSION, "data"),
    )
    def render(search, _version):
        view = views.render_view(source.snapshot(), search)
        return tuple(getattr(view, name) for name in views.View.__dataclass_fields__)

    @app.callback(
        Output(ids.DETAILS, "children"),
        Input(ids.TIMELINE, "clickData"),
        Input(ids.MAP, "clickData"),
        Input(ids.GRID, "selectedRows"),
        prevent_initial_call=True,
    )
    def show_details(timeline_click, map_click, selected_rows):
        event_id = views.clicked_event_id(ctx.triggered_id, timeline_click, map_click, selected_rows)
        return views.details_children(source.frame(), event_id)

    @app.callback(
        Output(ids.DATA_VERSION, "data"),
        Input(ids.POLL, "n_intervals"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def notice_file_change(_n, current):
        token = views.data_token(source.snapshot())
        return no_update if token == current else token
