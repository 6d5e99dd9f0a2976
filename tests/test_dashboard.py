"""The dashboard's callbacks and view functions, called directly (no browser)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from dash import no_update
from dashboard_helpers import ALL_CONTROLS, NEW_ROW, append_row, text_of

from dashboard import create_app, ids, views, zoom
from dashboard.grid import grid_block
from tracker.charts.style import EMPTY_MESSAGE
from tracker.charts.timeline import event_ids
from tracker.cli import main
from tracker.query import EventFilter, filter_events, from_query
from tracker.storage import EventSource

SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "events.csv"


# ---------------------------------------------------------------- URL <-> controls


def test_controls_change_the_url():
    values = list(ALL_CONTROLS)
    values[0] = [c for c in values[0] if c != "energy"]
    values[7] = "  Rajin "
    f, url, controls, shown = views.resolve_filter("", {"search": "", "reset": 0}, 0, values)
    assert (
        url
        == "?category=military%2Carms_transfer%2Cdiplomatic%2Ceconomic%2Ctransport%2Clabor%2Csanctions%2Clegal_un&q=Rajin"
    )
    assert f == from_query(url) and f.search == "Rajin" and "energy" not in f.categories
    assert controls == [no_update] * len(views.CONTROLS)
    assert shown == {"search": url, "reset": 0}
    assert views.resolve_filter(url, shown, 0, values) == (
        f,
        no_update,
        controls,
        shown,
    )  # nothing new


def test_url_sets_the_controls():
    search = "?status=denied&since=2023&actor=PRK&q=oil&changed_since=HEAD~2"
    f, url, controls, shown = views.resolve_filter(search, {"search": "", "reset": 0}, 0, ALL_CONTROLS)
    assert f == EventFilter(statuses=("denied",), since="2023", actors=("PRK",), search="oil", changed_since="HEAD~2")
    assert url is no_update
    assert controls == [
        ALL_CONTROLS[0],
        "2023",
        "",
        ["denied"],
        ["PRK"],
        [],
        ALL_CONTROLS[6],
        "oil",
        "HEAD~2",
    ]
    assert shown == {"search": search, "reset": 0}
    assert views.resolve_filter(None, None, None, ALL_CONTROLS)[1:] == (
        no_update,
        ALL_CONTROLS,
        {"search": "", "reset": 0},
    )  # page load


def test_new_data_keeps_the_url_filter_and_leaves_the_controls_alone():
    controls = views.controls_from_filter(EventFilter(search="oil"))
    answer = views.resolve_filter("?q=oil", {"search": "?q=oil", "reset": 0}, 0, controls)
    assert answer == (
        EventFilter(search="oil"),
        no_update,
        [no_update] * len(views.CONTROLS),
        {"search": "?q=oil", "reset": 0},
    )


def test_a_change_survives_when_dash_drops_its_answer():
    """New data supersedes a call in flight: the next call still carries out its change."""
    shown = {"search": "?q=oil", "reset": 2}
    oil = views.controls_from_filter(EventFilter(search="oil"))
    rail = views.controls_from_filter(EventFilter(search="rail"))
    assert views.resolve_filter("?q=oil", shown, 2, rail)[:2] == (
        EventFilter(search="rail"),
        "?q=rail",
    )
    back = views.resolve_filter("?q=rail", shown, 2, oil)  # back/forward while the controls say oil
    assert back[:3] == (EventFilter(search="rail"), no_update, rail)
    reset = views.resolve_filter("?q=oil", shown, 3, oil)
    assert reset == (EventFilter(), "", ALL_CONTROLS, {"search": "", "reset": 3})


def test_free_form_dates_and_everything_ticked():
    f = views.filter_from_controls(*ALL_CONTROLS[:1], "Nov 2022", "not a date", *ALL_CONTROLS[3:])
    assert f == EventFilter(since="2022-11")
    assert views.url_search(views.filter_from_controls(*ALL_CONTROLS)) == ""
    nothing = views.filter_from_controls([], "", "", [], [], [], [], "", "")
    assert nothing.categories == () and nothing.statuses == () and nothing.precisions == ()


def test_an_answer_leaves_out_the_lists_and_banner_the_page_holds(source, events_csv):
    """Option lists and the banner are sent when the data or the filter they depend on changed."""
    snap = source.snapshot()
    token = views.data_token(snap)
    n = len(views.CONTROLS)
    transport = views.controls_from_filter(EventFilter(categories=("transport",)))
    first = views.render_answer(snap, "", {"search": "", "reset": 0, "data": token}, 0, transport)
    url, shown, outputs = first[0], first[1 + n], first[2 + n :]
    assert url == "?category=transport" and shown == {"search": url, "reset": 0, "data": token}
    summary, banner, hidden, categories, actors, resolutions, timeline, _ = outputs
    assert (banner, hidden, categories, actors, resolutions) == (no_update,) * 5  # a category click
    assert summary.startswith("3 of 46") and timeline["data"]
    oil = views.controls_from_filter(EventFilter(categories=("transport",), search="oil"))
    categories, actors = views.render_answer(snap, url, shown, 0, oil)[5 + n : 7 + n]
    assert categories != no_update and actors is no_update  # counts per category follow the search
    page_load = views.render_answer(snap, "", None, None, ALL_CONTROLS)[2 + n :]
    assert no_update not in page_load[1:6]
    append_row(events_csv, NEW_ROW)  # new data: every list again (their counts changed)
    new = views.render_answer(source.snapshot(), url, shown, 0, transport)
    assert new[1 + n]["data"] != token and no_update not in new[3 + n : 8 + n]


def test_reset_clears_url_and_controls():
    shown = {"search": "?category=energy&q=x", "reset": 0}
    controls = views.controls_from_filter(from_query(shown["search"]))
    f, url, controls, shown = views.resolve_filter(shown["search"], shown, 1, controls)
    assert (f, url, controls, shown) == (
        EventFilter(),
        "",
        ALL_CONTROLS,
        {"search": "", "reset": 1},
    )


# ---------------------------------------------------------------- the view


def test_view_of_a_url_filters_every_output(source):
    view = views.render_view(source.snapshot(), "?category=energy")
    energy = sorted(source.frame().query("category == 'energy'")["id"])
    assert len(energy) == 2
    assert view.summary.startswith("2 of 46 events shown · latest event 16 Dec 2024 · file changed ")
    assert sorted(event_ids(view.timeline)) == energy
    block = grid_block(source.frame(), from_query("?category=energy"), {"startRow": 0, "endRow": 100})
    assert sorted(r["id"] for r in block["rowData"]) == energy and block["rowCount"] == 2
    assert sum(sum(t["y"]) for t in view.counts["data"]) == 2
    assert view.empty_note == "" and view.banner_hidden is True


def test_a_filter_answer_carries_the_timeline_and_a_second_one_the_counts_and_the_map(source):
    snap, search = source.snapshot(), "?category=energy,military"
    whole = views.render_view(snap, search)
    first = views.filter_view(snap, from_query(search), secondary=False)
    assert first.timeline == whole.timeline and first.summary == whole.summary
    assert first.counts == {} and first.map == {}  # (not built for the first answer)
    counts, located_map = views.secondary_figures(snap, search)
    assert counts == whole.counts and located_map == whole.map
    shown = len(filter_events(source.frame(), from_query(search)))
    assert sum(sum(t["y"]) for t in counts["data"]) == shown > 0


def test_category_counts_under_the_other_filters(source):
    view = views.render_view(source.snapshot(), "?category=energy&status=confirmed")
    labels = {o["value"]: text_of(o["label"]) for o in view.category_options}
    confirmed = source.frame().query("status == 'confirmed'")["category"].astype(str).value_counts()
    assert labels["legal_un"] == f"UN / legal ({confirmed['legal_un']})" == "UN / legal (10)"
    assert labels["labor"] == "Labour (0)"
    assert sum(int(t.rsplit("(", 1)[1][:-1]) for t in labels.values()) == 33


def test_empty_result_says_so(source):
    view = views.render_view(source.snapshot(), "?q=no-such-text-anywhere")
    assert view.summary.startswith("0 of 46 events shown")
    assert view.empty_note == EMPTY_MESSAGE
    assert view.timeline["layout"]["annotations"][0]["text"] == EMPTY_MESSAGE
    assert grid_block(source.frame(), from_query("?q=no-such-text-anywhere"), {}) == {
        "rowData": [],
        "rowCount": 0,
    }


def test_actor_and_resolution_options_come_from_the_data(source):
    view = views.render_view(source.snapshot(), "")
    assert {"label": "PRK", "value": "PRK"} in view.actor_options
    resolutions = [o["value"] for o in view.resolution_options]
    assert resolutions[:3] == ["1718", "1874", "2270"] and "2397" in resolutions
    every_actor = {a for actors in source.frame()["actor_list"] for a in actors}
    assert [o["value"] for o in view.actor_options] == sorted(every_actor)


def test_dropdown_options_are_bounded_and_keep_the_chosen(source):
    frame = source.frame()
    counts = Counter(a for actors in frame["actor_list"] for a in actors)
    top_two = sorted(counts, key=lambda a: (-counts[a], a))[:2]
    assert views.list_items(frame["actor_list"], limit=2) == top_two
    rare = min(counts, key=lambda a: (counts[a], a))
    with_rare = views.list_options(frame, "actor_list", (rare, "NOT-IN-DATA"))
    assert {"label": "NOT-IN-DATA", "value": "NOT-IN-DATA"} in with_rare
    assert len(with_rare) == len(counts) + 1


def _post(client, app, output_key: str, inputs: list[dict], changed: list[str], state: tuple = ()):
    outputs = [{"id": k.split(".")[0], "property": k.split(".")[1]} for k in output_key.strip(".").split("...")]
    body = {
        "output": output_key,
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": changed,
        "state": list(state),
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def render_inputs(search: str, controls: list) -> list[dict]:
    """The render callback's inputs as the page sends them."""
    return [
        {"id": ids.URL, "property": "search", "value": search},
        {"id": ids.DATA_VERSION, "property": "data", "value": "x"},
        {"id": ids.RESET, "property": "n_clicks", "value": 0},
        *({"id": c, "property": "value", "value": v} for c, v in zip(views.CONTROLS, controls, strict=True)),
    ]


def test_render_callback_over_http(events_csv):
    app = create_app(events_csv)
    key = next(k for k in app.callback_map if f"{ids.TIMELINE}.figure" in k)
    inputs = render_inputs("?category=transport&precision=year", ALL_CONTROLS)
    page_load = {"id": ids.SHOWN, "property": "data", "value": None}
    response = _post(app.server.test_client(), app, key, inputs, [f"{ids.URL}.search"], [page_load])
    figure = response[ids.TIMELINE]["figure"]
    assert event_ids(figure) == ["2013-khasan-rajin-rail-freight"]
    assert response[ids.HEADER_SUMMARY]["children"].startswith("1 of 46 events shown")
    assert response[ids.CATEGORIES]["value"] == ["transport"]  # the controls show the URL's filter
    assert ids.URL not in response  # the URL stays as it is
    assert ids.GRID not in response  # the table fetches its rows itself, a block at a time


def test_a_control_change_renders_and_writes_the_url_in_one_answer(events_csv):
    """No second round trip: the answer to a click holds the new URL and the redrawn views."""
    app = create_app(events_csv)
    key = next(k for k in app.callback_map if f"{ids.TIMELINE}.figure" in k)
    controls = list(ALL_CONTROLS)
    controls[0] = ["transport"]
    shown = {"id": ids.SHOWN, "property": "data", "value": {"search": "", "reset": 0}}
    response = _post(
        app.server.test_client(),
        app,
        key,
        render_inputs("", controls),
        [f"{ids.CATEGORIES}.value"],
        [shown],
    )
    assert response[ids.URL]["search"] == "?category=transport"
    assert sorted(event_ids(response[ids.TIMELINE]["figure"])) == sorted(
        filter_events(EventSource(events_csv).frame(), EventFilter(categories=("transport",)))["id"]
    )
    assert ids.CATEGORIES not in response or "value" not in response[ids.CATEGORIES]  # the control keeps its value


def test_page_and_map_assets_are_served(events_csv):
    client = create_app(events_csv).server.test_client()
    # A worker asked for a bundle before it ever rendered the page still serves it.
    with client.get("/_dash-component-suites/dash/dcc/dash_core_components.js") as bundle:
        assert bundle.status_code == 200
    page = client.get("/")
    assert page.status_code == 200
    assert page.data.decode().startswith('<!DOCTYPE html>\n<html lang="en">'), "the page names its language"
    with client.get("/geo/world_110m.json") as topo:
        assert topo.status_code == 200 and json.loads(topo.data)["type"] == "Topology"
    assert client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"


# ---------------------------------------------------------------- tracker serve


def test_serve_refuses_an_invalid_csv(tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text(SHIPPED_CSV.read_text().replace("2013,,Khasan", "20133,,Khasan"))
    result = CliRunner().invoke(main, ["serve", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:4: date:" in result.output and "Traceback" not in result.output


def test_serve_warns_on_all_interfaces(monkeypatch, events_csv):
    calls = []
    monkeypatch.setattr("dashboard.serve.run", lambda *args: calls.append(args))
    result = CliRunner().invoke(main, ["serve", str(events_csv), "--host", "0.0.0.0", "--workers", "3"])
    assert result.exit_code == 0, result.output
    assert "warning: listening on 0.0.0.0: the dashboard is reachable from other machines" in result.output
    assert calls == [(events_csv, "0.0.0.0", 8050, 3, False)]
    quiet = CliRunner().invoke(main, ["serve", str(events_csv)])
    assert "warning" not in quiet.output and calls[-1] == (events_csv, "127.0.0.1", 8050, 2, False)


def test_gunicorn_options_disable_the_control_socket():
    from dashboard.serve import DashboardServer, gunicorn_options

    server = DashboardServer(lambda env, start: [], gunicorn_options("127.0.0.1", 8123, 2))
    assert server.cfg.bind == ["127.0.0.1:8123"] and server.cfg.workers == 2
    assert server.cfg.settings["control_socket_disable"].get() is True


def test_each_worker_warms_the_files_history_once_forked(monkeypatch, tmp_path):
    from dashboard import serve

    warmed = []
    monkeypatch.setattr(serve, "warm_history", warmed.append)
    server = serve.DashboardServer(lambda env, start: [], serve.gunicorn_options("127.0.0.1", 8123, 2, tmp_path))
    server.cfg.post_fork(None, None)
    assert warmed == [tmp_path]


def test_what_the_app_loaded_is_frozen_before_each_worker_forks():
    """A worker's full garbage collection must not walk the libraries and the frame (~100 ms)."""
    import gc

    from dashboard import serve

    server = serve.DashboardServer(lambda env, start: [], serve.gunicorn_options("127.0.0.1", 8123, 2))
    before = gc.get_freeze_count()
    try:
        server.cfg.pre_fork(None, None)
        assert gc.get_freeze_count() > max(before, 10_000)
    finally:
        gc.unfreeze()


def test_dash_checks_callbacks_against_the_page_without_events(events_csv):
    """At start-up Dash is handed the page built from no events (not a full view of the file):
    it holds every component of the real page."""

    def component_ids(component) -> set:
        found = {json.dumps(getattr(component, "id", None), sort_keys=True)}
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if hasattr(child, "to_plotly_json"):
                found |= component_ids(child)
        return found - {"null"}

    app = create_app(events_csv)
    with app.server.test_request_context("/"):
        page = app._layout_value()
    assert "No events match these filters" in json.dumps(app.validation_layout.to_plotly_json(), default=str)
    assert (
        component_ids(app.validation_layout)
        == component_ids(page)
        > {f'"{i}"' for i in (ids.TIMELINE, ids.GRID, ids.SHOWN)}
    )


@pytest.mark.parametrize(
    ("relayout", "expected"),
    [
        (
            {"xaxis.range[0]": "2020-01-01 00:00", "xaxis.range[1]": "2021-06-30"},
            ("2020-01-01 00:00", "2021-06-30"),
        ),
        ({"xaxis.range": ["2019-01-01", "2019-02-01"]}, ("2019-01-01", "2019-02-01")),
        ({"xaxis.autorange": True}, None),
        ({"autosize": True}, False),  # a new size, not a zoom
        ({"legend.x": 0.5}, False),
        (None, False),
    ],
)
def test_relayout_range(relayout, expected):
    assert zoom.relayout_range(relayout) == expected
