"""Density lanes: above the threshold the timeline sends counts per bin, never one mark per event."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic import events

from tracker.charts import density
from tracker.charts.counts import counts_spec
from tracker.charts.timeline import build_timeline_figure, extent, timeline_spec, window_spec
from tracker.contract import schema
from tracker.query import EventFilter, filter_events
from tracker.storage import load_events

N = 5_000


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("density") / "events.csv"
    events(N).to_csv(path, index=False)
    return load_events(path, cache=False)


def _density(spec: dict) -> list[dict]:
    return [t for t in spec["data"] if t.get("meta", {}).get("kind") == "density"]


def _lane_counts(spec: dict) -> dict[str, int]:
    """Events counted per lane, summed from the bins' counts."""
    (trace,) = _density(spec)
    return {
        lane: sum(c for c in row if c is not None) for lane, row in zip(trace["y"], trace["customdata"], strict=True)
    }


def test_above_the_threshold_lanes_hold_counts_that_sum_to_the_total(big):
    assert N > density.DENSITY_THRESHOLD
    fig = build_timeline_figure(big)
    (trace,) = [t for t in fig.data if t.type == "heatmap"]
    assert list(trace.y) == list(schema.CATEGORIES)
    assert sum(c for row in trace.customdata for c in row if c is not None) == N
    assert [t.meta["kind"] for t in fig.data] == ["density", "overview"]  # no single marks
    by_lane = big["category"].value_counts()
    assert trace.meta["totals"] == [int(by_lane[c]) for c in schema.CATEGORIES]


def test_density_of_a_filtered_view_sums_to_the_filtered_count(big):
    kept = ("military", "arms_transfer", "diplomatic", "economic", "sanctions", "energy")
    shown = filter_events(big, EventFilter(categories=kept))
    spec = timeline_spec(shown)
    counts = _lane_counts(spec)
    assert list(counts) == [c for c in schema.CATEGORIES if c in kept]
    assert counts == {c: int((shown["category"] == c).sum()) for c in counts}
    assert sum(counts.values()) == len(shown) > density.DENSITY_THRESHOLD


def test_bins_follow_the_plot_width_and_the_payload_stays_small(big):
    spec = timeline_spec(big)
    (trace,) = _density(spec)
    assert {len(row) for row in trace["z"]} == {density.PLOT_WIDTH_PX // density.PX_PER_BIN}
    lane_of = [int(v) for row in trace["z"] for v in row if v is not None]  # each lane its colour slice
    assert sorted(set(lane_of)) == list(range(len(trace["y"])))
    assert len(json.dumps(spec)) < 100_000  # ~2,000 px per lane, whatever the number of events


def test_below_the_threshold_every_event_is_a_mark(big):
    few = big.iloc[: density.DENSITY_THRESHOLD]
    spec = timeline_spec(few)
    assert not _density(spec)
    marks = [t for t in spec["data"] if t.get("meta", {}).get("kind") == "events"]
    assert sorted(i for t in marks for i in t["customdata"]) == sorted(few["id"])


def test_zooming_in_shows_single_events_once_they_fit(big):
    x_range = ("2010-03-01", "2010-03-08")
    spec = window_spec(big, x_range)
    visible = density.visible(big, x_range)
    assert 0 < len(visible) <= density.DENSITY_THRESHOLD
    marks = [t for t in spec["data"] if t.get("meta", {}).get("kind") == "events"]
    assert sorted(i for t in marks for i in t["customdata"]) == sorted(visible["id"])
    assert spec["layout"]["xaxis"]["range"] == list(x_range)
    whole = [str(v.astype("datetime64[D]")) for v in extent(big)]  # (as the unzoomed timeline shows it)
    assert spec["layout"]["xaxis"]["rangeslider"]["range"] == whole and whole[0] < str(big["start"].min())
    (overview,) = [t for t in spec["data"] if t["meta"]["kind"] == "overview"]
    assert sum(overview["customdata"]) == N  # the slider still overviews every filtered event


@pytest.mark.parametrize("rows", [5, 2_000, N])
def test_the_range_slider_draws_one_overview_of_every_event_not_the_marks(big, rows):
    """The lanes sit on axes x2/y2 (x2 matching x); on x (the slider's axis) there is only the
    overview: all events per bin, lying below its hidden y axis so only the slider shows it."""
    shown = big.iloc[:rows]
    spec = timeline_spec(shown)
    on_x = [t for t in spec["data"] if t.get("xaxis", "x") == "x"]
    assert [t["meta"]["kind"] for t in on_x] == ["overview"]
    assert {(t["xaxis"], t["yaxis"]) for t in spec["data"] if t is not on_x[0]} == {("x2", "y2")}
    overview = on_x[0]
    assert sum(overview["customdata"]) == rows
    assert len(overview["customdata"]) <= density.OVERVIEW_BINS
    assert max(overview["y"]) < spec["layout"]["yaxis"]["range"][0] == 0  # hidden in the main plot
    assert spec["layout"]["xaxis2"]["matches"] == "x"
    first, last = shown["start_day"].min(), shown["end_day"].max()
    assert overview["x"][0] == str(np.datetime64(int(first), "D")) and overview["x"][-1] == str(
        np.datetime64(int(last), "D")
    )


def test_a_wide_zoom_keeps_density_over_the_window_only(big):
    x_range = ("2000-01-01", "2020-01-01")
    spec = window_spec(big, x_range)
    visible = density.visible(big, x_range)
    assert len(visible) > density.DENSITY_THRESHOLD
    assert sum(_lane_counts(spec).values()) == len(visible) < N


def test_bins_put_each_event_in_the_bin_of_its_start():
    frame = pd.DataFrame(
        {
            "start_day": np.array([0, 1, 9, 5, -30], dtype=np.int32),
            "category": pd.Categorical(
                ["military", "military", "energy", "military", "energy"],
                categories=schema.CATEGORIES,
            ),
        }
    )
    counts = density.DayCounts.of(frame).binned(lo=0, hi=10, n_bins=2)
    assert counts[schema.CATEGORIES.index("military")].tolist() == [2, 1]
    assert counts[schema.CATEGORIES.index("energy")].tolist() == [1, 1]  # -30 is clipped into bin 0
    assert counts.sum() == 5


@settings(max_examples=200, deadline=None)
@given(
    starts=st.lists(st.tuples(st.integers(0, 8), st.integers(-50, 400)), min_size=1, max_size=60),
    lo=st.integers(-60, 300),
    width=st.integers(1, 500),
    n_bins=st.integers(1, 40),
)
def test_binned_day_counts_equal_binning_each_event(starts, lo, width, n_bins):
    """Bins summed from counts per day hold what binning every event's clipped start gives."""
    codes, days = (np.array(v, dtype=np.int64) for v in zip(*starts, strict=True))
    frame = pd.DataFrame(
        {
            "start_day": days,
            "category": pd.Categorical.from_codes(codes, categories=schema.CATEGORIES),
        }
    )
    hi, n_bins = lo + width, min(n_bins, width)
    each = (np.clip(days, lo, hi - 1) - lo) * n_bins // (hi - lo)
    expected = np.bincount(codes * n_bins + each, minlength=len(schema.CATEGORIES) * n_bins)
    assert density.DayCounts.of(frame).binned(lo, hi, n_bins).ravel().tolist() == expected.tolist()


def test_the_start_index_counts_any_subset_like_its_rows(big):
    index = density.StartIndex(big)
    mask = (big["status"] == "confirmed").to_numpy() & (big["category"] != "energy").to_numpy()
    counted, direct = index.count(mask), density.DayCounts.of(big[mask])
    assert counted.extent() == direct.extent() == (big[mask]["start_day"].min(), big[mask]["end_day"].max())
    assert counted.lane_totals().tolist() == big[mask]["category"].value_counts()[list(schema.CATEGORIES)].tolist()
    lo, hi = counted.extent()
    assert counted.binned(lo, hi, 37).tolist() == direct.binned(lo, hi, 37).tolist()
    assert counted.total == int(mask.sum()) and index.count().total == N


def test_large_marker_traces_use_webgl(tmp_path: Path):
    frame = events(2_000)
    frame["date"] = "2020-05-05"  # every event a day-precision marker
    frame["end_date"] = ""
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    loaded = load_events(path, cache=False)
    exported = build_timeline_figure(loaded)  # exports: WebGL for large marker traces
    kinds = {t.type for t in exported.data if t.meta and t.meta["kind"] == "events"}
    assert "scattergl" in kinds
    assert all(len(t.x) > density.WEBGL_MIN_POINTS for t in exported.data if t.type == "scattergl")
    few = build_timeline_figure(loaded.iloc[: density.WEBGL_MIN_POINTS])  # SVG below the threshold
    assert {t.type for t in few.data if t.meta["kind"] == "events"} == {"scatter"}


def test_the_dashboard_never_draws_webgl(big, tmp_path: Path):
    """Its CSP forbids the eval WebGL's regl needs: a scattergl trace would show "WebGL is not
    supported" instead of the events."""
    from dashboard import views, zoom
    from tracker.storage import Snapshot

    frame = events(2_000)
    frame["date"], frame["end_date"] = "2020-05-05", ""  # every event a day-precision marker
    frame.to_csv(tmp_path / "events.csv", index=False)
    loaded = load_events(tmp_path / "events.csv", cache=False)
    view = views.filter_view(Snapshot(tmp_path / "events.csv", loaded, None), EventFilter())
    drawn = [t for t in view.timeline["data"] if t["meta"]["kind"] == "events"]
    assert {t["type"] for t in drawn} == {"scatter"} and sum(len(t["x"]) for t in drawn) == 2_000
    relayout = {"xaxis.range[0]": "2010-03-01", "xaxis.range[1]": "2010-04-01"}
    zoomed = zoom.zoomed_timeline(big, EventFilter(), relayout)["data"]
    assert zoomed and "scattergl" not in {t["type"] for t in zoomed}


@pytest.mark.parametrize("query", ["", "?category=military,economic", "?status=denied&precision=day", "?q=zzz-none"])
def test_the_dashboard_view_copies_less_but_draws_the_same_charts(big, query):
    """Above the mark thresholds the view hands the charts only the columns they count; each
    chart is the one built from the filtered rows themselves."""
    from dashboard import views
    from tracker.charts.map import map_spec
    from tracker.query import from_query
    from tracker.storage import Snapshot

    f = from_query(query)
    shown = filter_events(big, f)
    view = views.filter_view(Snapshot(Path("events.csv"), big, None), f)
    assert view.timeline == timeline_spec(shown, lanes=list(schema.CATEGORIES))  # (every lane: see below)
    assert view.counts == counts_spec(shown)
    assert view.map == map_spec(shown)
    assert view.summary.startswith(f"{len(shown)} of {N} events shown")
    first = views.filter_view(Snapshot(Path("events.csv"), big, None), f, secondary=False)  # (a click's answer)
    assert first.timeline == view.timeline and first.summary == view.summary


@pytest.mark.parametrize(
    "query",
    [
        "?category=military",
        "?category=military,economic&status=denied",
        "?category=arms_transfer,diplomatic,economic,energy,transport,labor,sanctions,legal_un",
    ],
)
def test_the_dashboard_lanes_stay_put_whatever_the_filter(big, query):
    """Every category of the file keeps its lane (empty when filtered out): toggling one moves no
    other lane and keeps the plot's height (a new height costs plotly a full redraw)."""
    from dashboard import views
    from tracker.query import from_query
    from tracker.storage import Snapshot

    snap = Snapshot(Path("events.csv"), big, None)
    everything, filtered = (views.filter_view(snap, from_query(q), secondary=False).timeline for q in ("", query))
    for spec in (everything, filtered):
        assert spec["layout"]["yaxis2"]["categoryarray"] == list(schema.CATEGORIES)
        assert spec["layout"]["height"] == everything["layout"]["height"]
    shown = filter_events(big, from_query(query))
    if density.too_many(shown):  # a heatmap row per lane (plotly.js cannot redraw one missing a lane)
        assert _density(filtered)[0]["y"] == list(schema.CATEGORIES)
        assert {lane for lane, n in _lane_counts(filtered).items() if n} == set(shown["category"])
    else:
        assert {y for t in filtered["data"] if t.get("meta", {}).get("kind") == "events" for y in t["y"]} == set(
            shown["category"]
        )
    two = big[big["category"].isin(["energy", "labor"])]  # a file of two categories: two lanes
    assert views.filter_view(Snapshot(Path("e.csv"), two, None), from_query("")).timeline["layout"]["yaxis2"][
        "categoryarray"
    ] == ["energy", "labor"]


def test_chart_rows_keep_text_only_while_events_are_drawn_one_by_one(big):
    from dashboard import views

    few = np.zeros(len(big), dtype=bool)
    few[:10] = True
    assert list(views.chart_rows(big, few).columns) == list(views.CHART_COLUMNS)
    everything = np.ones(len(big), dtype=bool)
    lean = views.chart_rows(big, everything)
    assert list(lean.columns) == list(views.COUNT_COLUMNS) and len(lean) == N
    assert list(views.chart_rows(big, everything, marks_up_to=N).columns) == list(views.CHART_COLUMNS)
    assert views.located(big).tolist() == (big["lat"].notna() & big["lon"].notna()).tolist()


@pytest.mark.parametrize("x_range", [("2010-03-01", "2010-03-08"), ("2000-01-01", "2020-01-01")])
def test_the_dashboard_zoom_redraws_the_window_of_the_filtered_events(big, x_range):
    from dash import no_update

    from dashboard import zoom

    relayout = {"xaxis.range[0]": x_range[0], "xaxis.range[1]": x_range[1]}
    assert zoom.zoomed_timeline(big, EventFilter(), relayout) == window_spec(
        big, x_range, lanes=list(schema.CATEGORIES)
    )
    few = zoom.zoomed_timeline(big, EventFilter(statuses=("denied",)), relayout)  # every mark, the window's labels
    denied = big[big["status"] == "denied"]
    assert sum(len(t["customdata"]) for t in few["data"] if t.get("meta", {}).get("kind") == "events") == len(denied)
    assert few["layout"]["xaxis"]["range"] == list(x_range)
    assert zoom.zoomed_timeline(big, EventFilter(), {"dragmode": "pan"}) is no_update
    assert zoom.zoomed_timeline(big, EventFilter(), {"xaxis.autorange": True}) == timeline_spec(
        big, lanes=list(schema.CATEGORIES)
    )
    assert density.in_window(big, x_range).sum() == len(density.visible(big, x_range))


def test_is_in_looks_categories_up_by_code():
    from tracker.query import is_in

    col = pd.Series(pd.Categorical(["energy", None, "labor", "energy", "military"], categories=schema.CATEGORIES))
    assert is_in(col, ("energy", "military")).tolist() == [True, False, False, True, True]
    assert is_in(col, ()).tolist() == [False] * 5
    assert is_in(col, ("not-a-category",)).tolist() == [False] * 5
    plain = pd.Series(["a", "b", None])
    assert is_in(plain, ("b",)).tolist() == [False, True, False]


def test_is_in_looks_arrow_strings_up_in_arrow_as_pandas_would():
    from tracker.query import is_in

    col = pd.Series(["2024-a", None, "2024-b", "2024-a", ""], dtype="string[pyarrow]")
    wanted = frozenset({"2024-a", "", "absent"})
    assert is_in(col, wanted).tolist() == [True, False, False, True, True]
    assert is_in(col, wanted).tolist() == col.isin(wanted).fillna(False).tolist()
    assert is_in(col, ()).tolist() == [False] * 5
    assert is_in(col.iloc[2:], {"2024-b"}).tolist() == [True, False, False]  # (a slice: its own rows)
